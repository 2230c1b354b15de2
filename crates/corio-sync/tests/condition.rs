//! `Condition`: `wait_for` consumers, `notify(n)` counts, and a dropped
//! notified waiter passing its wake-up on (also while it was taking the
//! lock back).

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use common::{poll_now, poll_once, run_all};
use corio_sync::{Condition, Lock, oneshot};

#[test]
fn wait_for_consumers_each_get_one_item() {
    run_all(|rt| async move {
        let items = Arc::new(Condition::new(Vec::<u32>::new()));
        let mut consumers = Vec::new();
        for _ in 0..5 {
            let items = items.clone();
            consumers.push(rt.spawn(async move {
                let guard = items.lock().await;
                let mut guard = items.wait_for(guard, |items| !items.is_empty()).await;
                guard.pop().unwrap()
            }));
        }
        for i in 0..5 {
            items.lock().await.push(i);
            items.notify(1);
            futures_lite::future::yield_now().await;
        }
        let mut got = Vec::new();
        for consumer in consumers {
            got.push(consumer.await);
        }
        got.sort();
        assert_eq!(got, [0, 1, 2, 3, 4], "on {}", rt.name());
        assert!(items.lock().await.is_empty());
    });
}

#[test]
fn notify_wakes_that_many_waiters_in_order() {
    let condition = Condition::new(0);
    let mut waiters: Vec<_> = (0..3)
        .map(|_| {
            let guard = condition.try_lock().unwrap();
            let mut waiting = Box::pin(condition.wait(guard));
            assert!(poll_now(&mut waiting).is_pending());
            waiting
        })
        .collect();
    assert!(!condition.is_locked());
    assert_eq!(condition.notify(2), 2);
    assert_eq!(condition.notify(2), 1, "only one waiter was left to wake");
    let Poll::Ready(guard) = poll_now(&mut waiters[0]) else {
        panic!()
    };
    // The others were woken but must wait for the lock.
    assert!(poll_now(&mut waiters[1]).is_pending());
    drop(guard);
    assert!(matches!(poll_now(&mut waiters[1]), Poll::Ready(_)));
    assert!(matches!(poll_now(&mut waiters[2]), Poll::Ready(_)));
}

#[test]
fn dropped_notified_waiter_passes_the_notification_on() {
    let condition = Condition::new(());
    let mut first = Box::pin(condition.wait(condition.try_lock().unwrap()));
    assert!(poll_now(&mut first).is_pending());
    let mut second = pin!(condition.wait(condition.try_lock().unwrap()));
    assert!(poll_now(&mut second).is_pending());
    assert_eq!(condition.notify(1), 1);
    drop(first);
    assert!(matches!(poll_now(&mut second), Poll::Ready(_)));
}

#[test]
fn waiter_dropped_while_taking_the_lock_back_passes_the_notification_on() {
    let condition = Condition::new(());
    let mut first = Box::pin(condition.wait(condition.try_lock().unwrap()));
    assert!(poll_now(&mut first).is_pending());
    let mut second = pin!(condition.wait(condition.try_lock().unwrap()));
    assert!(poll_now(&mut second).is_pending());
    let held = condition.try_lock().unwrap();
    assert_eq!(condition.notify(1), 1);
    // Notified, now queued for the lock someone holds: then given up.
    assert!(poll_now(&mut first).is_pending());
    drop(first);
    drop(held);
    assert!(matches!(poll_now(&mut second), Poll::Ready(_)));
}

#[test]
fn notify_all_on_runtimes() {
    run_all(|rt| async move {
        let flag = Arc::new(Condition::new(false));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let flag = flag.clone();
            let (queued, is_queued) = oneshot();
            tasks.push(rt.spawn(async move {
                let guard = flag.lock().await;
                let mut waiting = pin!(flag.wait_for(guard, |set| *set));
                assert!(poll_once(&mut waiting).await.is_none());
                queued.send(()).unwrap();
                assert!(*waiting.await);
            }));
            is_queued.await.unwrap();
        }
        *flag.lock().await = true;
        assert_eq!(flag.notify_all(), 10);
        for task in tasks {
            task.await;
        }
    });
}

#[test]
#[should_panic(expected = "this condition's own lock")]
fn wait_with_a_foreign_guard_panics() {
    let condition = Condition::new(0);
    let other = Lock::new(0);
    let guard = other.try_lock().unwrap();
    drop(condition.wait(guard));
}
