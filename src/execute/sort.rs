//! Sorting on both cores: each half of a list sorted on its own core, then the halves merged
//! in one pass. For a total order (no two items equal) the result is the one sort would give.

use std::cmp::Ordering;

/// Below this many items per core a list is sorted on one.
const PER_WORKER: usize = 100_000;

/// `items` sorted by `cmp`, which must be a total order, each item then turned into what
/// `out` makes of it and of the item before it. Uses two cores when `threads` allows and
/// the list is long enough.
pub fn sorted_by<T, U>(
    items: Vec<T>,
    threads: usize,
    cmp: impl Fn(&T, &T) -> Ordering + Sync,
    out: impl Fn(Option<&T>, &T) -> U,
) -> Vec<U>
where
    T: Send,
{
    sorted_from(items, threads, PER_WORKER, cmp, out)
}

fn sorted_from<T, U>(
    mut items: Vec<T>,
    threads: usize,
    per_worker: usize,
    cmp: impl Fn(&T, &T) -> Ordering + Sync,
    out: impl Fn(Option<&T>, &T) -> U,
) -> Vec<U>
where
    T: Send,
{
    if threads < 2 || items.len() < 2 * per_worker {
        items.sort_unstable_by(&cmp);
        let before = std::iter::once(None).chain(items.iter().map(Some));
        return before.zip(&items).map(|(b, item)| out(b, item)).collect();
    }
    let mid = items.len() / 2;
    let (left, right) = items.split_at_mut(mid);
    std::thread::scope(|scope| {
        let cmp = &cmp;
        let other = scope.spawn(move || right.sort_unstable_by(cmp));
        left.sort_unstable_by(cmp);
        other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    });
    merged(&items[..mid], &items[mid..], &cmp, out)
}

/// Two sorted lists as one sorted list.
fn merged<T, U>(
    left: &[T],
    right: &[T],
    cmp: impl Fn(&T, &T) -> Ordering,
    out: impl Fn(Option<&T>, &T) -> U,
) -> Vec<U> {
    let mut all = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (left.iter().peekable(), right.iter().peekable());
    let mut before = None;
    loop {
        let next = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) if cmp(a, b) == Ordering::Greater => r.next(),
            (Some(_), _) => l.next(),
            (None, _) => r.next(),
        };
        match next {
            Some(item) => {
                all.push(out(before, item));
                before = Some(item);
            }
            None => return all,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// On one core or two, the order is the one a plain sort gives.
        #[test]
        fn two_cores_sort_as_one_does(
            items in prop::collection::vec((0u8..6, any::<u16>()), 0..200),
            threads in 1usize..4,
        ) {
            let numbered: Vec<(u8, u16, usize)> = items
                .iter()
                .enumerate()
                .map(|(i, &(a, b))| (a, b, i))
                .collect();
            let mut sorted = numbered.clone();
            sorted.sort();
            let expected: Vec<_> = sorted
                .iter()
                .enumerate()
                .map(|(i, t)| (i.checked_sub(1).map(|b| sorted[b]), *t))
                .collect();
            let got = sorted_from(numbered, threads, 3, |a, b| a.cmp(b), |b, t| (b.copied(), *t));
            prop_assert_eq!(got, expected);
        }
    }
}
