//! `Semaphore` and `BoundedSemaphore`: limits, FIFO order, `acquire_many`
//! without starvation, cancel safety and threads stress tests (one with
//! acquisitions abandoned while queued or just granted).

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

use common::{poll_now, poll_once, run_all, run_multi_thread};
use corio_sync::{BoundedSemaphore, Lock, Semaphore, oneshot};

#[test]
fn semaphore_of_two_never_lets_three_in() {
    run_all(|rt| async move {
        let semaphore = Arc::new(Semaphore::new(2));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (semaphore, inside, most) = (semaphore.clone(), inside.clone(), most.clone());
            tasks.push(rt.spawn(async move {
                for _ in 0..10 {
                    let _permit = semaphore.acquire().await;
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    futures_lite::future::yield_now().await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                }
            }));
        }
        for task in tasks {
            task.await;
        }
        assert!(most.load(Ordering::SeqCst) <= 2, "on {}", rt.name());
        assert_eq!(
            most.load(Ordering::SeqCst),
            2,
            "two holders at once never happened"
        );
        assert_eq!(semaphore.available(), 2);
    });
}

#[test]
fn acquisitions_follow_arrival_order() {
    run_all(|rt| async move {
        let semaphore = Arc::new(Semaphore::new(1));
        let order = Arc::new(Lock::new(Vec::new()));
        let held = semaphore.acquire().await;
        let mut tasks = Vec::new();
        for i in 0..100 {
            let (semaphore, order) = (semaphore.clone(), order.clone());
            let (queued, is_queued) = oneshot();
            tasks.push(rt.spawn(async move {
                let mut waiting = pin!(semaphore.acquire());
                assert!(poll_once(&mut waiting).await.is_none());
                queued.send(()).unwrap();
                let _permit = waiting.await;
                order.lock().await.push(i);
            }));
            is_queued.await.unwrap();
        }
        drop(held);
        for task in tasks {
            task.await;
        }
        assert_eq!(
            *order.lock().await,
            (0..100).collect::<Vec<_>>(),
            "on {}",
            rt.name()
        );
    });
}

#[test]
fn large_acquire_many_is_not_starved_by_small_ones() {
    let semaphore = Semaphore::new(3);
    let small = semaphore.try_acquire().unwrap();
    let mut big = pin!(semaphore.acquire_many(3));
    assert!(poll_now(&mut big).is_pending());
    // Two permits are free, but the big request is first in line.
    assert!(semaphore.try_acquire().is_none());
    let mut later = pin!(semaphore.acquire());
    assert!(poll_now(&mut later).is_pending());
    drop(small);
    let Poll::Ready(permit) = poll_now(&mut big) else {
        panic!("the big request was starved");
    };
    assert_eq!(permit.num_permits(), 3);
    assert!(poll_now(&mut later).is_pending());
    drop(permit);
    assert!(matches!(poll_now(&mut later), Poll::Ready(_)));
}

#[test]
fn large_acquire_many_is_not_starved_on_runtimes() {
    run_all(|rt| async move {
        let semaphore = Arc::new(Semaphore::new(4));
        let stop = Arc::new(AtomicUsize::new(0));
        // A stream of small requests keeps the permits busy...
        let mut churners = Vec::new();
        for _ in 0..4 {
            let (semaphore, stop) = (semaphore.clone(), stop.clone());
            churners.push(rt.spawn(async move {
                while stop.load(Ordering::SeqCst) == 0 {
                    let _permit = semaphore.acquire().await;
                    futures_lite::future::yield_now().await;
                }
            }));
        }
        futures_lite::future::yield_now().await;
        // ...yet a request for all of them gets through.
        let all = semaphore.acquire_many(4).await;
        assert_eq!(all.num_permits(), 4);
        stop.store(1, Ordering::SeqCst);
        drop(all);
        for task in churners {
            task.await;
        }
        assert_eq!(semaphore.available(), 4, "on {}", rt.name());
    });
}

#[test]
fn dropped_pending_acquire_leaks_no_permit() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().unwrap();
    {
        let mut waiting = pin!(semaphore.acquire());
        assert!(poll_now(&mut waiting).is_pending());
    }
    drop(held);
    assert_eq!(semaphore.available(), 1);
    assert!(!semaphore.locked());
}

#[test]
fn dropped_notified_acquire_passes_its_permit_on() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().unwrap();
    let mut first = Box::pin(semaphore.acquire());
    let mut second = pin!(semaphore.acquire());
    assert!(poll_now(&mut first).is_pending());
    assert!(poll_now(&mut second).is_pending());
    drop(held);
    drop(first);
    let Poll::Ready(permit) = poll_now(&mut second) else {
        panic!("the permit handed to a dropped waiter was lost");
    };
    drop(permit);
    assert_eq!(semaphore.available(), 1);
}

#[test]
fn owned_permits_and_release() {
    run_all(|rt| async move {
        let semaphore = Arc::new(Semaphore::new(0));
        let waiter = rt.spawn({
            let semaphore = semaphore.clone();
            async move { semaphore.acquire_many_owned(2).await.num_permits() }
        });
        semaphore.release();
        semaphore.release();
        assert_eq!(waiter.await, 2);
        assert_eq!(semaphore.available(), 2);
        let permit = semaphore.try_acquire_owned().unwrap();
        permit.forget();
        assert_eq!(semaphore.available(), 1);
    });
}

#[test]
fn bounded_semaphore_refuses_over_release() {
    let semaphore = BoundedSemaphore::new(2);
    let error = semaphore.release().unwrap_err();
    assert!(error.to_string().contains("released too many times"));
    assert_eq!(semaphore.available(), 2);
    semaphore.try_acquire().unwrap().forget();
    assert!(semaphore.release().is_ok());
    assert!(semaphore.release().is_err());
    assert_eq!(semaphore.available(), 2);
}

#[test]
fn bounded_semaphore_release_wakes_a_waiter() {
    let semaphore = BoundedSemaphore::new(1);
    semaphore.try_acquire().unwrap().forget();
    let mut waiting = pin!(semaphore.acquire());
    assert!(poll_now(&mut waiting).is_pending());
    semaphore.release().unwrap();
    assert!(matches!(poll_now(&mut waiting), Poll::Ready(_)));
}

#[test]
fn threads_stress_exact_count() {
    const THREADS: usize = 4;
    const OPS: usize = 100_000;
    const TASKS_PER_THREAD: usize = 4;
    run_multi_thread(|rt| async move {
        let semaphore = Arc::new(Semaphore::new(3));
        let inside = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..THREADS * TASKS_PER_THREAD {
            let (semaphore, inside, done) = (semaphore.clone(), inside.clone(), done.clone());
            tasks.push(rt.spawn(async move {
                for _ in 0..OPS / TASKS_PER_THREAD {
                    let n = 1 + i % 2;
                    let _permit = semaphore.acquire_many(n).await;
                    assert!(inside.fetch_add(n, Ordering::SeqCst) + n <= 3);
                    inside.fetch_sub(n, Ordering::SeqCst);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        for task in tasks {
            task.await;
        }
        assert_eq!(done.load(Ordering::Relaxed), THREADS * OPS);
        assert_eq!(semaphore.available(), 3);
    });
}

/// Ready after `polls` polls, waking itself in between: a deadline counted
/// in scheduler turns, so the race below needs no timer.
struct GiveUpAfter(usize);

impl std::future::Future for GiveUpAfter {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            return Poll::Ready(());
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn threads_stress_with_abandoned_acquisitions() {
    // Tasks (on several threads, where the runtime has them) race each
    // acquisition against a give-up future: many are dropped while queued,
    // some just after being granted (their permits must pass on). The limit
    // must hold throughout, every task must finish, and no permit may be
    // lost or made up.
    const TASKS: usize = 16;
    const ROUNDS: usize = 5_000;
    run_all(|rt| async move {
        let semaphore = Arc::new(Semaphore::new(3));
        let inside = Arc::new(AtomicUsize::new(0));
        let (acquired, abandoned) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut tasks = Vec::new();
        for i in 0..TASKS {
            let (semaphore, inside) = (semaphore.clone(), inside.clone());
            let (acquired, abandoned) = (acquired.clone(), abandoned.clone());
            tasks.push(rt.spawn(async move {
                for round in 0..ROUNDS {
                    let n = 1 + (i + round) % 3;
                    let acquire = async { Some(semaphore.acquire_many(n).await) };
                    let give_up = async {
                        GiveUpAfter((i * 7 + round) % 4).await;
                        None
                    };
                    match futures_lite::future::or(acquire, give_up).await {
                        Some(_permit) => {
                            assert!(inside.fetch_add(n, Ordering::SeqCst) + n <= 3);
                            futures_lite::future::yield_now().await;
                            inside.fetch_sub(n, Ordering::SeqCst);
                            acquired.fetch_add(1, Ordering::Relaxed);
                        }
                        None => {
                            abandoned.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        for task in tasks {
            task.await;
        }
        let (acquired, abandoned) = (
            acquired.load(Ordering::Relaxed),
            abandoned.load(Ordering::Relaxed),
        );
        assert_eq!(acquired + abandoned, TASKS * ROUNDS);
        assert!(
            acquired > 0 && abandoned > 0,
            "{acquired} acquired, {abandoned} abandoned"
        );
        assert_eq!(semaphore.available(), 3);
    });
}
