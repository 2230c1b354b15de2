//! Executor scenarios: spawning, yielding, waking and the blocking pool, on
//! corio, tokio and smol.
//!
//! Each measured iteration runs one whole batch; the `*_OPS` constants of
//! `corio_benches` give the operations per batch (see the crate docs).

use std::hint::black_box;
use std::sync::Arc;

use corio_benches::{
    CHAINED_SPAWN_OPS, Handoff, PING_PONG_OPS, Runtime, SPAWN_MANY_OPS, SPAWN_REMOTE_OPS, Scenario,
    TO_THREAD_OPS, YIELD_MANY_TASKS, YIELD_MANY_YIELDS, bench_scenario,
};
use criterion::Bencher;

/// Spawns trivial tasks from inside the runtime, then awaits them all.
struct SpawnMany;

impl Scenario for SpawnMany {
    const NAME: &'static str = "spawn_many";
    const OPS: u64 = SPAWN_MANY_OPS;
    const EAGER: bool = true;

    fn bench<R: Runtime>(runtime: &R, bencher: &mut Bencher<'_>) {
        bencher.iter(|| {
            runtime.run_in_task(async {
                let tasks: Vec<_> = (0..SPAWN_MANY_OPS)
                    .map(|i| R::spawn(async move { black_box(i) }))
                    .collect();
                for task in tasks {
                    black_box(task.await);
                }
            })
        });
    }
}

/// Spawns trivial tasks from the bench thread (outside the runtime) through
/// a handle, then awaits them all from inside.
struct SpawnRemote;

impl Scenario for SpawnRemote {
    const NAME: &'static str = "spawn_remote";
    const OPS: u64 = SPAWN_REMOTE_OPS;

    fn bench<R: Runtime>(runtime: &R, bencher: &mut Bencher<'_>) {
        bencher.iter(|| {
            let tasks: Vec<_> = (0..SPAWN_REMOTE_OPS)
                .map(|i| runtime.spawn_remote(async move { black_box(i) }))
                .collect();
            runtime.block_on(async move {
                for task in tasks {
                    black_box(task.await);
                }
            });
        });
    }
}

/// Many tasks yielding to the scheduler over and over.
struct YieldMany;

impl Scenario for YieldMany {
    const NAME: &'static str = "yield_many";
    const OPS: u64 = corio_benches::YIELD_MANY_OPS;

    fn bench<R: Runtime>(runtime: &R, bencher: &mut Bencher<'_>) {
        bencher.iter(|| {
            runtime.run_in_task(async {
                let tasks: Vec<_> = (0..YIELD_MANY_TASKS)
                    .map(|_| {
                        R::spawn(async {
                            for _ in 0..YIELD_MANY_YIELDS {
                                R::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await;
                }
            })
        });
    }
}

/// Two tasks handing a value back and forth through one-slot handoffs, so
/// each message is one wake-up of the other task.
struct PingPong;

impl Scenario for PingPong {
    const NAME: &'static str = "ping_pong";
    const OPS: u64 = PING_PONG_OPS;

    fn bench<R: Runtime>(runtime: &R, bencher: &mut Bencher<'_>) {
        bencher.iter(|| {
            runtime.run_in_task(async {
                let rounds = PING_PONG_OPS / 2;
                let ping = Arc::new(Handoff::new());
                let pong = Arc::new(Handoff::new());
                let echo = R::spawn({
                    let (ping, pong) = (ping.clone(), pong.clone());
                    async move {
                        for _ in 0..rounds {
                            let value = ping.recv().await;
                            pong.send(value).await;
                        }
                    }
                });
                let serve = R::spawn(async move {
                    for round in 0..rounds {
                        ping.send(round).await;
                        let value = pong.recv().await;
                        assert_eq!(value, round, "the handoff lost a message");
                    }
                });
                serve.await;
                echo.await;
            })
        });
    }
}

/// Each task spawns the next one; the last one signals the root.
struct ChainedSpawn;

impl ChainedSpawn {
    /// Spawns the link `left` steps from the end of the chain.
    fn link<R: Runtime>(done: Arc<Handoff>, left: u64) {
        if left == 0 {
            done.try_send(1).expect("the chain ended twice");
        } else {
            R::spawn_detached(async move { Self::link::<R>(done, left - 1) });
        }
    }
}

impl Scenario for ChainedSpawn {
    const NAME: &'static str = "chained_spawn";
    const OPS: u64 = CHAINED_SPAWN_OPS;
    const EAGER: bool = true;

    fn bench<R: Runtime>(runtime: &R, bencher: &mut Bencher<'_>) {
        bencher.iter(|| {
            runtime.run_in_task(async {
                let done = Arc::new(Handoff::new());
                Self::link::<R>(done.clone(), CHAINED_SPAWN_OPS);
                done.recv().await;
            })
        });
    }
}

/// Trivial blocking calls sent to the runtime's blocking pool one after
/// another (`to_thread`, `spawn_blocking`, `unblock`).
struct ToThread;

impl Scenario for ToThread {
    const NAME: &'static str = "to_thread";
    const OPS: u64 = TO_THREAD_OPS;
    const SLOW: bool = true;

    fn bench<R: Runtime>(runtime: &R, bencher: &mut Bencher<'_>) {
        bencher.iter(|| {
            runtime.run_in_task(async {
                for i in 0..TO_THREAD_OPS {
                    black_box(R::unblock(move || black_box(i).wrapping_mul(3)).await);
                }
            })
        });
    }
}

fn main() {
    let mut criterion = corio_benches::criterion();
    bench_scenario::<SpawnMany>(&mut criterion);
    bench_scenario::<SpawnRemote>(&mut criterion);
    bench_scenario::<YieldMany>(&mut criterion);
    bench_scenario::<PingPong>(&mut criterion);
    bench_scenario::<ChainedSpawn>(&mut criterion);
    bench_scenario::<ToThread>(&mut criterion);
    criterion.final_summary();
}
