#[global_allocator]
static ALLOCATOR: aksguard::allocator::Allocator = aksguard::allocator::Allocator;

fn main() {
    std::process::exit(aksguard::cli::main());
}
