//! The pending timers of one reactor: a binary min-heap of deadlines over a
//! slot table that holds each timer's waker.
//!
//! Insert, reschedule and fire cost O(log n); cancel is O(1): it frees the
//! slot and leaves the heap entry behind as a tombstone, recognised later by
//! its stale generation. When tombstones outnumber live entries the heap is
//! rebuilt, and the slot table loses the free slots past its last live one
//! (all of them when no timer is left), so memory stays proportional to the
//! live timers, and a burst of timers gives its memory back once it has
//! fired or been cancelled. Deadlines are
//! kept as nanoseconds since the reactor's epoch, and equal deadlines fire in
//! the order they were inserted.

use std::task::Waker;

/// Identifies one registration in a [`TimerQueue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerKey {
    slot: u32,
    generation: u32,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    when: u64,
    seq: u64,
    slot: u32,
    generation: u32,
}

impl Entry {
    fn before(&self, other: &Entry) -> bool {
        (self.when, self.seq) < (other.when, other.seq)
    }
}

#[derive(Debug)]
struct Slot {
    generation: u32,
    waker: Option<Waker>,
}

/// Timers ordered by deadline.
#[derive(Debug, Default)]
pub(crate) struct TimerQueue {
    heap: Vec<Entry>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    seq: u64,
    /// The generation a newly made slot starts at: above that of every slot
    /// dropped from the table, so a key to a dropped slot never matches the
    /// slot made again at its index.
    fresh: u32,
    /// Timers fired since the table was last trimmed.
    fired: usize,
}

/// A table of no more slots than this keeps them when it empties.
const KEEP_SLOTS: usize = 64;

impl TimerQueue {
    /// Registers a timer firing at `when` that wakes `waker`.
    pub(crate) fn insert(&mut self, when: u64, waker: Waker) -> TimerKey {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize].waker = Some(waker);
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).expect("more than 4 billion timers");
                self.slots.push(Slot {
                    generation: self.fresh,
                    waker: Some(waker),
                });
                slot
            }
        };
        let generation = self.slots[slot as usize].generation;
        self.live += 1;
        self.push(Entry {
            when,
            seq: self.seq,
            slot,
            generation,
        });
        self.seq += 1;
        TimerKey { slot, generation }
    }

    /// Replaces the waker of a live timer; returns false if it already fired
    /// or was removed.
    pub(crate) fn set_waker(&mut self, key: TimerKey, waker: &Waker) -> bool {
        match self.slot_mut(key) {
            Some(slot) => {
                match &mut slot.waker {
                    Some(w) if w.will_wake(waker) => {}
                    w => *w = Some(waker.clone()),
                }
                true
            }
            None => false,
        }
    }

    /// Removes a timer; returns false if it already fired or was removed.
    pub(crate) fn remove(&mut self, key: TimerKey) -> bool {
        match self.slot_mut(key) {
            Some(slot) => {
                slot.generation = slot.generation.wrapping_add(1);
                slot.waker = None;
                self.free.push(key.slot);
                self.live -= 1;
                if self.live == 0 {
                    self.heap.clear();
                    self.trim();
                } else if self.heap.len() > 64 && self.heap.len() > 2 * self.live {
                    self.compact();
                }
                true
            }
            None => false,
        }
    }

    /// The earliest live deadline, dropping tombstones found on the way.
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        while let Some(top) = self.heap.first() {
            if self.is_live(top) {
                return Some(top.when);
            }
            self.pop();
        }
        None
    }

    /// Moves the wakers of every timer due at or before `now` into `out`.
    pub(crate) fn fire(&mut self, now: u64, out: &mut Vec<Waker>) {
        while let Some(top) = self.heap.first().copied() {
            if top.when > now {
                if self.is_live(&top) {
                    break;
                }
                self.pop();
                continue;
            }
            self.pop();
            if self.is_live(&top) {
                let slot = &mut self.slots[top.slot as usize];
                slot.generation = slot.generation.wrapping_add(1);
                if let Some(waker) = slot.waker.take() {
                    out.push(waker);
                }
                self.free.push(top.slot);
                self.live -= 1;
                self.fired += 1;
            }
        }
        if self.live == 0 {
            // What is left in the heap are tombstones.
            self.heap.clear();
            self.trim();
        } else if self.fired > 64 && self.fired > self.live {
            // More slots have come free than there are timers left: worth a
            // look for a tail of free slots (paid for by those fires).
            self.compact();
        }
    }

    /// Number of live timers.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    fn slot_mut(&mut self, key: TimerKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.slot as usize)
            .filter(|s| s.generation == key.generation)
    }

    fn is_live(&self, entry: &Entry) -> bool {
        self.slots[entry.slot as usize].generation == entry.generation
    }

    fn compact(&mut self) {
        let slots = &self.slots;
        self.heap
            .retain(|e| slots[e.slot as usize].generation == e.generation);
        // Floyd's construction: sift down every inner node, O(n) in total.
        for i in (0..self.heap.len() / 2).rev() {
            self.sift_down(i);
        }
        self.trim();
    }

    /// Drops the free slots past the last live one, and the memory the
    /// table and the heap no longer need. The heap must hold no tombstone
    /// (an entry may name only a live slot). Each slot dropped was made
    /// by an insert, so the work is paid for once.
    fn trim(&mut self) {
        self.fired = 0;
        let used = self
            .slots
            .iter()
            .rposition(|s| s.waker.is_some())
            .map_or(0, |last| last + 1);
        if used < self.slots.len() {
            for slot in &self.slots[used..] {
                // A free slot's generation was never handed out.
                if slot.generation.wrapping_sub(self.fresh) < u32::MAX / 2 {
                    self.fresh = slot.generation;
                }
            }
            self.slots.truncate(used);
            self.free.retain(|&slot| (slot as usize) < used);
        }
        if self.slots.capacity() > KEEP_SLOTS.max(2 * self.slots.len()) {
            self.slots.shrink_to(KEEP_SLOTS.max(self.slots.len()));
            self.free.shrink_to(KEEP_SLOTS.max(self.free.len()));
        }
        if self.heap.capacity() > KEEP_SLOTS.max(2 * self.heap.len()) {
            self.heap.shrink_to(KEEP_SLOTS.max(self.heap.len()));
        }
    }

    fn push(&mut self, entry: Entry) {
        self.heap.push(entry);
        let mut i = self.heap.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if !self.heap[i].before(&self.heap[parent]) {
                break;
            }
            self.heap.swap(i, parent);
            i = parent;
        }
    }

    fn pop(&mut self) {
        let last = self.heap.len() - 1;
        self.heap.swap(0, last);
        self.heap.pop();
        if !self.heap.is_empty() {
            self.sift_down(0);
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        let len = self.heap.len();
        loop {
            let left = 2 * i + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right].before(&self.heap[left]) {
                right
            } else {
                left
            };
            if !self.heap[child].before(&self.heap[i]) {
                break;
            }
            self.heap.swap(i, child);
            i = child;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct Flag(AtomicUsize);
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Flag>, Waker) {
        let flag = Arc::new(Flag(AtomicUsize::new(0)));
        (flag.clone(), Waker::from(flag))
    }

    #[test]
    fn fires_in_deadline_then_insertion_order() {
        let mut q = TimerQueue::default();
        let flags: Vec<_> = (0..5).map(|_| waker()).collect();
        for (i, when) in [30u64, 10, 20, 10, 40].into_iter().enumerate() {
            q.insert(when, flags[i].1.clone());
        }
        let mut out = Vec::new();
        q.fire(25, &mut out);
        assert_eq!(out.len(), 3);
        assert!(out[0].will_wake(&flags[1].1));
        assert!(out[1].will_wake(&flags[3].1));
        assert!(out[2].will_wake(&flags[2].1));
        assert_eq!(q.next_deadline(), Some(30));
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn removed_timers_never_fire_and_keys_go_stale() {
        let mut q = TimerQueue::default();
        let (_, w) = waker();
        let a = q.insert(5, w.clone());
        let b = q.insert(6, w.clone());
        assert!(q.remove(a));
        assert!(!q.remove(a), "a second removal is a no-op");
        let c = q.insert(7, w.clone());
        assert_ne!(a, c, "a reused slot gets a new generation");
        let mut out = Vec::new();
        q.fire(100, &mut out);
        assert_eq!(out.len(), 2);
        assert!(!q.remove(b), "a fired timer cannot be removed");
        assert!(!q.set_waker(c, &w));
        assert_eq!(q.next_deadline(), None);
    }

    #[test]
    fn compaction_keeps_order_and_bounds_memory() {
        let mut q = TimerQueue::default();
        let (_, w) = waker();
        let keys: Vec<_> = (0..10_000u64)
            .map(|i| q.insert((i * 7919) % 10_007, w.clone()))
            .collect();
        for key in keys.iter().step_by(3).chain(keys.iter().skip(1).step_by(3)) {
            assert!(q.remove(*key));
        }
        assert!(q.heap.len() <= 2 * q.len() + 64);
        let mut fired = Vec::new();
        let mut last = 0;
        while let Some(next) = q.next_deadline() {
            assert!(next >= last);
            last = next;
            q.fire(next, &mut fired);
        }
        assert_eq!(fired.len(), 10_000 - 2 * 3_334 + 1);
    }

    #[test]
    fn a_burst_gives_its_memory_back_and_its_keys_stay_stale() {
        let mut q = TimerQueue::default();
        let (_, w) = waker();
        let long = q.insert(u64::MAX, w.clone());
        let keys: Vec<_> = (0..10_000u64).map(|i| q.insert(i, w.clone())).collect();
        for key in keys.iter().step_by(2) {
            assert!(q.remove(*key));
        }
        let mut out = Vec::new();
        q.fire(20_000, &mut out);
        assert_eq!(out.len(), 5_000);
        assert_eq!(q.len(), 1);
        // The burst's slots are gone; the long timer's stays.
        assert!(q.slots.capacity() <= KEEP_SLOTS, "{}", q.slots.capacity());
        assert!(q.heap.capacity() <= KEEP_SLOTS, "{}", q.heap.capacity());
        // Keys of the burst name slots made again: they never match.
        let again: Vec<_> = (0..10_000u64).map(|i| q.insert(i, w.clone())).collect();
        for key in &keys {
            assert!(!q.remove(*key), "a stale key removed a new timer");
            assert!(!q.set_waker(*key, &w));
        }
        assert_eq!(q.len(), 10_001);
        for key in &again {
            assert!(q.remove(*key));
        }
        assert!(q.remove(long));
        assert_eq!(q.len(), 0);
        assert!(q.slots.is_empty() && q.heap.is_empty());
    }

    #[test]
    fn a_million_timers_insert_and_cancel() {
        let mut q = TimerQueue::default();
        let (_, w) = waker();
        let keys: Vec<_> = (0..1_000_000u64)
            .map(|i| q.insert(i ^ 0x5555, w.clone()))
            .collect();
        for key in &keys {
            assert!(q.remove(*key));
        }
        assert_eq!(q.len(), 0);
        assert_eq!(q.next_deadline(), None);
    }
}
