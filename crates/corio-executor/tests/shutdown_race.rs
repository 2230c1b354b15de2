//! `Handle::spawn` from foreign threads racing a runtime's shutdown: every
//! future is run or dropped, exactly once, and every handle resolves (a
//! task that never ran reports cancellation); after the shutdown a spawn
//! is cancelled at once, its future dropped on the calling thread; local
//! tasks of other workers still alive when the shutdown forces the end are
//! dropped too.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corio::task::Task;

const ROUNDS: usize = 300;
const THREADS: usize = 3;
const SPAWNS: usize = 300;

/// What became of each future of a round, by its number.
struct Ledger {
    /// How many times each future was dropped: exactly once is right.
    drops: Vec<AtomicU8>,
    /// Whether each future was polled at least once.
    ran: Vec<AtomicBool>,
}

impl Ledger {
    fn new(n: usize) -> Arc<Ledger> {
        Arc::new(Ledger {
            drops: (0..n).map(|_| AtomicU8::new(0)).collect(),
            ran: (0..n).map(|_| AtomicBool::new(false)).collect(),
        })
    }
}

/// Owned by one future: records the future's first poll and its drop.
struct Guard {
    ledger: Arc<Ledger>,
    n: usize,
}

impl Guard {
    fn ran(&self) {
        self.ledger.ran[self.n].store(true, Ordering::SeqCst);
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.ledger.drops[self.n].fetch_add(1, Ordering::SeqCst);
    }
}

/// A future of one of three kinds: done at once, done after a few yields,
/// or never done (it can only be cancelled).
async fn work(guard: Guard) {
    guard.ran();
    match guard.n % 3 {
        0 => {}
        1 => {
            for _ in 0..3 {
                corio::yield_now().await;
            }
        }
        _ => std::future::pending::<()>().await,
    }
    drop(guard);
}

/// Awaits every handle from a runtime of its own, each within a bound, so
/// a handle that never resolves fails the test instead of hanging it.
/// Returns the handles' results: `Ok` or whether the error is a
/// cancellation.
fn outcomes(tasks: Vec<(usize, Task<()>)>) -> Vec<(usize, Result<(), bool>)> {
    corio::Runner::builder()
        .workers(1)
        .build()
        .unwrap()
        .run(async move {
            let deadline = Instant::now() + Duration::from_secs(20);
            let mut out = Vec::with_capacity(tasks.len());
            for (n, task) in tasks {
                let left = deadline.saturating_duration_since(Instant::now());
                match corio::timeout(left, task).await {
                    Ok(result) => out.push((n, result.map_err(|e| e.is_cancelled()))),
                    Err(_) => panic!("the handle of future {n} never resolved"),
                }
            }
            out
        })
}

#[test]
fn spawns_racing_shutdown_are_each_run_or_dropped_once() {
    let started = Instant::now();
    let mut cancelled_unrun = 0;
    for round in 0..ROUNDS {
        let ledger = Ledger::new(THREADS * SPAWNS);
        let workers = 1 + round % 2;
        let runner = corio::Runner::builder().workers(workers).build().unwrap();
        let go = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let handle = runner.handle();
                let ledger = ledger.clone();
                let go = go.clone();
                std::thread::spawn(move || {
                    go.fetch_add(1, Ordering::SeqCst);
                    let mut tasks = Vec::with_capacity(SPAWNS);
                    for i in 0..SPAWNS {
                        let n = t * SPAWNS + i;
                        let guard = Guard {
                            ledger: ledger.clone(),
                            n,
                        };
                        tasks.push((n, handle.spawn(work(guard))));
                        // Spread out, so the runtime runs out of live tasks
                        // now and then while spawns keep coming: the end of
                        // a runtime starts when none is left.
                        if i % 4 == 0 {
                            std::thread::sleep(Duration::from_micros(10));
                        }
                    }
                    tasks
                })
            })
            .collect();
        // Let the runtime run some of the spawns, then shut it down while
        // the threads are still spawning.
        while go.load(Ordering::SeqCst) < THREADS {
            std::thread::yield_now();
        }
        runner.run(async move {
            for _ in 0..round % 4 {
                corio::yield_now().await;
            }
        });
        drop(runner);
        let tasks: Vec<(usize, Task<()>)> = threads
            .into_iter()
            .flat_map(|t| t.join().expect("a spawning thread panicked"))
            .collect();
        assert_eq!(tasks.len(), THREADS * SPAWNS);
        // The runtime is gone and so are the threads: every future has been
        // dropped, once.
        for (n, drops) in ledger.drops.iter().enumerate() {
            let drops = drops.load(Ordering::SeqCst);
            assert_eq!(
                drops,
                1,
                "round {round} ({workers} workers): future {n} was dropped {drops} times (ran: {})",
                ledger.ran[n].load(Ordering::SeqCst)
            );
        }
        for (n, result) in outcomes(tasks) {
            let ran = ledger.ran[n].load(Ordering::SeqCst);
            match result {
                Ok(()) => assert!(ran, "round {round}: future {n} finished without running"),
                Err(cancelled) => {
                    assert!(cancelled, "round {round}: future {n} failed, not cancelled");
                    cancelled_unrun += usize::from(!ran);
                }
            }
            if n % 3 == 2 {
                assert!(
                    result.is_err(),
                    "round {round}: a pending future {n} finished"
                );
            }
        }
    }
    // Shutdown came while spawns were coming in: some were refused.
    assert!(cancelled_unrun > 0, "no spawn ever raced the shutdown");
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "the rounds took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_spawn_after_shutdown_is_cancelled_and_dropped_on_the_calling_thread() {
    let ledger = Ledger::new(2);
    let runner = corio::Runner::builder().workers(2).build().unwrap();
    let handle = runner.handle();
    drop(runner);
    let dropped_on = Arc::new(std::sync::Mutex::new(None));
    struct Where(Arc<std::sync::Mutex<Option<std::thread::ThreadId>>>);
    impl Drop for Where {
        fn drop(&mut self) {
            *self.0.lock().unwrap() = Some(std::thread::current().id());
        }
    }
    let spot = Where(dropped_on.clone());
    let guard = Guard {
        ledger: ledger.clone(),
        n: 0,
    };
    let task = handle.spawn(async move {
        let _spot = spot;
        work(guard).await;
    });
    // Dropped before `spawn` returned, here, without running.
    assert_eq!(
        *dropped_on.lock().unwrap(),
        Some(std::thread::current().id())
    );
    assert_eq!(ledger.drops[0].load(Ordering::SeqCst), 1);
    assert!(!ledger.ran[0].load(Ordering::SeqCst));
    assert!(task.is_done());
    // From another thread too, with the runtime's handle as the last one.
    let other = std::thread::spawn(move || {
        let guard = Guard {
            ledger: ledger.clone(),
            n: 1,
        };
        let task = handle.spawn(work(guard));
        drop(handle);
        (task, ledger)
    });
    let (other_task, ledger) = other.join().unwrap();
    assert_eq!(ledger.drops[1].load(Ordering::SeqCst), 1);
    assert!(!ledger.ran[1].load(Ordering::SeqCst));
    let results = outcomes(vec![(0, task), (1, other_task)]);
    for (n, result) in results {
        assert_eq!(
            result,
            Err(true),
            "the handle of spawn {n} is not cancelled"
        );
    }
}

/// Local tasks of a worker other than the runner's, still cleaning up when
/// the shutdown timeout ends: one busy (so its worker keeps looking for
/// work), one waiting. Both are dropped, once, on their worker.
#[test]
fn local_tasks_past_the_timeout_on_another_worker_are_dropped_once() {
    for round in 0..40 {
        let ledger = Ledger::new(2);
        let runner = corio::Runner::builder()
            .workers(2)
            .shutdown_timeout(Duration::from_millis(20))
            .build()
            .unwrap();
        let placed = Arc::new(AtomicBool::new(false));
        let on_worker = runner.run({
            let (ledger, placed) = (ledger.clone(), placed.clone());
            async move {
                let deadline = Instant::now() + Duration::from_secs(10);
                while !placed.load(Ordering::SeqCst) && Instant::now() < deadline {
                    for _ in 0..8 {
                        let (ledger, placed) = (ledger.clone(), placed.clone());
                        corio::spawn(async move {
                            let here = std::thread::current();
                            if here.name() != Some("corio-worker-1")
                                || placed.swap(true, Ordering::SeqCst)
                            {
                                return;
                            }
                            let busy = Guard {
                                ledger: ledger.clone(),
                                n: 0,
                            };
                            corio::spawn_local(async move {
                                busy.ran();
                                corio::task::cancelled().await;
                                loop {
                                    corio::yield_now().await;
                                }
                            })
                            .detach();
                            let waiting = Guard { ledger, n: 1 };
                            corio::spawn_local(async move {
                                waiting.ran();
                                corio::task::cancelled().await;
                                corio::sleep(Duration::from_secs(3600)).await;
                            })
                            .detach();
                        })
                        .detach();
                    }
                    corio::sleep(Duration::from_millis(1)).await;
                }
                // Let both start.
                corio::sleep(Duration::from_millis(5)).await;
                placed.load(Ordering::SeqCst)
            }
        });
        assert!(
            on_worker,
            "round {round}: no task ever ran on the second worker"
        );
        drop(runner);
        for n in 0..2 {
            assert!(
                ledger.ran[n].load(Ordering::SeqCst),
                "round {round}: task {n} never ran"
            );
            let drops = ledger.drops[n].load(Ordering::SeqCst);
            assert_eq!(
                drops, 1,
                "round {round}: local task {n} was dropped {drops} times"
            );
        }
    }
}
