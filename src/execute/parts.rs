//! Work split in parts, one core each: the first part on this thread, the others on threads
//! of their own, and the results in the parts' order (so the first error is the one a run on
//! one core meets first).

pub fn each<P: Sync, R: Send>(parts: &[P], work: impl Fn(&P) -> R + Sync) -> Vec<R> {
    each_owned(parts.iter().collect(), work)
}

/// As [`each`], with each part handed to its work to keep (and free as it goes).
pub fn each_owned<P: Send, R: Send>(parts: Vec<P>, work: impl Fn(P) -> R + Sync) -> Vec<R> {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Vec::new();
    };
    if parts.len() == 0 {
        return vec![work(first)];
    }
    let work = &work;
    std::thread::scope(|scope| {
        let others: Vec<_> = parts.map(|p| scope.spawn(move || work(p))).collect();
        let first = work(first);
        std::iter::once(first)
            .chain(others.into_iter().map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_in_the_parts_order() {
        assert_eq!(super::each(&[1, 2, 3, 4], |p| p * 10), [10, 20, 30, 40]);
        assert_eq!(super::each(&[7], |p| p + 1), [8]);
        assert!(super::each(&[] as &[u8], |p| *p).is_empty());
    }
}
