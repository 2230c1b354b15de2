//! Timer scenarios: many concurrent sleeps and timeouts that never fire, on
//! corio, tokio and smol.
//!
//! Each measured iteration runs one whole batch; the `*_OPS` constants of
//! `corio_benches` give the operations per batch (see the crate docs).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use corio_benches::{
    Runtime, Scenario, TIMEOUT_READY_OPS, TIMERS_MAX_SLEEP_US, TIMERS_OPS, TIMERS_SEED,
    bench_scenario, sleep_plan,
};
use criterion::Bencher;

/// Many tasks each sleeping a random 0–5 ms; the measured time is the time
/// until all are done minus the longest sleep, that is the overhead the
/// runtime adds on top of the sleeping itself (including each timer's
/// lateness: a runtime that rounds sleeps up to whole milliseconds pays it).
struct Timers;

impl Scenario for Timers {
    const NAME: &'static str = "timers";
    const OPS: u64 = TIMERS_OPS;
    const SLOW: bool = true;

    fn bench<R: Runtime>(runtime: &R, bencher: &mut Bencher<'_>) {
        let plan: Arc<[Duration]> = sleep_plan(TIMERS_OPS, TIMERS_MAX_SLEEP_US, TIMERS_SEED).into();
        let longest = plan.iter().copied().max().unwrap_or_default();
        bencher.iter_custom(|iterations| {
            let mut overhead = Duration::ZERO;
            for _ in 0..iterations {
                let plan = plan.clone();
                let start = Instant::now();
                runtime.run_in_task(async move {
                    let tasks: Vec<_> = plan
                        .iter()
                        .map(|&sleep| R::spawn(R::sleep(sleep)))
                        .collect();
                    for task in tasks {
                        task.await;
                    }
                });
                overhead += start.elapsed().saturating_sub(longest);
            }
            overhead
        });
    }
}

/// `timeout(1 s, ready)` awaited over and over: the cost of arming and
/// dropping a timeout that never fires.
struct TimeoutReady;

impl Scenario for TimeoutReady {
    const NAME: &'static str = "timeout_ready";
    const OPS: u64 = TIMEOUT_READY_OPS;

    fn bench<R: Runtime>(runtime: &R, bencher: &mut Bencher<'_>) {
        bencher.iter(|| {
            runtime.run_in_task(async {
                for i in 0..TIMEOUT_READY_OPS {
                    let ready = std::future::ready(black_box(i));
                    black_box(R::timeout(Duration::from_secs(1), ready).await);
                }
            })
        });
    }
}

fn main() {
    let mut criterion = corio_benches::criterion();
    bench_scenario::<Timers>(&mut criterion);
    bench_scenario::<TimeoutReady>(&mut criterion);
    criterion.final_summary();
}
