//! The waiter slots of the primitives: a vector whose vacated entries are
//! reused, so a wait allocates nothing once it has grown.

use std::ops::{Index, IndexMut};

/// Values at stable indices; each index belongs to whoever inserted it
/// until it is removed.
pub(crate) struct Slab<T> {
    entries: Vec<Option<T>>,
    vacant: Vec<usize>,
}

impl<T> Slab<T> {
    pub(crate) fn new() -> Self {
        Self {
            entries: Vec::new(),
            vacant: Vec::new(),
        }
    }

    /// Stores `value`; returns its index.
    #[inline]
    pub(crate) fn insert(&mut self, value: T) -> usize {
        match self.vacant.pop() {
            Some(index) => {
                self.entries[index] = Some(value);
                index
            }
            None => {
                self.entries.push(Some(value));
                self.entries.len() - 1
            }
        }
    }

    /// Takes the value at `index` out and frees the index.
    ///
    /// # Panics
    ///
    /// If `index` holds nothing: its owner removed it already.
    #[inline]
    pub(crate) fn remove(&mut self, index: usize) -> T {
        let value = self.entries[index].take().expect(VACANT);
        self.vacant.push(index);
        value
    }

    /// The values stored now.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.entries.iter_mut().flatten()
    }
}

const VACANT: &str = "a waiter's slot is taken until the waiter gives it back";

impl<T> Index<usize> for Slab<T> {
    type Output = T;

    #[inline]
    fn index(&self, index: usize) -> &T {
        self.entries[index].as_ref().expect(VACANT)
    }
}

impl<T> IndexMut<usize> for Slab<T> {
    #[inline]
    fn index_mut(&mut self, index: usize) -> &mut T {
        self.entries[index].as_mut().expect(VACANT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_indices_are_reused_and_others_stay_put() {
        let mut slab = Slab::new();
        let (a, b, c) = (slab.insert('a'), slab.insert('b'), slab.insert('c'));
        assert_eq!(slab.remove(b), 'b');
        let d = slab.insert('d');
        assert_eq!(d, b, "the vacated index is reused");
        assert_eq!((slab[a], slab[c], slab[d]), ('a', 'c', 'd'));
        slab[c] = 'C';
        let mut all: Vec<char> = slab.values_mut().map(|v| *v).collect();
        all.sort_unstable();
        assert_eq!(all, ['C', 'a', 'd']);
    }

    #[test]
    #[should_panic(expected = "a waiter's slot")]
    fn a_vacant_index_is_a_bug() {
        let mut slab = Slab::new();
        let a = slab.insert(1);
        slab.remove(a);
        slab.remove(a);
    }
}
