//! The process's memory: fresh output buffers mapped ahead of their writes, freed heap
//! handed back. Both are requests to Linux with glibc; elsewhere they do nothing, and
//! nothing depends on them but speed and resident size.

use rayon::prelude::*;

/// Bytes asked to be mapped per call of [`populate`] (calls run in parallel).
const CHUNK: usize = 8 << 20;

/// Maps the pages of a freshly allocated `buf` before it is written: one
/// `madvise(MADV_POPULATE_WRITE)` per 8 MiB, in parallel, where first writes would each
/// fault in one 4 KiB page (an evaluation of Alpha158 into member rows writes 0.38 GB:
/// 93,000 faults, a fifth of its CPU time in the kernel on the machines measured). Values
/// are untouched. On kernels before 5.14 (the call fails) and off Linux, nothing happens
/// and the pages fault in as they are written.
pub fn populate<T: Send>(buf: &mut [T]) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let per = (CHUNK / size_of::<T>().max(1)).max(1);
        buf.par_chunks_mut(per).for_each(|c| {
            // Whole pages inside the chunk only: neighbours' pages are left to them.
            let (p, n) = (c.as_mut_ptr() as usize, size_of_val(c));
            let (a, b) = ((p + 4095) & !4095, (p + n) & !4095);
            if b > a {
                // SAFETY: [a, b) lies inside `c`, memory this thread holds exclusively;
                // MADV_POPULATE_WRITE maps its pages writable and changes no byte of it. An
                // error (an older kernel) leaves the pages to fault in on first write.
                unsafe {
                    libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_POPULATE_WRITE);
                }
            }
        });
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = buf;
}

/// Hands freed heap memory back to the system. glibc keeps freed blocks of a few MB (one
/// factor's `[date, stock]` matrix, once its mmap threshold has adapted to them) in its
/// heaps; a sweep over Alpha360 held 10.8 GB of such freed heap for its whole life, beside
/// a 1.8 GB data set.
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns pages of free chunks of glibc's own heaps; it
    // touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    /// Populating keeps every value (zeroed and written buffers alike, odd lengths, a
    /// buffer shorter than a page).
    #[test]
    fn populating_changes_no_value() {
        for n in [0, 3, 1000, (super::CHUNK / 4) * 3 + 17] {
            let mut zero = vec![0.0f32; n];
            super::populate(&mut zero);
            assert!(zero.iter().all(|v| *v == 0.0));
            let mut written: Vec<u64> = (0..n as u64).collect();
            super::populate(&mut written);
            assert!(written.iter().enumerate().all(|(i, v)| *v == i as u64));
        }
    }
}
