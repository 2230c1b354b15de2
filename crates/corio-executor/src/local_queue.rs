//! A worker's stealable run queue: a fixed ring that only its owner pushes
//! to and pops from the front of, while other workers steal half of it.
//!
//! The owner's push is a plain slot write plus one release store of `tail`
//! (no read-modify-write), and its pop is one compare-exchange, which is
//! what makes `yield_now` and wake-ups cheap on the hot path.
//!
//! `head` packs two positions: `real`, the next task to hand out, and
//! `steal`, which lags behind `real` while a thief is copying a claimed
//! range out. A thief claims `[real, real + n)` by advancing `real` only,
//! copies the tasks, then catches `steal` up; meanwhile the owner measures
//! free space from `steal`, so it never overwrites slots still being
//! copied. Only one thief at a time may work on a queue (a second one sees
//! `steal != real` and backs off).
//!
//! This file depends on nothing else in the crate: the loom model in
//! `tests/loom_local_queue.rs` compiles it on its own, with loom's atomics
//! and cells and a ring of four slots so that overflow is reachable.
//!
//! # Invariants
//!
//! - Slots in `[steal, tail)` (positions taken modulo the capacity) hold
//!   initialised runnables; all other slots are logically empty.
//! - Only the owner writes `tail` and the slots at or after it.
//! - A slot in `[steal, real)` belongs to the thief that claimed it, which
//!   moves it out before advancing `steal` past it.
//! - `tail - steal <= CAPACITY` at all times.

// The model is a test crate that includes this file; the library itself
// always uses `std`'s atomics and cells.
#[cfg(not(all(loom, test)))]
use cell::UnsafeCell;
#[cfg(all(loom, test))]
use loom::cell::UnsafeCell;
#[cfg(all(loom, test))]
use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::mem::MaybeUninit;
#[cfg(not(all(loom, test)))]
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

#[cfg(not(all(loom, test)))]
pub(crate) const CAPACITY: u32 = 256;
#[cfg(all(loom, test))]
pub(crate) const CAPACITY: u32 = 4;
const MASK: u32 = CAPACITY - 1;

fn pack(steal: u32, real: u32) -> u64 {
    (u64::from(steal) << 32) | u64::from(real)
}

fn unpack(head: u64) -> (u32, u32) {
    ((head >> 32) as u32, head as u32)
}

pub(crate) struct LocalQueue<T> {
    head: AtomicU64,
    tail: AtomicU32,
    slots: Box<[UnsafeCell<MaybeUninit<T>>]>,
}

// SAFETY: the slots are only accessed under the protocol described in the
// module invariants, which hands each initialised slot to exactly one
// thread; moving a `T` between threads needs `T: Send`.
unsafe impl<T: Send> Send for LocalQueue<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for LocalQueue<T> {}

impl<T> std::fmt::Debug for LocalQueue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalQueue")
            .field("len", &self.len())
            .finish()
    }
}

impl<T> LocalQueue<T> {
    pub(crate) fn new() -> LocalQueue<T> {
        LocalQueue::starting_at(0)
    }

    /// An empty queue whose positions start at `pos`; the loom model starts
    /// one just short of `u32::MAX` to check that the positions wrap.
    pub(crate) fn starting_at(pos: u32) -> LocalQueue<T> {
        LocalQueue {
            head: AtomicU64::new(pack(pos, pos)),
            tail: AtomicU32::new(pos),
            slots: (0..CAPACITY)
                .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
                .collect(),
        }
    }

    fn slot(&self, pos: u32) -> &UnsafeCell<MaybeUninit<T>> {
        &self.slots[(pos & MASK) as usize]
    }

    /// Moves the task out of the slot at `pos`, leaving it logically empty.
    ///
    /// # Safety
    ///
    /// The slot must be initialised and the caller the one thread the
    /// invariants hand it to.
    unsafe fn take(&self, pos: u32) -> MaybeUninit<T> {
        // SAFETY: the caller has the slot to itself (see above), so nothing
        // writes it meanwhile.
        self.slot(pos).with(|slot| unsafe { slot.read() })
    }

    /// Fills the slot at `pos`.
    ///
    /// # Safety
    ///
    /// The slot must be logically empty and the caller the queue's owner.
    unsafe fn put(&self, pos: u32, task: MaybeUninit<T>) {
        // SAFETY: an empty slot is only touched by the owner, the caller.
        self.slot(pos).with_mut(|slot| unsafe { slot.write(task) });
    }

    /// Number of queued tasks (a snapshot).
    pub(crate) fn len(&self) -> usize {
        let (_, real) = unpack(self.head.load(Ordering::Acquire));
        let tail = self.tail.load(Ordering::Acquire);
        tail.wrapping_sub(real) as usize
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Owner only: appends a task. When the ring is full, `overflow`
    /// receives half of the queued tasks (oldest first) and then this one,
    /// to move them to the global queue.
    ///
    /// # Safety
    ///
    /// Must only be called by the queue's owner thread.
    pub(crate) unsafe fn push_back(&self, runnable: T, overflow: &mut dyn FnMut(T)) {
        loop {
            let head = self.head.load(Ordering::Acquire);
            let (steal, real) = unpack(head);
            // Only the owner writes `tail`.
            let tail = self.tail.load(Ordering::Relaxed);
            if tail.wrapping_sub(steal) < CAPACITY {
                // SAFETY: `tail - steal < CAPACITY`, so the slot at `tail`
                // is outside `[steal, tail)`: empty, and only the owner
                // writes it.
                unsafe { self.put(tail, MaybeUninit::new(runnable)) };
                self.tail.store(tail.wrapping_add(1), Ordering::Release);
                return;
            }
            if steal != real {
                // A thief is copying out and the ring frees up as soon as
                // it is done; rather than wait, send this task to the
                // global queue.
                overflow(runnable);
                return;
            }
            // Claim the older half, as a thief would, and hand it over.
            let half = CAPACITY / 2;
            let next = pack(real.wrapping_add(half), real.wrapping_add(half));
            if self
                .head
                .compare_exchange(head, next, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                for i in 0..half {
                    // SAFETY: the exchange made `[real, real + half)` ours:
                    // initialised slots nobody else reads any more.
                    overflow(unsafe { self.take(real.wrapping_add(i)).assume_init() });
                }
                overflow(runnable);
                return;
            }
            // A thief got in first: look again.
        }
    }

    /// Owner only: takes the oldest task.
    ///
    /// # Safety
    ///
    /// Must only be called by the queue's owner thread.
    pub(crate) unsafe fn pop(&self) -> Option<T> {
        let mut head = self.head.load(Ordering::Acquire);
        loop {
            let (steal, real) = unpack(head);
            let tail = self.tail.load(Ordering::Relaxed);
            if real == tail {
                return None;
            }
            let next_real = real.wrapping_add(1);
            let next = if steal == real {
                pack(next_real, next_real)
            } else {
                pack(steal, next_real)
            };
            match self
                .head
                .compare_exchange_weak(head, next, Ordering::AcqRel, Ordering::Acquire)
            {
                // SAFETY: the exchange made slot `real` ours; it is in
                // `[steal, tail)`, so initialised.
                Ok(_) => return Some(unsafe { self.take(real).assume_init() }),
                Err(actual) => head = actual,
            }
        }
    }

    /// Steals half of this queue into `dst` (the calling worker's own
    /// queue), returning one of the stolen tasks to run now.
    ///
    /// # Safety
    ///
    /// Must be called by the owner of `dst`, and `dst` must not be `self`.
    pub(crate) unsafe fn steal_into(&self, dst: &LocalQueue<T>) -> Option<T> {
        let dst_tail = dst.tail.load(Ordering::Relaxed);
        let (dst_steal, _) = unpack(dst.head.load(Ordering::Acquire));
        // Thieves of `dst` can only make more room while we work.
        let room = CAPACITY - dst_tail.wrapping_sub(dst_steal);
        let mut head = self.head.load(Ordering::Acquire);
        let (real, n) = loop {
            let (steal, real) = unpack(head);
            if steal != real {
                // Another thief is at work here.
                return None;
            }
            let tail = self.tail.load(Ordering::Acquire);
            let available = tail.wrapping_sub(real);
            let n = (available - available / 2).min(room + 1).min(CAPACITY / 2);
            if n == 0 {
                return None;
            }
            let next = pack(steal, real.wrapping_add(n));
            match self
                .head
                .compare_exchange_weak(head, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => break (real, n),
                Err(actual) => head = actual,
            }
        };
        // Move all but the last claimed task into `dst`.
        for i in 0..n - 1 {
            // SAFETY: `[real, real + n)` was claimed above: initialised and
            // ours to move. The destination slots lie beyond `dst`'s tail
            // and within its free room (`n - 1 <= room`), and we own `dst`.
            unsafe {
                let task = self.take(real.wrapping_add(i));
                dst.put(dst_tail.wrapping_add(i), task);
            }
        }
        // SAFETY: as above; the last claimed slot.
        let last = unsafe { self.take(real.wrapping_add(n - 1)).assume_init() };
        // Release the claim: `steal` catches up with `real` (which the owner
        // may have advanced meanwhile).
        let mut head = self.head.load(Ordering::Acquire);
        loop {
            let (_, current) = unpack(head);
            match self.head.compare_exchange_weak(
                head,
                pack(current, current),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => head = actual,
            }
        }
        dst.tail
            .store(dst_tail.wrapping_add(n - 1), Ordering::Release);
        Some(last)
    }
}

impl<T> Drop for LocalQueue<T> {
    fn drop(&mut self) {
        // The owner is gone; drain what is left so every task is dropped.
        // SAFETY: `&mut self`: no other thread can touch the queue.
        while let Some(task) = unsafe { self.pop() } {
            drop(task);
        }
    }
}

/// `std`'s `UnsafeCell` behind loom's closure API, so that one body of
/// code runs on both (loom's cell checks each access against the others).
#[cfg(not(all(loom, test)))]
mod cell {
    #[derive(Debug)]
    pub(super) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(super) fn new(value: T) -> UnsafeCell<T> {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        pub(super) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        pub(super) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn fifo_for_the_owner() {
        let q = LocalQueue::new();
        let mut spilled = Vec::new();
        for i in 0..10 {
            // SAFETY: this thread is the only user.
            unsafe { q.push_back(i, &mut |t| spilled.push(t)) };
        }
        assert!(spilled.is_empty());
        assert_eq!(q.len(), 10);
        // SAFETY: as above.
        let popped: Vec<_> = std::iter::from_fn(|| unsafe { q.pop() }).collect();
        assert_eq!(popped, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn overflow_hands_over_the_older_half_then_the_new_task() {
        let q = LocalQueue::new();
        let mut spilled = Vec::new();
        for i in 0..CAPACITY + 1 {
            // SAFETY: single-threaded test.
            unsafe { q.push_back(i, &mut |t| spilled.push(t)) };
        }
        let half = CAPACITY / 2;
        let mut expected: Vec<u32> = (0..half).collect();
        expected.push(CAPACITY);
        assert_eq!(spilled, expected);
        assert_eq!(q.len(), (CAPACITY - half) as usize);
        // SAFETY: single-threaded test.
        assert_eq!(unsafe { q.pop() }, Some(half));
    }

    #[test]
    fn steal_takes_half() {
        let a = LocalQueue::new();
        let b = LocalQueue::new();
        for i in 0..10 {
            // SAFETY: single-threaded test; the thread owns both queues.
            unsafe { a.push_back(i, &mut |_| unreachable!()) };
        }
        // SAFETY: as above.
        let first = unsafe { a.steal_into(&b) };
        assert_eq!(first, Some(4));
        assert_eq!(a.len(), 5);
        assert_eq!(b.len(), 4);
        // SAFETY: as above.
        assert_eq!(unsafe { b.pop() }, Some(0));
        // SAFETY: as above.
        assert_eq!(unsafe { a.pop() }, Some(5));
    }

    struct Counted(Arc<AtomicUsize>, usize);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn concurrent_stealing_loses_and_duplicates_nothing() {
        const TASKS: usize = 200_000;
        let owner_q = Arc::new(LocalQueue::<Counted>::new());
        let drops = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new((0..TASKS).map(|_| AtomicUsize::new(0)).collect::<Vec<_>>());
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thieves: Vec<_> = (0..2)
            .map(|_| {
                let (q, seen, done) = (owner_q.clone(), seen.clone(), done.clone());
                std::thread::spawn(move || {
                    let mine = LocalQueue::<Counted>::new();
                    while !done.load(Ordering::SeqCst) {
                        // SAFETY: this thread owns `mine`, and `mine` is not `q`.
                        if let Some(t) = unsafe { q.steal_into(&mine) } {
                            seen[t.1].fetch_add(1, Ordering::SeqCst);
                        }
                        // SAFETY: this thread owns `mine`.
                        while let Some(t) = unsafe { mine.pop() } {
                            seen[t.1].fetch_add(1, Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        let mut spilled = Vec::new();
        for i in 0..TASKS {
            let task = Counted(drops.clone(), i);
            // SAFETY: this thread owns `owner_q`.
            unsafe { owner_q.push_back(task, &mut |t| spilled.push(t)) };
            if i % 3 == 0 {
                // SAFETY: as above.
                if let Some(t) = unsafe { owner_q.pop() } {
                    seen[t.1].fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        // SAFETY: as above.
        while let Some(t) = unsafe { owner_q.pop() } {
            seen[t.1].fetch_add(1, Ordering::SeqCst);
        }
        done.store(true, Ordering::SeqCst);
        for t in thieves {
            t.join().unwrap();
        }
        for t in spilled.drain(..) {
            seen[t.1].fetch_add(1, Ordering::SeqCst);
        }
        assert!(seen.iter().all(|n| n.load(Ordering::SeqCst) == 1));
        assert_eq!(drops.load(Ordering::SeqCst), TASKS);
    }
}
