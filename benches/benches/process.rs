//! Child processes: spawn-and-wait of many `true` children, with corio's
//! `corio::subprocess` against `tokio::process` and smol's `async-process`.
//!
//! Groups are scenarios, functions are runtimes (`corio`, `corio-1w`,
//! `tokio-mt`, `tokio-ct`, `smol`, `smol-local`). One measured iteration is
//! a batch: `SPAWN_WAIT_OPS` tasks, each spawning `true` and awaiting its
//! exit, all at once.
//!
//! - `spawn_wait`: the cost of spawning, watching and reaping a child.

use std::future::Future;

use corio_benches::{Corio, Runtime, SmolLocal, SmolMulti, Tokio, criterion};
use criterion::{Criterion, SamplingMode, Throughput};

/// Children per batch.
const SPAWN_WAIT_OPS: u64 = 500;

/// The child-process API a runtime brings.
trait Process: Runtime {
    /// Spawns `true` and waits for it to exit successfully.
    fn run_true() -> impl Future<Output = ()> + Send;
}

impl Process for Corio {
    async fn run_true() {
        let mut child = corio::subprocess::Command::new("true").spawn().unwrap();
        assert!(child.wait().await.unwrap().success());
    }
}

impl Process for Tokio {
    async fn run_true() {
        let mut child = tokio::process::Command::new("true").spawn().unwrap();
        assert!(child.wait().await.unwrap().success());
    }
}

macro_rules! async_process {
    ($rt:ty) => {
        impl Process for $rt {
            async fn run_true() {
                let mut child = async_process::Command::new("true").spawn().unwrap();
                assert!(child.status().await.unwrap().success());
            }
        }
    };
}
async_process!(SmolMulti);
async_process!(SmolLocal);

async fn spawn_wait_batch<P: Process>(n: u64) {
    let tasks: Vec<_> = (0..n).map(|_| P::spawn(P::run_true())).collect();
    for task in tasks {
        task.await;
    }
}

fn scenario(c: &mut Criterion, name: &str, ops: u64) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(ops));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    fn on<R: Process>(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        start: impl FnOnce() -> R,
        ops: u64,
    ) {
        let mut runtime = None;
        let mut start = Some(start);
        group.bench_function(name, |b| {
            let rt = runtime.get_or_insert_with(|| (start.take().expect("started once"))());
            b.iter(|| rt.run_in_task(spawn_wait_batch::<R>(ops)));
        });
    }
    on(&mut group, "corio", || Corio::start("corio", 2), ops);
    on(&mut group, "corio-1w", || Corio::start("corio-1w", 1), ops);
    on(&mut group, "tokio-mt", Tokio::multi_thread, ops);
    on(&mut group, "tokio-ct", Tokio::current_thread, ops);
    on(&mut group, "smol", SmolMulti::start, ops);
    on(&mut group, "smol-local", SmolLocal::start, ops);
    group.finish();
}

fn main() {
    let mut c = criterion();
    scenario(&mut c, "spawn_wait", SPAWN_WAIT_OPS);
    c.final_summary();
}
