fn main() {
    std::process::exit(aksguard::cli::main());
}
