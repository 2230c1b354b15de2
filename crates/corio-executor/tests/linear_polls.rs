//! `gather`, `wait`, `as_completed` and `TaskGroup::join` do O(n) work for
//! n futures, however they are woken: all at once by one `Event::set`, or
//! by timers all due together, with the task's cooperative budget running
//! out on the way.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use corio::sync::Event;
use futures_lite::StreamExt;

/// Counts the polls of the future it wraps.
struct Counted<F> {
    inner: Pin<Box<F>>,
    polls: Arc<AtomicUsize>,
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        self.inner.as_mut().poll(cx)
    }
}

fn counted<F: Future>(polls: &Arc<AtomicUsize>, f: F) -> Counted<F> {
    Counted {
        inner: Box::pin(f),
        polls: polls.clone(),
    }
}

/// Futures that all wait on one event, released by one `set`.
fn event_waiters(
    n: usize,
    polls: &Arc<AtomicUsize>,
) -> (Arc<Event>, Vec<impl Future<Output = ()> + Send + use<>>) {
    let event = Arc::new(Event::new());
    let futures = (0..n)
        .map(|_| {
            let event = event.clone();
            counted(polls, async move { event.wait().await })
        })
        .collect();
    (event, futures)
}

/// At most this many polls per future: the first, the one after the wake,
/// and slack for the budget's yields.
const POLLS_PER_FUTURE: usize = 4;

fn check(what: &str, n: usize, polls: &AtomicUsize) {
    let polls = polls.load(Ordering::Relaxed);
    assert!(
        polls <= POLLS_PER_FUTURE * n,
        "{what} over {n} futures polled them {polls} times (more than {POLLS_PER_FUTURE} each)"
    );
}

fn runtimes() -> Vec<corio::Runner> {
    [1, 2]
        .into_iter()
        .map(|w| corio::Runner::builder().workers(w).build().unwrap())
        .collect()
}

#[test]
fn gather_over_one_event_is_linear() {
    for runner in runtimes() {
        for n in [2_000, 20_000] {
            let polls = Arc::new(AtomicUsize::new(0));
            let (event, futures) = event_waiters(n, &polls);
            runner.run(async {
                let setter = corio::spawn(async move {
                    corio::sleep(Duration::from_millis(1)).await;
                    event.set();
                });
                let out = corio::gather(futures).await;
                assert_eq!(out.len(), n);
                setter.await.unwrap();
            });
            check("gather", n, &polls);
        }
    }
}

#[test]
fn as_completed_over_one_event_is_linear() {
    for runner in runtimes() {
        for n in [2_000, 20_000] {
            let polls = Arc::new(AtomicUsize::new(0));
            let (event, futures) = event_waiters(n, &polls);
            runner.run(async {
                let setter = corio::spawn(async move {
                    corio::sleep(Duration::from_millis(1)).await;
                    event.set();
                });
                let mut stream = corio::as_completed(futures);
                let mut seen = 0;
                while stream.next().await.is_some() {
                    seen += 1;
                }
                assert_eq!(seen, n);
                setter.await.unwrap();
            });
            check("as_completed", n, &polls);
        }
    }
}

/// `wait` takes tasks: what it polls is their handles, so the count here
/// is of its own polls, each of which may look at many handles; a
/// quadratic `wait` shows as far more polls than tasks.
#[test]
fn wait_over_one_event_is_linear() {
    for runner in runtimes() {
        let n = 20_000;
        let task_polls = Arc::new(AtomicUsize::new(0));
        let wait_polls = Arc::new(AtomicUsize::new(0));
        let (event, futures) = event_waiters(n, &task_polls);
        runner.run(async {
            let tasks: Vec<_> = futures.into_iter().map(corio::spawn).collect();
            corio::sleep(Duration::from_millis(1)).await;
            event.set();
            let (done, pending) = counted(
                &wait_polls,
                corio::wait(tasks, corio::ReturnWhen::AllCompleted),
            )
            .await;
            assert_eq!((done.len(), pending.len()), (n, 0));
        });
        check("the tasks under wait", n, &task_polls);
        check("wait", n, &wait_polls);
    }
}

#[test]
fn gather_over_timers_due_together_is_linear() {
    for runner in runtimes() {
        let n = 20_000;
        let polls = Arc::new(AtomicUsize::new(0));
        runner.run(async {
            let at = Instant::now() + Duration::from_millis(5);
            let futures: Vec<_> = (0..n)
                .map(|_| counted(&polls, corio::time::sleep_until(at)))
                .collect();
            assert_eq!(corio::gather(futures).await.len(), n);
        });
        check("gather over timers", n, &polls);
    }
}

#[test]
fn task_group_join_over_one_event_is_linear() {
    for runner in runtimes() {
        let n = 20_000;
        let polls = Arc::new(AtomicUsize::new(0));
        let join_polls = Arc::new(AtomicUsize::new(0));
        let (event, futures) = event_waiters(n, &polls);
        runner.run(async {
            let group = corio::TaskGroup::<()>::new();
            for f in futures {
                group.spawn(async move {
                    f.await;
                    Ok(())
                });
            }
            corio::sleep(Duration::from_millis(1)).await;
            event.set();
            counted(&join_polls, group.join()).await.unwrap();
        });
        check("the children of a TaskGroup", n, &polls);
        check("TaskGroup::join", n, &join_polls);
    }
}
