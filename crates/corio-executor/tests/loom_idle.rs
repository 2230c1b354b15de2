//! loom model of the sleep/wake protocol in `src/idle.rs`: workers that
//! search, park and wake one another the way the scheduler does, against
//! work pushed from outside, from inside a running task, and wake-ups that
//! come from elsewhere (an I/O event). A lost wake-up leaves work queued
//! with every worker asleep; loom reports that as a deadlock.
//!
//! Run with `RUSTFLAGS="--cfg loom"` (see `.ci/loom`).

#![cfg(loom)]

#[allow(dead_code)]
#[path = "../src/idle.rs"]
mod idle;

use idle::Idle;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;

/// A worker's park token: `unpark` before `park` makes `park` return at once.
#[derive(Default)]
struct Parker {
    notified: Mutex<bool>,
    wake: Condvar,
}

impl Parker {
    fn park(&self) {
        let mut notified = self.notified.lock().unwrap();
        while !*notified {
            notified = self.wake.wait(notified).unwrap();
        }
        *notified = false;
    }

    fn unpark(&self) {
        *self.notified.lock().unwrap() = true;
        self.wake.notify_one();
    }
}

/// The scheduler reduced to what the protocol sees: one queue stands for
/// every queue a worker looks at (its own, its siblings', the global one).
struct World {
    idle: Idle,
    workers: usize,
    parkers: Vec<Parker>,
    queued: AtomicUsize,
    /// Tasks that queue one more task when they run.
    spawners: AtomicUsize,
    done: AtomicUsize,
    total: usize,
    finished: AtomicBool,
}

impl World {
    fn new(workers: usize, total: usize, spawners: usize) -> World {
        World {
            idle: Idle::new(workers),
            workers,
            parkers: (0..workers).map(|_| Parker::default()).collect(),
            queued: AtomicUsize::new(0),
            spawners: AtomicUsize::new(spawners),
            done: AtomicUsize::new(0),
            total,
            finished: AtomicBool::new(false),
        }
    }

    /// `Shared::notify_one`.
    fn notify_one(&self) {
        if let Some(worker) = self.idle.worker_to_notify() {
            self.parkers[worker].unpark();
        }
    }

    /// Queues a task (the queues publish with `Release`), then wakes a
    /// worker for it if that is worthwhile.
    fn push(&self) {
        self.queued.fetch_add(1, Ordering::Release);
        self.notify_one();
    }

    fn take(&self) -> bool {
        let mut queued = self.queued.load(Ordering::Acquire);
        while queued > 0 {
            match self.queued.compare_exchange(
                queued,
                queued - 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(now) => queued = now,
            }
        }
        false
    }

    fn has_work(&self) -> bool {
        self.queued.load(Ordering::Acquire) > 0
    }

    fn run_task(&self) {
        let spawns = self
            .spawners
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok();
        if spawns {
            self.push();
        }
        if self.done.fetch_add(1, Ordering::AcqRel) + 1 == self.total {
            self.finished.store(true, Ordering::Release);
            for parker in &self.parkers {
                parker.unpark();
            }
        }
    }

    /// `Worker::run`: `run_one`, else `park`, until every task has run.
    fn worker(&self, index: usize) {
        let mut searching = false;
        while !self.finished.load(Ordering::Acquire) {
            // `next_local`, then `search`.
            let mut found = self.take();
            if !found && !searching {
                searching = !self.idle.all_asleep_but(index, self.workers)
                    && self.idle.try_start_searching(self.workers);
                found = searching && self.take();
            } else if !found {
                found = self.take();
            }
            if found {
                // `found_work`.
                if std::mem::take(&mut searching) && self.idle.stop_searching() {
                    self.notify_one();
                }
                self.run_task();
                continue;
            }
            // `park`.
            if self.idle.park(index, std::mem::take(&mut searching)) && self.has_work() {
                self.notify_one();
            }
            if self.finished.load(Ordering::Acquire) {
                return;
            }
            self.parkers[index].park();
            searching = self.idle.unpark(index);
        }
    }
}

fn run(workers: usize, pushed: usize, spawners: usize, stray_wakeup: bool) {
    let mut builder = loom::model::Builder::new();
    if workers > 2 {
        // Three workers explore far more interleavings; one preemption
        // keeps the model to seconds.
        builder.preemption_bound = Some(1);
    }
    builder.check(move || {
        let world = Arc::new(World::new(workers, pushed + spawners, spawners));
        let mut threads: Vec<_> = (0..workers)
            .map(|index| {
                let world = world.clone();
                thread::spawn(move || world.worker(index))
            })
            .collect();
        if stray_wakeup {
            // An I/O event wakes worker 0 with no notifier involved, while
            // work is being queued.
            let world = world.clone();
            threads.push(thread::spawn(move || world.parkers[0].unpark()));
        }
        for _ in 0..pushed {
            world.push();
        }
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(world.done.load(Ordering::Acquire), pushed + spawners);
    });
}

#[test]
fn work_from_outside_reaches_a_sleeping_worker() {
    run(2, 2, 0, false);
}

#[test]
fn work_queued_by_a_running_task() {
    run(2, 1, 1, false);
}

#[test]
fn a_worker_woken_by_something_else_is_not_counted_as_notified() {
    run(2, 1, 0, true);
}

#[test]
fn a_lone_worker_woken_by_something_else_while_work_is_queued() {
    run(1, 2, 0, true);
}

#[test]
fn three_workers() {
    run(3, 1, 1, false);
}
