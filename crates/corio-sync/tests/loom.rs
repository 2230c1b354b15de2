//! loom models: Lock, Semaphore, Event, Condition and Queue get/put, each
//! with a waiter that is dropped, and a oneshot whose sender sends or goes
//! away, checked
//! over every interleaving (run with `RUSTFLAGS="--cfg loom"`, see
//! `.ci/loom`).

#![cfg(loom)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use corio_sync::{Condition, Event, Lock, Queue, Semaphore, oneshot};
use loom::future::block_on;
use loom::thread;

/// Polls once with a waker that does nothing.
fn poll_now<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn lock_with_a_dropped_waiter() {
    loom::model(|| {
        let lock = Arc::new(Lock::new(0));
        let dropper = {
            let lock = lock.clone();
            thread::spawn(move || {
                let mut waiting = lock.lock();
                if let Poll::Ready(mut guard) = poll_now(&mut waiting) {
                    *guard += 1;
                }
                // Dropped whether it was queued, granted, or done.
            })
        };
        let worker = {
            let lock = lock.clone();
            thread::spawn(move || *block_on(lock.lock()) += 10)
        };
        *block_on(lock.lock()) += 100;
        dropper.join().unwrap();
        worker.join().unwrap();
        let value = *lock.try_lock().expect("the lock was left held");
        assert!(value == 110 || value == 111, "{value}");
    });
}

#[test]
fn semaphore_with_a_dropped_waiter() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(1));
        let dropper = {
            let semaphore = semaphore.clone();
            thread::spawn(move || {
                let mut waiting = semaphore.acquire_many(1);
                let _ = poll_now(&mut waiting);
            })
        };
        let worker = {
            let semaphore = semaphore.clone();
            thread::spawn(move || drop(block_on(semaphore.acquire())))
        };
        drop(block_on(semaphore.acquire()));
        dropper.join().unwrap();
        worker.join().unwrap();
        assert_eq!(semaphore.available(), 1, "a permit leaked");
    });
}

#[test]
fn event_set_is_never_missed() {
    loom::model(|| {
        let event = Arc::new(Event::new());
        let dropper = {
            let event = event.clone();
            thread::spawn(move || {
                let mut waiting = event.wait();
                let _ = poll_now(&mut waiting);
            })
        };
        let waiter = {
            let event = event.clone();
            thread::spawn(move || block_on(event.wait()))
        };
        event.set();
        // A `clear` here could race a waiter that has not started listening
        // yet, which may then rightly wait for the next `set`; the
        // registered-then-cleared case is checked by `tests/event.rs`.
        waiter.join().unwrap();
        dropper.join().unwrap();
        event.clear();
        assert!(!event.is_set());
    });
}

#[test]
fn queue_get_put_with_a_dropped_getter() {
    loom::model(|| {
        let queue = Queue::new(1);
        let dropper = {
            let queue = queue.clone();
            thread::spawn(move || match poll_now(&mut queue.get()) {
                Poll::Ready(item) => item.ok(),
                Poll::Pending => None,
            })
        };
        let getter = {
            let queue = queue.clone();
            thread::spawn(move || block_on(queue.get()).ok())
        };
        block_on(queue.put(1)).unwrap();
        let taken_by_dropper = dropper.join().unwrap();
        if taken_by_dropper.is_some() {
            // The getter still waits: feed it.
            block_on(queue.put(2)).unwrap();
        }
        let got = getter.join().unwrap().expect("the getter was served");
        assert!(got == 1 || got == 2);
        assert!(queue.is_empty(), "an item was lost or duplicated");
    });
}

#[test]
fn oneshot_receiver_always_hears_from_its_sender() {
    loom::model(|| {
        let (tx, rx) = oneshot::<u8>();
        let sender = thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    });
    loom::model(|| {
        let (tx, rx) = oneshot::<u8>();
        let dropper = thread::spawn(move || drop(tx));
        assert!(block_on(rx).is_err());
        dropper.join().unwrap();
    });
    // The receiver replaces its waker (a first poll with another one)
    // while the value is on its way.
    loom::model(|| {
        let (tx, mut rx) = oneshot::<u8>();
        let sender = thread::spawn(move || tx.send(7).unwrap());
        if let Poll::Ready(value) = poll_now(&mut rx) {
            assert_eq!(value, Ok(7));
        } else {
            assert_eq!(block_on(rx), Ok(7));
        }
        sender.join().unwrap();
    });
}

#[test]
fn oneshot_dropped_receiver_and_send_race() {
    loom::model(|| {
        let (tx, mut rx) = oneshot::<Arc<u8>>();
        let value = Arc::new(7);
        let sender = {
            let value = value.clone();
            thread::spawn(move || tx.send(value).is_ok())
        };
        let _ = poll_now(&mut rx);
        drop(rx);
        // A refused value comes back to the sender (and is dropped there),
        // an accepted one dies with the channel: either way it is freed.
        sender.join().unwrap();
        assert_eq!(Arc::strong_count(&value), 1);
    });
}

#[test]
fn condition_notification_survives_a_dropped_waiter() {
    use loom::sync::atomic::{AtomicBool, Ordering};
    loom::model(|| {
        let condition = Arc::new(Condition::new(0u8));
        let registered = Arc::new(AtomicBool::new(false));
        // A starts waiting, then gives up: before or after the notify, so
        // perhaps holding the notification, which must then pass on.
        let dropper = {
            let (condition, registered) = (condition.clone(), registered.clone());
            thread::spawn(move || {
                block_on(async {
                    let guard = condition.lock().await;
                    let mut waiting = std::pin::pin!(condition.wait(guard));
                    assert!(poll_now(&mut waiting).is_pending());
                    registered.store(true, Ordering::Release);
                })
            })
        };
        // B waits for the change; it must hear of it through A if need be.
        let waiter = {
            let condition = condition.clone();
            thread::spawn(move || {
                block_on(async {
                    let guard = condition.lock().await;
                    drop(condition.wait_for(guard, |value| *value == 1).await);
                })
            })
        };
        // Notify only once A waits, so that A cannot simply take the
        // notification and return from its wait.
        while !registered.load(Ordering::Acquire) {
            thread::yield_now();
        }
        block_on(async { *condition.lock().await = 1 });
        condition.notify(1);
        waiter.join().unwrap();
        dropper.join().unwrap();
    });
}
