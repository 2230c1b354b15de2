//! Behaviour of `gather`, `try_gather`, `gather!` and `try_gather!`: input
//! order, failures in place, early exit on the first error, O(n) polls.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn nap(n: u64) -> u64 {
    corio::sleep(ms(n)).await;
    n
}

#[test]
fn gather_of_sleeps_takes_the_longest_and_keeps_input_order() {
    let (naps, elapsed) = corio::run(async {
        let start = Instant::now();
        let naps = corio::gather([nap(400), nap(300), nap(200)]).await;
        (naps, start.elapsed())
    });
    assert_eq!(naps, [400, 300, 200]);
    assert!(elapsed >= ms(400), "took {elapsed:?}");
    // One after the other they would take 900 ms.
    assert!(elapsed < ms(850), "took {elapsed:?}");
}

#[test]
fn gather_of_tasks_keeps_failures_in_place() {
    let results = corio::run(async {
        let tasks = (0..4u64).map(|i| {
            corio::spawn(async move {
                corio::sleep(ms(40 - i * 10)).await;
                match i {
                    1 => Err(format!("task {i} failed")),
                    2 => panic!("task {i} panicked"),
                    _ => Ok(i),
                }
            })
        });
        corio::gather(tasks).await
    });
    assert_eq!(results.len(), 4);
    assert_eq!(results[0].as_ref().unwrap(), &Ok(0));
    assert_eq!(
        results[1].as_ref().unwrap(),
        &Err("task 1 failed".to_string())
    );
    assert_eq!(
        results[2].as_ref().unwrap_err().panic_message(),
        Some("task 2 panicked")
    );
    assert_eq!(results[3].as_ref().unwrap(), &Ok(3));
}

/// A boxed job, so that futures of different types gather together.
type BoxedJob = Pin<Box<dyn Future<Output = Result<u64, String>>>>;

/// Sets its flag when dropped.
struct Dropped(Arc<AtomicUsize>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn try_gather_returns_the_first_error_at_once_and_drops_the_rest() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let d = dropped.clone();
    let (result, elapsed) = corio::run(async move {
        let start = Instant::now();
        let futures: Vec<BoxedJob> = vec![
            Box::pin(async move {
                let _guard = Dropped(d);
                corio::sleep(Duration::from_secs(5)).await;
                Ok(1)
            }),
            Box::pin(async {
                corio::sleep(ms(20)).await;
                Err("refused".to_string())
            }),
            Box::pin(async { Ok(3) }),
        ];
        let result = corio::try_gather(futures).await;
        (result, start.elapsed())
    });
    assert_eq!(result, Err("refused".to_string()));
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");

    let all = corio::run(corio::try_gather(
        [nap(20), nap(10)].map(|f| async { Ok::<_, ()>(f.await) }),
    ));
    assert_eq!(all, Ok(vec![20, 10]));
}

#[test]
fn gather_macros_return_tuples_of_mixed_types() {
    corio::run(async {
        let (a, b, c) = corio::gather!(nap(30), async { "text" }, async {
            corio::sleep(ms(10)).await;
            vec![1u8]
        })
        .await;
        assert_eq!((a, b, c), (30, "text", vec![1u8]));

        let (one,) = corio::gather!(async { 1 }).await;
        assert_eq!(one, 1);

        let ok = corio::try_gather!(async { Ok::<_, String>(1u8) }, async { Ok('x') }).await;
        assert_eq!(ok, Ok((1u8, 'x')));

        let start = Instant::now();
        let err = corio::try_gather!(
            async {
                corio::sleep(Duration::from_secs(5)).await;
                Ok::<(), &str>(())
            },
            async {
                corio::sleep(ms(10)).await;
                Err::<u8, _>("bad")
            },
        )
        .await;
        assert_eq!(err, Err("bad"));
        assert!(start.elapsed() < Duration::from_secs(2));
    });
}

/// Ready on its second poll; wakes itself (from its first poll) or is woken
/// by whoever holds `wakers`.
struct CountPolls {
    polls: Arc<AtomicUsize>,
    polled: bool,
}

impl Future for CountPolls {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        if self.polled {
            return Poll::Ready(());
        }
        self.polled = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn gathering_100_000_futures_costs_linear_polls() {
    const N: usize = 100_000;
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    corio::run(async move {
        let futures = (0..N).map(|_| CountPolls {
            polls: p.clone(),
            polled: false,
        });
        assert_eq!(corio::gather(futures).await.len(), N);
    });
    // Each future: one poll to start, one after its wake-up.
    assert_eq!(polls.load(Ordering::Relaxed), 2 * N);

    // Futures finishing one by one, in reverse order, through sleeps.
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    corio::run(async move {
        let futures = (0..2_000u64).map(|i| {
            let p = p.clone();
            async move {
                p.fetch_add(1, Ordering::Relaxed);
                corio::sleep(Duration::from_micros(20 * (2_000 - i))).await;
                p.fetch_add(1, Ordering::Relaxed);
            }
        });
        corio::gather(futures).await;
    });
    // Two visible steps per future; timer wake-ups may add a few re-polls,
    // never one per future per completion.
    assert!(polls.load(Ordering::Relaxed) <= 2 * 2_000 + 2_000 / 10);
}
