//! `Event`: `set` wakes every waiter, even if `clear` follows at once.

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

use common::{poll_now, poll_once, run_all, run_multi_thread};
use corio_sync::{Event, oneshot};

#[test]
fn set_wakes_every_waiter() {
    run_all(|rt| async move {
        let event = Arc::new(Event::new());
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let event = event.clone();
            let (queued, is_queued) = oneshot();
            tasks.push(rt.spawn(async move {
                let mut waiting = pin!(event.wait());
                assert!(poll_once(&mut waiting).await.is_none());
                queued.send(()).unwrap();
                waiting.await;
            }));
            is_queued.await.unwrap();
        }
        event.set();
        for task in tasks {
            task.await;
        }
        assert!(event.is_set());
    });
}

#[test]
fn waiter_woken_by_set_returns_after_clear() {
    let event = Event::new();
    let mut waiting = pin!(event.wait());
    assert!(poll_now(&mut waiting).is_pending());
    event.set();
    event.clear();
    assert_eq!(poll_now(&mut waiting), Poll::Ready(()));
    // A new waiter blocks again.
    let mut later = pin!(event.wait());
    assert!(poll_now(&mut later).is_pending());
}

#[test]
fn set_is_idempotent_and_wait_is_immediate_when_set() {
    let event = Event::new();
    event.set();
    event.set();
    assert_eq!(poll_now(&mut pin!(event.wait())), Poll::Ready(()));
}

#[test]
fn dropped_waiter_takes_nothing_from_others() {
    let event = Event::new();
    let mut dropped = Box::pin(event.wait());
    let mut kept = pin!(event.wait());
    assert!(poll_now(&mut dropped).is_pending());
    assert!(poll_now(&mut kept).is_pending());
    event.set();
    drop(dropped);
    assert_eq!(poll_now(&mut kept), Poll::Ready(()));
}

#[test]
fn waits_of_an_earlier_set_and_of_the_next_one_stay_apart() {
    let event = Event::new();
    let mut early = pin!(event.wait());
    assert!(poll_now(&mut early).is_pending());
    event.set();
    event.clear();
    // Registered after that set: only the next one wakes it.
    let mut late = pin!(event.wait());
    assert!(poll_now(&mut late).is_pending());
    assert_eq!(poll_now(&mut early), Poll::Ready(()));
    // A wait dropped in the place `early` left changes nothing for `late`.
    let mut dropped = Box::pin(event.wait());
    assert!(poll_now(&mut dropped).is_pending());
    drop(dropped);
    assert!(poll_now(&mut late).is_pending());
    event.set();
    assert_eq!(poll_now(&mut late), Poll::Ready(()));
}

#[test]
fn threads_stress_exact_count() {
    const THREADS: usize = 4;
    // Each round is one wait and one set per task: 100,000 operations each.
    const ROUNDS: usize = 50_000;
    run_multi_thread(|rt| async move {
        // Ping-pong through two events per pair of tasks: a lost wake-up
        // would hang (and fail the watchdog).
        let woken = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..THREADS / 2 {
            let ping = Arc::new(Event::new());
            let pong = Arc::new(Event::new());
            let (ping2, pong2, woken2) = (ping.clone(), pong.clone(), woken.clone());
            tasks.push(rt.spawn(async move {
                for _ in 0..ROUNDS {
                    ping2.wait().await;
                    ping2.clear();
                    woken2.fetch_add(1, Ordering::Relaxed);
                    pong2.set();
                }
            }));
            let woken = woken.clone();
            tasks.push(rt.spawn(async move {
                for _ in 0..ROUNDS {
                    ping.set();
                    pong.wait().await;
                    pong.clear();
                    woken.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        for task in tasks {
            task.await;
        }
        assert_eq!(woken.load(Ordering::Relaxed), THREADS * ROUNDS);
    });
}

/// Counts its wakes, and panics in each if `panics` is set.
struct Counted {
    wakes: AtomicUsize,
    panics: bool,
}

impl std::task::Wake for Counted {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        if self.panics {
            panic!("waker woken");
        }
    }
}

#[test]
fn set_wakes_the_waiters_after_a_panicking_waker() {
    use std::future::Future;
    use std::task::{Context, Waker};

    let event = Event::new();
    let counts: Vec<_> = [false, true, false]
        .into_iter()
        .map(|panics| {
            Arc::new(Counted {
                wakes: AtomicUsize::new(0),
                panics,
            })
        })
        .collect();
    let mut waits: Vec<_> = counts.iter().map(|_| Box::pin(event.wait())).collect();
    for (wait, count) in waits.iter_mut().zip(&counts) {
        let waker = Waker::from(count.clone());
        assert!(
            wait.as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
    }
    // The middle waker's panic is reported by the hook and goes no further.
    event.set();
    let woken: Vec<_> = counts
        .iter()
        .map(|c| c.wakes.load(Ordering::SeqCst))
        .collect();
    assert_eq!(woken, [1, 1, 1]);
    for wait in &mut waits {
        let mut cx = Context::from_waker(Waker::noop());
        assert!(wait.as_mut().poll(&mut cx).is_ready());
    }
}
