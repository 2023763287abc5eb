//! The allocator the binary and the scan benchmark declare as `#[global_allocator]`.
//!
//! mimalloc rather than the C library's allocator: with glibc's, `malloc` and `free` were a
//! third of a scan's cycles (the front ends build many small values), and musl's, which the
//! static Linux release binaries link, is slower still.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, Ordering};

/// mimalloc, configured before its first allocation.
pub struct Allocator;

/// mimalloc's `mi_option_arena_eager_commit`: its position in `mi_option_e` in the `mimalloc.h`
/// of the pinned libmimalloc-sys (mimalloc v3), which exports no constant for it.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

static CONFIGURED: AtomicBool = AtomicBool::new(false);

/// Set before the first allocation reserves mimalloc's first arena: arenas committed eagerly
/// keep the pages a scan frees resident, which raised peak memory by 45% on Azure Verified
/// Modules. Options are read from the environment as the process loads, too early to set them
/// from `main`.
#[inline]
fn configure() {
    if !CONFIGURED.load(Ordering::Relaxed) {
        CONFIGURED.store(true, Ordering::Relaxed);
        // SAFETY: setting an option is a store into mimalloc's option table; it allocates nothing.
        unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) };
    }
}

// SAFETY: every call is passed on unchanged to mimalloc's own `GlobalAlloc`.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        configure();
        mimalloc::MiMalloc.alloc(layout)
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        configure();
        mimalloc::MiMalloc.alloc_zeroed(layout)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        mimalloc::MiMalloc.dealloc(ptr, layout)
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        mimalloc::MiMalloc.realloc(ptr, layout, new_size)
    }
}
