//! Which workers are asleep, and how to wake exactly one of them.
//!
//! Waking a parked thread costs tens of microseconds here, so the scheduler
//! wakes a sibling only when work lands where the sibling could take it and
//! no other worker is already searching for work (a searching worker will
//! find it). A worker that stops searching because it found work wakes the
//! next sleeper, so parallelism ramps up one worker at a time.
//!
//! The bookkeeping takes no lock: one bit per sleeping worker, and a count
//! of searchers.
//!
//! - A worker going to sleep sets its bit, then reads the count of searchers;
//!   if nobody is searching it looks at every queue once more before it
//!   sleeps ([`Idle::park`] returns true), since nobody else will.
//! - A thread that has just queued work (then a `SeqCst` fence) wakes a
//!   sleeper only if nobody is searching: it raises the count from 0 to 1 on
//!   the sleeper's behalf, then claims a bit by clearing it. Clearing the bit
//!   is the claim: of a notifier and the sleeper itself waking up on its own,
//!   exactly one clears it, and the sleeper learns which from
//!   [`Idle::unpark`].
//! - A notifier that raised the count but found no bit left to claim (the
//!   sleepers woke on their own) lowers it again; a worker may have gone to
//!   sleep meanwhile without looking at the queues, having seen the count
//!   raised, so the notifier looks for a sleeper again.
//!
//! Every sleeper publishes its bit before reading the count, and every
//! notifier publishes its work before reading the bits and the count, so
//! either the sleeper sees the work or the notifier sees the sleeper (the
//! model in `tests/loom_idle.rs` checks this).
//!
//! This file depends on nothing else in the crate: the loom model compiles
//! it on its own.

// The model is a test crate that includes this file; the library itself
// always uses `std`'s atomics.
#[cfg(all(loom, test))]
use loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(not(all(loom, test)))]
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering, fence};

const BITS: usize = 64;

#[derive(Debug)]
pub(crate) struct Idle {
    searching: AtomicUsize,
    /// Bit `i % 64` of word `i / 64`: worker `i` is asleep and nobody has
    /// claimed it yet.
    sleepers: Box<[AtomicU64]>,
}

fn bit(worker: usize) -> (usize, u64) {
    (worker / BITS, 1 << (worker % BITS))
}

impl Idle {
    pub(crate) fn new(workers: usize) -> Idle {
        Idle {
            searching: AtomicUsize::new(0),
            sleepers: (0..workers.div_ceil(BITS).max(1))
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }

    /// Picks a sleeping worker to wake, if waking one is worthwhile: some
    /// worker sleeps and none is searching. The caller unparks it; the
    /// chosen worker counts as searching.
    ///
    /// Call it after publishing the work the woken worker should find.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        fence(Ordering::SeqCst);
        self.worker_to_notify_after_fence()
    }

    /// [`worker_to_notify`](Self::worker_to_notify) for a caller that has
    /// issued the `SeqCst` fence itself, after publishing its work (the
    /// scheduler's remote path needs that fence for a check of its own).
    pub(crate) fn worker_to_notify_after_fence(&self) -> Option<usize> {
        loop {
            if self.searching.load(Ordering::SeqCst) != 0 || !self.any_asleep() {
                return None;
            }
            if self
                .searching
                .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                return None;
            }
            if let Some(worker) = self.claim_one() {
                return Some(worker);
            }
            // Everyone woke up on their own. Hand the search back; if it was
            // the only one, a worker that saw it may have gone to sleep
            // without looking at the queues, so look for sleepers again.
            if self.searching.fetch_sub(1, Ordering::SeqCst) != 1 {
                return None;
            }
            fence(Ordering::SeqCst);
        }
    }

    /// Clears one sleeper's bit; returns the worker whose bit it was.
    fn claim_one(&self) -> Option<usize> {
        for (index, word) in self.sleepers.iter().enumerate() {
            let mut bits = word.load(Ordering::SeqCst);
            while bits != 0 {
                let lowest = bits & bits.wrapping_neg();
                let before = word.fetch_and(!lowest, Ordering::SeqCst);
                if before & lowest != 0 {
                    return Some(index * BITS + lowest.trailing_zeros() as usize);
                }
                bits = before & !lowest;
            }
        }
        None
    }

    fn any_asleep(&self) -> bool {
        self.sleepers
            .iter()
            .any(|word| word.load(Ordering::SeqCst) != 0)
    }

    /// Whether every worker but `worker` is asleep (so there is nobody to
    /// steal from).
    pub(crate) fn all_asleep_but(&self, worker: usize, workers: usize) -> bool {
        let (own_word, own_bit) = bit(worker);
        self.sleepers.iter().enumerate().all(|(index, word)| {
            let first = index * BITS;
            let count = (workers - first).min(BITS);
            let mut all = if count == BITS {
                u64::MAX
            } else {
                (1 << count) - 1
            };
            if index == own_word {
                all &= !own_bit;
            }
            word.load(Ordering::Relaxed) & all == all
        })
    }

    /// Whether `worker` is marked asleep (a hint: it may be waking up).
    pub(crate) fn is_asleep(&self, worker: usize) -> bool {
        let (word, bit) = bit(worker);
        self.sleepers[word].load(Ordering::Relaxed) & bit != 0
    }

    /// Tries to become a searcher; limited to half the workers, so a burst
    /// of idleness does not turn into every worker hammering every queue.
    pub(crate) fn try_start_searching(&self, workers: usize) -> bool {
        let searching = self.searching.load(Ordering::SeqCst);
        if 2 * searching >= workers.max(2) {
            return false;
        }
        self.searching.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// A searcher found work; returns true if it was the last one searching
    /// (then the caller should wake another worker to keep looking).
    pub(crate) fn stop_searching(&self) -> bool {
        self.searching.fetch_sub(1, Ordering::SeqCst) == 1
    }

    /// Records `worker` as asleep (and no longer searching, if it was).
    /// Returns true if nobody is searching any more: then the caller must
    /// look at the queues once more before it sleeps, and wake someone (or
    /// itself) for what it finds.
    pub(crate) fn park(&self, worker: usize, searching: bool) -> bool {
        let (word, bit) = bit(worker);
        self.sleepers[word].fetch_or(bit, Ordering::SeqCst);
        if searching {
            self.searching.fetch_sub(1, Ordering::SeqCst);
        }
        // Pairs with the notifiers' fence: the caller's look at the queues
        // comes after this, in the one order all `SeqCst` operations share.
        fence(Ordering::SeqCst);
        self.searching.load(Ordering::SeqCst) == 0
    }

    /// After waking: returns true if a notifier claimed this worker (it is
    /// then a searcher), false if it woke for another reason (its bit is
    /// cleared here).
    pub(crate) fn unpark(&self, worker: usize) -> bool {
        let (word, bit) = bit(worker);
        let word = &self.sleepers[word];
        // A notifier that claimed us cleared the bit already: no write then.
        word.load(Ordering::SeqCst) & bit == 0 || word.fetch_and(!bit, Ordering::SeqCst) & bit == 0
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_notifier_claims_each_sleeper_once() {
        let idle = Idle::new(3);
        assert_eq!(idle.worker_to_notify(), None, "nobody sleeps");
        assert!(idle.park(1, false), "nobody searches: look again");
        assert!(idle.park(2, false));
        assert!(idle.all_asleep_but(0, 3));
        assert!(!idle.all_asleep_but(1, 3));
        let first = idle.worker_to_notify().expect("a sleeper");
        assert!(first == 1 || first == 2);
        assert_eq!(idle.worker_to_notify(), None, "the woken one searches");
        assert!(idle.unpark(first), "claimed: a searcher");
        assert!(!idle.is_asleep(first));
        let other = 3 - first;
        assert!(idle.is_asleep(other));
        assert!(!idle.unpark(other), "woke on its own");
        assert!(!idle.is_asleep(other));
        assert!(idle.stop_searching(), "the last searcher");
        assert_eq!(idle.worker_to_notify(), None, "nobody sleeps");
    }

    #[test]
    fn searchers_are_capped_at_half_and_a_searcher_parking_gives_its_search_back() {
        let idle = Idle::new(4);
        assert!(idle.try_start_searching(4));
        assert!(idle.try_start_searching(4));
        assert!(!idle.try_start_searching(4));
        assert!(!idle.park(0, true), "one searcher left");
        assert!(idle.park(1, true), "the last searcher looks again");
        assert_eq!(idle.worker_to_notify(), Some(0));
        assert!(idle.unpark(0));
    }

    #[test]
    fn more_workers_than_bits_in_a_word() {
        let workers = 130;
        let idle = Idle::new(workers);
        for w in (0..workers).filter(|&w| w != 129) {
            idle.park(w, false);
        }
        assert!(idle.all_asleep_but(129, workers));
        assert!(!idle.all_asleep_but(64, workers));
        let mut woken: Vec<usize> = std::iter::from_fn(|| {
            let w = idle.worker_to_notify()?;
            assert!(idle.unpark(w));
            assert!(idle.stop_searching());
            Some(w)
        })
        .collect();
        woken.sort_unstable();
        assert_eq!(woken, (0..129).collect::<Vec<_>>());
    }
}
