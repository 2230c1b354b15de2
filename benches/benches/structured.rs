//! Structured concurrency: corio's `TaskGroup` and `gather` side by side with
//! tokio's `JoinSet` and `futures::future::join_all`.
//!
//! Scenarios (criterion groups; one function per runtime, as in the rest of
//! the suite):
//!
//! - `task_group_join`: spawn [`CHILDREN`] trivial children into a group and
//!   join it. corio uses `TaskGroup`, tokio `JoinSet` (`join_next` until
//!   empty), smol (which has no group) a `Vec` of tasks awaited in turn.
//! - `gather_ready`: [`FUTURES`] futures that are ready at once.
//! - `gather_pending`: [`FUTURES`] futures that are pending on their first
//!   poll, wake themselves, and are ready on the second.
//!
//! corio gathers with `corio::gather`; the other runtimes with
//! `futures::future::join_all`. Gathering happens inside one task, so these
//! two scenarios measure the combinators more than the runtimes.

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll};

use corio_benches::{Corio, Runtime, SmolLocal, SmolMulti, Tokio};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};

/// Children per `task_group_join` iteration.
const CHILDREN: u64 = 100_000;

/// Futures per `gather_ready` and `gather_pending` iteration.
const FUTURES: u64 = 100_000;

/// Pending on its first poll (after waking itself), ready on the second.
struct WokenOnce(Option<u64>, bool);

impl Future for WokenOnce {
    type Output = u64;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if self.1 {
            return Poll::Ready(self.0.take().unwrap_or_default());
        }
        self.1 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The structured-concurrency idioms of one runtime.
trait Structured: Runtime {
    /// Spawns `n` trivial children and waits for all of them.
    fn group_join(n: u64) -> impl Future<Output = ()> + Send + 'static;

    /// Runs `futures` concurrently in the current task; all outputs, in order.
    fn gather_all<F>(futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send,
        F::Output: Send;
}

impl Structured for Corio {
    async fn group_join(n: u64) {
        let group = corio::TaskGroup::<()>::new();
        for i in 0..n {
            // The child handle is not needed: dropping it leaves the child
            // in the group.
            group.spawn(async move {
                black_box(i);
                Ok(())
            });
        }
        group.join().await.expect("no child fails");
    }

    fn gather_all<F>(futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send,
        F::Output: Send,
    {
        corio::gather(futures)
    }
}

impl Structured for Tokio {
    async fn group_join(n: u64) {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..n {
            set.spawn(async move {
                black_box(i);
            });
        }
        while let Some(result) = set.join_next().await {
            result.expect("no child fails");
        }
    }

    fn gather_all<F>(futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send,
        F::Output: Send,
    {
        futures::future::join_all(futures)
    }
}

/// smol has no task group: spawn every child, then await each in turn.
async fn smol_group_join<R: Runtime>(n: u64) {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            R::spawn(async move {
                black_box(i);
            })
        })
        .collect();
    for task in tasks {
        task.await;
    }
}

impl Structured for SmolMulti {
    fn group_join(n: u64) -> impl Future<Output = ()> + Send + 'static {
        smol_group_join::<Self>(n)
    }

    fn gather_all<F>(futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send,
        F::Output: Send,
    {
        futures::future::join_all(futures)
    }
}

impl Structured for SmolLocal {
    fn group_join(n: u64) -> impl Future<Output = ()> + Send + 'static {
        smol_group_join::<Self>(n)
    }

    fn gather_all<F>(futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send,
        F::Output: Send,
    {
        futures::future::join_all(futures)
    }
}

/// One scenario, measured on one runtime.
trait StructuredScenario {
    const NAME: &'static str;
    const OPS: u64;

    fn run<R: Structured>(runtime: &R);
}

struct TaskGroupJoin;

impl StructuredScenario for TaskGroupJoin {
    const NAME: &'static str = "task_group_join";
    const OPS: u64 = CHILDREN;

    fn run<R: Structured>(runtime: &R) {
        runtime.run_in_task(R::group_join(CHILDREN));
    }
}

struct GatherReady;

impl StructuredScenario for GatherReady {
    const NAME: &'static str = "gather_ready";
    const OPS: u64 = FUTURES;

    fn run<R: Structured>(runtime: &R) {
        runtime.run_in_task(async {
            let futures: Vec<_> = (0..FUTURES).map(std::future::ready).collect();
            black_box(R::gather_all(futures).await.len());
        });
    }
}

struct GatherPending;

impl StructuredScenario for GatherPending {
    const NAME: &'static str = "gather_pending";
    const OPS: u64 = FUTURES;

    fn run<R: Structured>(runtime: &R) {
        runtime.run_in_task(async {
            let futures: Vec<_> = (0..FUTURES).map(|i| WokenOnce(Some(i), false)).collect();
            black_box(R::gather_all(futures).await.len());
        });
    }
}

fn bench_on<S: StructuredScenario, R: Structured>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    start: impl FnOnce() -> R,
) {
    // Started on first use, so a filtered-out function starts nothing, and
    // dropped (threads stopped) before the next runtime starts.
    let mut start = Some(start);
    let mut runtime: Option<R> = None;
    group.bench_function(name, |bencher| {
        let runtime = runtime.get_or_insert_with(|| (start.take().expect("started once"))());
        bencher.iter(|| S::run(runtime));
    });
}

fn bench_scenario<S: StructuredScenario>(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group(S::NAME);
    group.throughput(Throughput::Elements(S::OPS));
    // One iteration takes milliseconds.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    bench_on::<S, _>(&mut group, "corio", || Corio::start("corio", 2));
    bench_on::<S, _>(&mut group, "corio-1w", || Corio::start("corio-1w", 1));
    bench_on::<S, _>(&mut group, "tokio-mt", Tokio::multi_thread);
    bench_on::<S, _>(&mut group, "tokio-ct", Tokio::current_thread);
    bench_on::<S, _>(&mut group, "smol", SmolMulti::start);
    bench_on::<S, _>(&mut group, "smol-local", SmolLocal::start);
    group.finish();
}

fn main() {
    let mut criterion = corio_benches::criterion();
    bench_scenario::<TaskGroupJoin>(&mut criterion);
    bench_scenario::<GatherReady>(&mut criterion);
    bench_scenario::<GatherPending>(&mut criterion);
    criterion.final_summary();
}
