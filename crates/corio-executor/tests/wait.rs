//! Behaviour of `wait` with each `ReturnWhen`, of `wait_first_error`, and of both under a timeout.

use std::time::{Duration, Instant};

use corio::ReturnWhen;
use corio::structured::wait_first_error;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn first_completed_returns_when_one_finishes_and_the_rest_still_run() {
    corio::run(async {
        let start = Instant::now();
        let tasks = [10u64, 300, 400].map(|n| {
            corio::spawn(async move {
                corio::sleep(ms(n)).await;
                n
            })
        });
        let (done, pending) = corio::wait(tasks, ReturnWhen::FirstCompleted).await;
        // The two slow tasks still running shows `wait` did not wait for them.
        assert!(start.elapsed() < ms(1_000), "took {:?}", start.elapsed());
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].output().as_ref().unwrap(), &10);
        assert_eq!(pending.len(), 2);
        assert!(pending.iter().all(|t| !t.is_done()));
        let mut rest = Vec::new();
        for task in pending {
            rest.push(task.await.unwrap());
        }
        assert_eq!(rest, [300, 400]);
    });
}

#[test]
fn wait_first_error_returns_on_the_first_error() {
    corio::run(async {
        let ok = corio::spawn(async {
            corio::sleep(ms(5)).await;
            Ok(1)
        });
        let failing = corio::task::Builder::new().name("failing").spawn(async {
            corio::sleep(ms(200)).await;
            Err("lost connection")
        });
        let slow = corio::spawn(async {
            corio::sleep(Duration::from_secs(5)).await;
            Ok(3)
        });
        let start = Instant::now();
        let (done, pending) = wait_first_error([ok, failing, slow]).await;
        assert!(start.elapsed() < Duration::from_secs(2));
        assert_eq!(done.len(), 2);
        assert_eq!(done[0].output().as_ref().unwrap(), &Ok(1));
        assert_eq!(done[1].name(), Some("failing"));
        assert_eq!(done[1].output().as_ref().unwrap(), &Err("lost connection"));
        assert_eq!(pending.len(), 1);
        pending[0].cancel();

        // A panic is an error too; a cancellation is not.
        let cancelled = corio::spawn(std::future::pending::<()>());
        cancelled.cancel();
        let panicking = corio::spawn(async {
            corio::sleep(ms(20)).await;
            panic!("bug")
        });
        let (done, pending) = wait_first_error([cancelled, panicking]).await;
        assert_eq!(done.len(), 2);
        assert!(done[0].output().as_ref().unwrap_err().is_cancelled());
        assert!(done[1].output().as_ref().unwrap_err().is_panic());
        assert!(pending.is_empty());
    });
}

#[test]
fn wait_first_error_without_a_failure_waits_for_all() {
    corio::run(async {
        let tasks = [30u64, 10, 20].map(|n| {
            corio::spawn(async move {
                corio::sleep(ms(n)).await;
                Ok::<_, ()>(n)
            })
        });
        let (done, pending) = wait_first_error(tasks).await;
        assert!(pending.is_empty());
        assert_eq!(done.len(), 3);
        assert!(done.iter().all(|d| matches!(d.output(), Ok(Ok(_)))));
    });
}

/// An output type with no `Outcome` impl: `wait` does not need one.
#[derive(Debug, PartialEq)]
struct Reply {
    body: &'static str,
}

#[test]
fn wait_accepts_outputs_that_are_not_outcomes() {
    corio::run(async {
        let quick = corio::spawn(async { Reply { body: "quick" } });
        let slow = corio::spawn(async {
            corio::sleep(Duration::from_secs(30)).await;
            Reply { body: "slow" }
        });
        let (done, pending) = corio::wait([quick, slow], ReturnWhen::FirstCompleted).await;
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].output().as_ref().unwrap(), &Reply { body: "quick" });
        assert_eq!(pending.len(), 1);
        pending[0].cancel();

        let maybe = [Some(1u8), None].map(|v| corio::spawn(async move { v }));
        let (done, pending) = corio::wait(maybe, ReturnWhen::AllCompleted).await;
        assert!(pending.is_empty());
        let mut values: Vec<Option<u8>> =
            done.into_iter().map(|d| d.into_output().unwrap()).collect();
        values.sort();
        assert_eq!(values, [None, Some(1)]);
    });
}

#[test]
fn all_completed_waits_for_every_task_in_completion_order() {
    corio::run(async {
        // 100 ms apart: a loaded machine cannot make two finish together.
        let tasks = [300u64, 100, 200].map(|n| {
            corio::spawn(async move {
                corio::sleep(ms(n)).await;
                n
            })
        });
        let (done, pending) = corio::wait(tasks, ReturnWhen::AllCompleted).await;
        assert!(pending.is_empty());
        let order: Vec<u64> = done.into_iter().map(|d| d.into_output().unwrap()).collect();
        assert_eq!(order, [100, 200, 300]);

        let (done, pending) =
            corio::wait(Vec::<corio::Task<()>>::new(), ReturnWhen::AllCompleted).await;
        assert!(done.is_empty() && pending.is_empty());
    });
}

#[test]
fn a_timed_out_wait_gives_every_task_back() {
    corio::run(async {
        let tasks = [5u64, 2_000, 3_000].map(|n| {
            corio::spawn(async move {
                corio::sleep(ms(n)).await;
                n
            })
        });
        let mut waiting = corio::wait(tasks, ReturnWhen::AllCompleted);
        let timed_out = corio::timeout(ms(100), &mut waiting).await;
        assert!(timed_out.is_err());
        let (done, pending) = waiting.into_parts();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].output().as_ref().unwrap(), &5);
        assert_eq!(pending.len(), 2);
        for task in &pending {
            assert!(!task.is_done());
            assert!(task.cancel());
        }
        for task in pending {
            assert!(task.await.unwrap_err().is_cancelled());
        }
    });
}
