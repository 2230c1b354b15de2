//! `oneshot()`: delivery across tasks, and clear errors when either side is
//! dropped.

mod common;

use std::pin::pin;
use std::task::Poll;

use common::{poll_now, run_all};
use corio_sync::{TryRecvError, oneshot};

#[test]
fn value_crosses_tasks() {
    run_all(|rt| async move {
        let (sender, receiver) = oneshot();
        let task = rt.spawn(async move {
            futures_lite::future::yield_now().await;
            sender.send(String::from("result")).unwrap();
        });
        assert_eq!(receiver.await.unwrap(), "result");
        task.await;
    });
}

#[test]
fn dropped_sender_gives_a_clear_error() {
    run_all(|rt| async move {
        let (sender, receiver) = oneshot::<u32>();
        let task = rt.spawn(async move {
            futures_lite::future::yield_now().await;
            drop(sender);
        });
        let error = receiver.await.unwrap_err();
        assert!(error.to_string().contains("sender was dropped"), "{error}");
        task.await;
    });
}

#[test]
fn dropped_receiver_returns_the_value() {
    let (sender, receiver) = oneshot();
    assert!(!sender.is_closed());
    drop(receiver);
    assert!(sender.is_closed());
    assert_eq!(sender.send(5).unwrap_err().into_inner(), 5);
}

#[test]
fn pending_receiver_is_woken_by_send() {
    let (sender, receiver) = oneshot();
    let mut receiver = pin!(receiver);
    assert!(poll_now(&mut receiver).is_pending());
    assert!(!receiver.is_done());
    sender.send(1).unwrap();
    assert!(receiver.is_done());
    assert_eq!(poll_now(&mut receiver), std::task::Poll::Ready(Ok(1)));
}

#[test]
fn try_recv_states() {
    let (sender, receiver) = oneshot();
    assert_eq!(receiver.try_recv(), Err(TryRecvError::Empty));
    sender.send('v').unwrap();
    assert_eq!(receiver.try_recv(), Ok('v'));
    assert_eq!(receiver.try_recv(), Err(TryRecvError::Closed));
}

#[test]
#[should_panic(expected = "polled after it returned its value")]
fn polling_a_receiver_again_after_its_value_is_a_bug() {
    let (tx, mut rx) = oneshot();
    tx.send(1).unwrap();
    assert_eq!(poll_now(&mut rx), Poll::Ready(Ok(1)));
    let _ = poll_now(&mut rx);
}

#[test]
fn try_recv_from_several_threads_hands_the_value_out_once() {
    for _ in 0..200 {
        let (tx, rx) = oneshot();
        tx.send(String::from("once")).unwrap();
        let got: Vec<_> = std::thread::scope(|s| {
            let takers: Vec<_> = (0..4).map(|_| s.spawn(|| rx.try_recv().ok())).collect();
            takers.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert_eq!(got.iter().flatten().count(), 1, "{got:?}");
    }
}
