//! `Lock`: mutual exclusion, FIFO hand-over, cancel safety and a threads
//! stress test, on tokio and smol.

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use common::{poll_now, poll_once, run_all, run_multi_thread};
use corio_sync::{Lock, oneshot};

#[test]
fn three_tasks_increment_to_three() {
    run_all(|rt| async move {
        let counter = Arc::new(Lock::new(0));
        let mut tasks = Vec::new();
        for _ in 0..3 {
            let counter = counter.clone();
            tasks.push(rt.spawn(async move {
                let mut guard = counter.lock().await;
                let seen = *guard;
                // Hold the lock across a suspension: the others must wait.
                futures_lite::future::yield_now().await;
                *guard = seen + 1;
            }));
        }
        for task in tasks {
            task.await;
        }
        assert_eq!(*counter.lock().await, 3, "on {}", rt.name());
    });
}

#[test]
fn waiters_get_the_lock_in_arrival_order() {
    run_all(|rt| async move {
        let lock = Arc::new(Lock::new(Vec::new()));
        let held = lock.lock().await;
        let mut tasks = Vec::new();
        for i in 0..100 {
            let lock = lock.clone();
            let (queued, is_queued) = oneshot();
            tasks.push(rt.spawn(async move {
                let mut waiting = pin!(lock.lock());
                assert!(poll_once(&mut waiting).await.is_none());
                queued.send(()).unwrap();
                waiting.await.push(i);
            }));
            // Task i is in line before task i + 1 is spawned.
            is_queued.await.unwrap();
        }
        drop(held);
        for task in tasks {
            task.await;
        }
        let order = lock.lock().await.clone();
        assert_eq!(order, (0..100).collect::<Vec<_>>(), "on {}", rt.name());
    });
}

#[test]
fn a_newcomer_cannot_barge_past_a_waiter() {
    let lock = Lock::new(());
    let held = lock.try_lock().unwrap();
    let mut waiter = pin!(lock.lock());
    assert!(poll_now(&mut waiter).is_pending());
    drop(held);
    // Free in the sense that nobody holds a guard, yet promised to `waiter`.
    assert!(lock.is_locked());
    assert!(lock.try_lock().is_none());
    assert!(matches!(poll_now(&mut waiter), Poll::Ready(_)));
}

#[test]
fn dropped_pending_lock_leaves_nothing_behind() {
    let lock = Lock::new(0);
    let held = lock.try_lock().unwrap();
    {
        let mut waiter = pin!(lock.lock());
        assert!(poll_now(&mut waiter).is_pending());
    }
    drop(held);
    assert!(!lock.is_locked());
    assert!(lock.try_lock().is_some());
}

#[test]
fn dropped_notified_lock_passes_the_lock_on() {
    let lock = Lock::new(0);
    let held = lock.try_lock().unwrap();
    let mut first = Box::pin(lock.lock());
    let mut second = pin!(lock.lock());
    assert!(poll_now(&mut first).is_pending());
    assert!(poll_now(&mut second).is_pending());
    drop(held); // hands the lock to `first`
    drop(first); // which is cancelled before it runs
    let Poll::Ready(mut guard) = poll_now(&mut second) else {
        panic!("the lock handed to a dropped waiter was not passed on");
    };
    *guard += 1;
    drop(guard);
    assert!(!lock.is_locked());
}

#[test]
fn cancelled_lock_on_runtimes_lets_the_next_waiter_in() {
    run_all(|rt| async move {
        let lock = Arc::new(Lock::new(0));
        let held = lock.lock().await;
        let (queued, is_queued) = oneshot();
        let cancelled = rt.spawn({
            let lock = lock.clone();
            async move {
                let mut waiting = pin!(lock.lock());
                assert!(poll_once(&mut waiting).await.is_none());
                queued.send(()).unwrap();
                // Dropped here, while queued.
            }
        });
        is_queued.await.unwrap();
        cancelled.await;
        let next = rt.spawn({
            let lock = lock.clone();
            async move { *lock.lock().await += 1 }
        });
        drop(held);
        next.await;
        assert_eq!(*lock.lock().await, 1);
        assert!(!lock.is_locked());
    });
}

#[test]
fn owned_guards_move_into_tasks() {
    run_all(|rt| async move {
        let lock = Arc::new(Lock::new(String::new()));
        let mut guard = lock.lock_owned().await;
        guard.push('a');
        let task = rt.spawn(async move {
            guard.push('b');
        });
        task.await;
        assert_eq!(*lock.lock().await, "ab");
        assert!(lock.try_lock_owned().is_some());
    });
}

#[test]
fn debug_shows_data_or_locked() {
    let lock = Lock::new(5);
    assert_eq!(format!("{lock:?}"), "Lock { data: 5 }");
    let _guard = lock.try_lock();
    assert_eq!(format!("{lock:?}"), "Lock { data: <locked> }");
}

#[test]
fn threads_stress_exact_count() {
    const THREADS: usize = 4;
    const OPS: usize = 100_000;
    const TASKS_PER_THREAD: usize = 4;
    run_multi_thread(|rt| async move {
        let counter = Arc::new(Lock::new(0usize));
        let mut tasks = Vec::new();
        for _ in 0..THREADS * TASKS_PER_THREAD {
            let counter = counter.clone();
            tasks.push(rt.spawn(async move {
                for _ in 0..OPS / TASKS_PER_THREAD {
                    *counter.lock().await += 1;
                }
            }));
        }
        for task in tasks {
            task.await;
        }
        assert_eq!(*counter.lock().await, THREADS * OPS);
    });
}
