//! On corio's runtime, a task looping on operations that are always ready
//! (a free lock, a full queue, a set event...) still yields within its
//! budget, so the other tasks of a single-threaded loop get to run.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use corio_sync::{Barrier, Event, Lock, Queue, Semaphore, oneshot};

/// Far more rounds than one budget (128 operations).
const ROUNDS: usize = 5_000;

/// Spawns a task that sets a flag, then loops on `op` in another task on
/// a one-worker runtime; returns after how many rounds the loop saw the
/// flag (`None`: it never yielded).
fn rounds_until_the_other_task_ran<F, Fut>(op: F) -> Option<usize>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let runner = corio::Runner::builder().workers(1).build().unwrap();
    runner.run(async move {
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let looping = corio::spawn(async move {
            for round in 0..ROUNDS {
                op().await;
                if ran.load(Ordering::SeqCst) {
                    return Some(round);
                }
            }
            None
        });
        // Spawned second: it runs only if the loop yields.
        let other = corio::spawn(async move { flag.store(true, Ordering::SeqCst) });
        let seen = looping.await.unwrap();
        other.await.unwrap();
        seen
    })
}

fn assert_yields(what: &str, seen: Option<usize>) {
    match seen {
        Some(round) => assert!(round <= 256, "{what}: yielded only after {round} rounds"),
        None => panic!("{what}: {ROUNDS} ready operations in a row never yielded"),
    }
}

#[test]
fn a_free_lock_in_a_loop_yields() {
    let lock = Arc::new(Lock::new(0u64));
    assert_yields(
        "lock",
        rounds_until_the_other_task_ran(move || {
            let lock = lock.clone();
            async move { *lock.lock().await += 1 }
        }),
    );
    let lock = Arc::new(Lock::new(()));
    assert_yields(
        "lock_owned",
        rounds_until_the_other_task_ran(move || {
            let lock = lock.clone();
            async move { drop(lock.lock_owned().await) }
        }),
    );
}

#[test]
fn an_open_semaphore_in_a_loop_yields() {
    let semaphore = Arc::new(Semaphore::new(4));
    assert_yields(
        "acquire",
        rounds_until_the_other_task_ran(move || {
            let semaphore = semaphore.clone();
            async move { drop(semaphore.acquire().await) }
        }),
    );
    let semaphore = Arc::new(Semaphore::new(4));
    assert_yields(
        "acquire_owned",
        rounds_until_the_other_task_ran(move || {
            let semaphore = semaphore.clone();
            async move { drop(semaphore.acquire_owned().await) }
        }),
    );
}

#[test]
fn ready_queue_operations_in_a_loop_yield() {
    for bounded in [false, true] {
        let queue = Arc::new(if bounded {
            Queue::new(8)
        } else {
            Queue::unbounded()
        });
        assert_yields(
            "put and get",
            rounds_until_the_other_task_ran(move || {
                let queue = queue.clone();
                async move {
                    queue.put(1u32).await.unwrap();
                    assert_eq!(queue.get().await.unwrap(), 1);
                    queue.task_done().unwrap();
                    queue.join().await;
                }
            }),
        );
    }
}

#[test]
fn a_set_event_an_open_barrier_and_sent_oneshots_in_a_loop_yield() {
    let event = Arc::new(Event::new());
    event.set();
    assert_yields(
        "event",
        rounds_until_the_other_task_ran(move || {
            let event = event.clone();
            async move { event.wait().await }
        }),
    );
    let barrier = Arc::new(Barrier::new(1));
    assert_yields(
        "barrier",
        rounds_until_the_other_task_ran(move || {
            let barrier = barrier.clone();
            async move {
                barrier.wait().await.unwrap();
            }
        }),
    );
    assert_yields(
        "oneshot",
        rounds_until_the_other_task_ran(|| async {
            let (sender, receiver) = oneshot();
            sender.send(7u8).unwrap();
            assert_eq!(receiver.await.unwrap(), 7);
        }),
    );
}
