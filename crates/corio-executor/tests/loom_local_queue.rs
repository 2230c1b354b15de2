//! loom model of the stealable run queue in `src/local_queue.rs`: the owner
//! pushes and pops while one or two thieves steal half of the queue into
//! their own, a full ring overflows into the global queue while a thief is
//! copying, and a thief steals into a queue that is itself being robbed.
//! Every task must be taken exactly once (each one counts its drops, and
//! loom reports a task that is never dropped as a leak); loom's cells report
//! any slot that two threads touch without ordering.
//!
//! Under loom the ring holds four tasks (`CAPACITY`), so a handful of
//! pushes fills it. Run with `RUSTFLAGS="--cfg loom"` (see `.ci/loom`).

#![cfg(loom)]

#[allow(dead_code)]
#[path = "../src/local_queue.rs"]
mod local_queue;

use std::sync::Mutex;

use local_queue::{CAPACITY, LocalQueue};
use loom::alloc::Track;
use loom::sync::Arc;
use loom::thread;

/// How many times each task has been dropped. It lives outside loom (a
/// `std` lock, which loom's threads, run one at a time, never contend for)
/// so that counting adds no interleavings to explore.
#[derive(Clone)]
struct Ledger(std::sync::Arc<Mutex<Vec<usize>>>);

impl Ledger {
    fn new() -> Ledger {
        Ledger(std::sync::Arc::new(Mutex::new(Vec::new())))
    }

    /// A new task, numbered in creation order.
    fn task(&self) -> Task {
        let mut drops = self.0.lock().unwrap();
        drops.push(0);
        Task {
            id: drops.len() - 1,
            ledger: self.clone(),
            _alive: Track::new(()),
        }
    }

    /// Asserts that every task made so far was dropped exactly once.
    fn assert_each_taken_once(&self) {
        let drops = self.0.lock().unwrap();
        assert!(drops.iter().all(|&n| n == 1), "drops per task: {drops:?}");
    }
}

/// A queued task. Dropping it records that it was taken; loom reports one
/// that is never dropped (lost in a slot) as a leaked allocation.
struct Task {
    id: usize,
    ledger: Ledger,
    _alive: Track<()>,
}

impl Drop for Task {
    fn drop(&mut self) {
        self.ledger.0.lock().unwrap()[self.id] += 1;
    }
}

/// The owner's push. Tasks that overflow go to `injector`, which must
/// receive them oldest first.
fn push(queue: &LocalQueue<Task>, task: Task, injector: &mut Vec<Task>) {
    // SAFETY: the models call this only on the thread that owns `queue`.
    unsafe {
        queue.push_back(task, &mut |t| {
            if let Some(last) = injector.last() {
                assert!(last.id < t.id, "overflow out of order");
            }
            injector.push(t);
        })
    };
}

fn pop(queue: &LocalQueue<Task>) -> Option<Task> {
    // SAFETY: the models call this only on the thread that owns `queue`.
    unsafe { queue.pop() }
}

/// A thief's turn: `attempts` steals from `victim` into `own`, running
/// (dropping) the task each returns, then runs what landed in `own`.
fn rob(victim: &LocalQueue<Task>, own: &LocalQueue<Task>, attempts: usize) {
    for _ in 0..attempts {
        // SAFETY: the models call this only on the thread that owns `own`,
        // which is never `victim`.
        drop(unsafe { victim.steal_into(own) });
    }
    while let Some(task) = pop(own) {
        drop(task);
    }
}

/// A thief thread with a queue of its own.
fn spawn_thief(victim: &Arc<LocalQueue<Task>>, attempts: usize) -> thread::JoinHandle<()> {
    let victim = victim.clone();
    thread::spawn(move || rob(&victim, &LocalQueue::new(), attempts))
}

/// Runs `f` on fresh tasks under every interleaving and checks that every task, taken by
/// a thread, spilled to the injector or left in a queue when it is
/// dropped, ends up dropped exactly once.
fn model(f: impl Fn(&Ledger) + Sync + Send + 'static) {
    loom::model(move || {
        let ledger = Ledger::new();
        f(&ledger);
        ledger.assert_each_taken_once();
    });
}

#[test]
fn owner_pop_races_a_thief_for_the_last_task() {
    model(|ledger| {
        let queue = Arc::new(LocalQueue::new());
        let mut injector = Vec::new();
        push(&queue, ledger.task(), &mut injector);
        let thief = spawn_thief(&queue, 1);
        drop(pop(&queue));
        thief.join().unwrap();
        assert!(injector.is_empty());
        assert!(
            pop(&queue).is_none(),
            "the task was taken twice or not at all"
        );
    });
}

#[test]
fn owner_pushes_and_pops_while_a_thief_steals() {
    pushes_and_pops_while_a_thief_steals(0);
}

#[test]
fn positions_wrap_around() {
    pushes_and_pops_while_a_thief_steals(u32::MAX - 1);
}

fn pushes_and_pops_while_a_thief_steals(start: u32) {
    model(move |ledger| {
        let queue = Arc::new(LocalQueue::starting_at(start));
        let mut injector = Vec::new();
        push(&queue, ledger.task(), &mut injector);
        let thief = spawn_thief(&queue, 2);
        push(&queue, ledger.task(), &mut injector);
        drop(pop(&queue));
        push(&queue, ledger.task(), &mut injector);
        drop(pop(&queue));
        thief.join().unwrap();
        assert!(injector.is_empty());
        // What is left stays in the queue and is dropped with it.
    });
}

#[test]
fn two_thieves() {
    model(|ledger| {
        let queue = Arc::new(LocalQueue::new());
        let mut injector = Vec::new();
        for _ in 0..3 {
            push(&queue, ledger.task(), &mut injector);
        }
        // The first thief claims two tasks, so a second one must back off
        // until they are copied out: the owner's second push reuses the
        // first slot.
        let thieves = [spawn_thief(&queue, 1), spawn_thief(&queue, 1)];
        push(&queue, ledger.task(), &mut injector);
        push(&queue, ledger.task(), &mut injector);
        drop(pop(&queue));
        for thief in thieves {
            thief.join().unwrap();
        }
        // Five tasks in a ring of four: unless a thief got in first, the
        // last push overflowed.
        drop(injector);
    });
}

#[test]
fn a_full_ring_overflows_while_a_thief_copies() {
    model(|ledger| {
        let queue = Arc::new(LocalQueue::new());
        let mut injector = Vec::new();
        for _ in 0..CAPACITY {
            push(&queue, ledger.task(), &mut injector);
        }
        // The thief may still be copying (a push spills the one task), be
        // done (room again), or not have started (the push hands over the
        // older half, then the new task). A pop in between must not free
        // the slots the thief is still copying from.
        let thief = spawn_thief(&queue, 1);
        push(&queue, ledger.task(), &mut injector);
        drop(pop(&queue));
        push(&queue, ledger.task(), &mut injector);
        thief.join().unwrap();
        drop(injector);
    });
}

#[test]
fn stealing_into_a_queue_that_is_being_robbed() {
    model(|ledger| {
        let a = Arc::new(LocalQueue::new());
        let b = Arc::new(LocalQueue::new());
        let mut injector = Vec::new();
        for _ in 0..3 {
            push(&a, ledger.task(), &mut injector);
        }
        // `b` is full, so its owner may move no task into it (only take
        // one to run), even if `c` empties some of it meanwhile.
        for _ in 0..CAPACITY {
            push(&b, ledger.task(), &mut injector);
        }
        let c = spawn_thief(&b, 1);
        let b_owner = {
            let (a, b) = (a.clone(), b.clone());
            thread::spawn(move || rob(&a, &b, 1))
        };
        drop(pop(&a));
        b_owner.join().unwrap();
        c.join().unwrap();
        assert!(injector.is_empty());
    });
}
