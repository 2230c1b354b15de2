//! `Barrier`: rounds with arrival indexes, abort and reset breaking
//! waiters, and a dropped waiter leaving its round.

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use common::{poll_now, poll_once, run_all};
use corio_sync::{Barrier, oneshot};

#[test]
fn rounds_release_everyone_with_distinct_indexes() {
    run_all(|rt| async move {
        let barrier = Arc::new(Barrier::new(4));
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let barrier = barrier.clone();
            tasks.push(rt.spawn(async move {
                let mut indexes = Vec::new();
                for _ in 0..3 {
                    indexes.push(barrier.wait().await.unwrap());
                }
                indexes
            }));
        }
        let mut per_round = vec![Vec::new(); 3];
        for task in tasks {
            for (round, index) in task.await.into_iter().enumerate() {
                per_round[round].push(index);
            }
        }
        for mut indexes in per_round {
            indexes.sort();
            assert_eq!(indexes, [0, 1, 2, 3], "on {}", rt.name());
        }
        assert_eq!(barrier.n_waiting(), 0);
    });
}

#[test]
fn abort_breaks_current_and_later_waiters() {
    run_all(|rt| async move {
        let barrier = Arc::new(Barrier::new(3));
        let (queued, is_queued) = oneshot();
        let waiter = rt.spawn({
            let barrier = barrier.clone();
            async move {
                let mut waiting = pin!(barrier.wait());
                assert!(poll_once(&mut waiting).await.is_none());
                queued.send(()).unwrap();
                waiting.await
            }
        });
        is_queued.await.unwrap();
        assert_eq!(barrier.n_waiting(), 1);
        barrier.abort();
        assert!(waiter.await.is_err());
        assert!(barrier.is_broken());
        assert!(barrier.wait().await.is_err());
    });
}

#[test]
fn reset_breaks_waiters_then_the_barrier_works_again() {
    let barrier = Barrier::new(2);
    let mut waiting = pin!(barrier.wait());
    assert!(poll_now(&mut waiting).is_pending());
    barrier.reset();
    let Poll::Ready(Err(broken)) = poll_now(&mut waiting) else {
        panic!()
    };
    assert!(broken.to_string().contains("broken"));
    assert!(!barrier.is_broken());
    let mut a = pin!(barrier.wait());
    let mut b = pin!(barrier.wait());
    assert!(poll_now(&mut a).is_pending());
    assert_eq!(poll_now(&mut b), Poll::Ready(Ok(1)));
    assert_eq!(poll_now(&mut a), Poll::Ready(Ok(0)));
}

#[test]
fn dropped_waiter_leaves_the_round() {
    let barrier = Barrier::new(2);
    {
        let mut waiting = pin!(barrier.wait());
        assert!(poll_now(&mut waiting).is_pending());
        assert_eq!(barrier.n_waiting(), 1);
    }
    assert_eq!(barrier.n_waiting(), 0);
    let mut a = pin!(barrier.wait());
    assert!(
        poll_now(&mut a).is_pending(),
        "a single arrival must not complete the round"
    );
}

#[test]
fn parties_and_debug() {
    let barrier = Barrier::new(3);
    assert_eq!(barrier.parties(), 3);
    assert!(format!("{barrier:?}").contains("parties: 3"));
}
