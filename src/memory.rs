//! Giving freed memory back to the system between the stages of a build.
//!
//! The system allocator keeps what a stage frees for later allocations, but
//! memory freed by the rendering threads is often not reused by the next
//! stage (other threads' arenas, other sizes), so the next stage's memory
//! comes on top and the peak is the sum of both. Giving the free memory
//! back after a stage's state is dropped keeps the peak to the larger one.

/// Returns the allocator's free memory to the system (glibc's
/// `malloc_trim`); does nothing elsewhere.
pub(crate) fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases memory that is free; it takes no
    // pointer and is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
