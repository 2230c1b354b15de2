//! Cancellation and structured concurrency at their edges: groups that
//! drain before their owner is done, `join` after stored outputs, panics
//! while cancelling, cancel counts, a second cancel, self-cancellation,
//! `TaskGroup::cancel`, eager start, and shutdown like `asyncio.run`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corio::sync::Event;
use corio::{Runner, TaskGroup};

/// Counts how many times it was dropped.
struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Panics when dropped.
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("failed while cancelling");
    }
}

fn runner(workers: usize) -> Runner {
    Runner::builder().workers(workers).build().unwrap()
}

/// Counts guards made and dropped.
#[derive(Clone, Default)]
struct Census {
    made: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
}

impl Census {
    fn guard(&self) -> DropGuard {
        self.made.fetch_add(1, Ordering::SeqCst);
        DropGuard(self.dropped.clone())
    }

    fn alive(&self) -> usize {
        self.made.load(Ordering::SeqCst) - self.dropped.load(Ordering::SeqCst)
    }
}

fn owner_cancel_drains(workers: usize, rounds: usize, nested: bool) {
    let rt = runner(workers);
    for round in 0..rounds {
        let census = Census::default();
        let started = Arc::new(AtomicUsize::new(0));
        let expected = if nested { 8 + 8 * 2 } else { 8 };
        let (outcome, alive) = rt.run({
            let census = census.clone();
            let started = started.clone();
            async move {
                let c = census.clone();
                let s = started.clone();
                let owner = corio::spawn(async move {
                    let started = s;
                    let group = TaskGroup::<()>::new();
                    for _ in 0..8 {
                        let census = c.clone();
                        let started = started.clone();
                        group.spawn(async move {
                            let _guard = census.guard();
                            if nested {
                                let inner = TaskGroup::<()>::new();
                                for _ in 0..2 {
                                    let guard = census.guard();
                                    let started = started.clone();
                                    inner.spawn(async move {
                                        let _guard = guard;
                                        started.fetch_add(1, Ordering::SeqCst);
                                        corio::sleep(Duration::from_secs(3600)).await;
                                        Ok(())
                                    });
                                }
                                started.fetch_add(1, Ordering::SeqCst);
                                inner.join().await.unwrap();
                            } else {
                                started.fetch_add(1, Ordering::SeqCst);
                                corio::sleep(Duration::from_secs(3600)).await;
                            }
                            Ok(())
                        });
                    }
                    group.join().await
                });
                // Cancel sometimes before the children started, mostly after.
                if round % 4 != 0 {
                    while started.load(Ordering::SeqCst) < expected {
                        corio::yield_now().await;
                    }
                }
                owner.cancel();
                let outcome = owner.await;
                (outcome, census.alive())
            }
        });
        assert!(outcome.unwrap_err().is_cancelled());
        assert_eq!(
            alive, 0,
            "round {round}: the owner finished while {alive} children were alive"
        );
        if round % 4 != 0 {
            assert_eq!(census.made.load(Ordering::SeqCst), expected);
        }
    }
}

#[test]
fn a_cancelled_owner_finishes_after_every_child_one_worker() {
    owner_cancel_drains(1, 1000, false);
}

#[test]
fn a_cancelled_owner_finishes_after_every_child_two_workers() {
    owner_cancel_drains(2, 1000, false);
}

#[test]
fn a_cancelled_owner_finishes_after_every_grandchild_one_worker() {
    owner_cancel_drains(1, 300, true);
}

#[test]
fn a_cancelled_owner_finishes_after_every_grandchild_two_workers() {
    owner_cancel_drains(2, 300, true);
}

#[test]
fn a_group_dropped_by_an_early_return_drains_before_the_owner_is_done() {
    for workers in [1, 2] {
        let rt = runner(workers);
        for _ in 0..200 {
            let dropped = Arc::new(AtomicUsize::new(0));
            let d = dropped.clone();
            let seen = rt.run(async move {
                let d2 = d.clone();
                let owner = corio::spawn(async move {
                    let d = d2;
                    let group = TaskGroup::<()>::new();
                    for _ in 0..4 {
                        let guard = DropGuard(d.clone());
                        group.spawn(async move {
                            let _guard = guard;
                            corio::sleep(Duration::from_secs(3600)).await;
                            Ok(())
                        });
                    }
                    corio::yield_now().await;
                    // The body gives up before `join`: the group is dropped.
                    Err::<(), _>("gave up")
                });
                assert_eq!(owner.await.unwrap(), Err("gave up"));
                d.load(Ordering::SeqCst)
            });
            assert_eq!(seen, 4);
        }
    }
}

#[test]
fn after_join_every_child_handle_is_done() {
    for workers in [1, 2] {
        let rt = runner(workers);
        for round in 0..1000 {
            rt.run(async move {
                let group = TaskGroup::<()>::new();
                let children: Vec<_> = (0..4)
                    .map(|i| {
                        group.spawn(async move {
                            if (round + i) % 2 == 0 {
                                corio::yield_now().await;
                            }
                            Ok(i)
                        })
                    })
                    .collect();
                group.join().await.unwrap();
                for (i, child) in children.into_iter().enumerate() {
                    assert!(
                        child.is_done(),
                        "round {round}: child {i} not done after join"
                    );
                    // Ready at its first poll.
                    let value = futures_lite::future::poll_once(child).await;
                    assert_eq!(value.unwrap().unwrap(), i);
                }
            });
        }
    }
}

#[test]
fn a_panic_while_cancelling_reaches_the_handle() {
    corio::run(async {
        let task = corio::spawn(async {
            let _bomb = PanicOnDrop;
            std::future::pending::<()>().await;
        });
        corio::yield_now().await;
        task.cancel();
        let err = task.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.panic_message(), Some("failed while cancelling"));
    });
}

#[test]
fn a_panic_while_cancelling_is_a_failure_of_the_group() {
    for workers in [1, 2] {
        let err = runner(workers).run(async {
            let group = TaskGroup::new();
            let bomb = group.spawn_named("bomb", async {
                let _bomb = PanicOnDrop;
                std::future::pending::<Result<(), &str>>().await
            });
            group.spawn_named("trigger", async {
                corio::sleep(Duration::from_millis(5)).await;
                Err::<(), _>("first failure")
            });
            let err = group.join().await.unwrap_err();
            assert!(bomb.await.unwrap_err().is_failed());
            err
        });
        assert_eq!(err.len(), 2, "{err:?}");
        let names: Vec<_> = err.iter().map(|f| f.name()).collect();
        assert_eq!(names, [Some("trigger"), Some("bomb")]);
        let bomb = err.iter().nth(1).unwrap();
        assert!(bomb.is_panic());
        assert_eq!(bomb.panic_message(), Some("failed while cancelling"));
    }
}

#[test]
fn a_second_cancel_stops_a_hung_cleanup() {
    corio::run(async {
        let in_cleanup = Arc::new(Event::new());
        let flag = in_cleanup.clone();
        let dropped = Arc::new(AtomicUsize::new(0));
        let guard = DropGuard(dropped.clone());
        let task = corio::spawn(async move {
            let _guard = guard;
            corio::task::cancelled().await;
            flag.set();
            // A cleanup that never ends.
            std::future::pending::<()>().await;
        });
        corio::yield_now().await;
        task.cancel();
        in_cleanup.wait().await;
        assert_eq!(task.cancelling(), 1);
        assert!(!task.is_done());
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn cancelling_and_uncancel_count_as_asyncio_does() {
    corio::run(async {
        let gate = Arc::new(Event::new());
        let g = gate.clone();
        let task = corio::spawn(async move {
            // Holding a `cancelled()` future makes a request wake the task
            // rather than drop it.
            let _stop = corio::task::cancelled();
            g.wait().await;
            "finished"
        });
        corio::yield_now().await;
        assert_eq!(task.cancelling(), 0);
        assert!(task.cancel());
        assert!(task.cancel());
        assert_eq!(task.cancelling(), 2);
        assert_eq!(task.uncancel(), 1);
        assert_eq!(task.uncancel(), 0);
        assert_eq!(task.uncancel(), 0, "nothing left to withdraw");
        // Every request withdrawn: the task finishes with its value.
        gate.set();
        assert_eq!(task.await.unwrap(), "finished");
    });
}

#[test]
fn a_task_cancelled_while_it_completes_ends_cancelled() {
    for workers in [1, 2] {
        runner(workers).run(async {
            // test_cancel_at_end: a request made during the last poll wins
            // over the value, as asyncio's pending request does.
            let task = corio::spawn(async {
                corio::task::current().unwrap().cancel();
                12
            });
            assert!(task.await.unwrap_err().is_cancelled());
            // ... unless the task saw the request and chose to finish.
            let task = corio::spawn(async {
                let stop = corio::task::cancelled();
                corio::task::current().unwrap().cancel();
                stop.await;
                12
            });
            assert_eq!(task.await.unwrap(), 12);
        });
    }
}

#[test]
fn uncancel_to_zero_makes_the_next_cancel_a_first_request() {
    corio::run(async {
        let rounds = Arc::new(AtomicUsize::new(0));
        let r = rounds.clone();
        let task = corio::spawn(async move {
            loop {
                corio::task::cancelled().await;
                r.fetch_add(1, Ordering::SeqCst);
                // Claim the cancellation and carry on, as `asyncio.timeout`
                // does with the request it made itself.
                corio::task::current().unwrap().uncancel();
                if r.load(Ordering::SeqCst) == 3 {
                    return "done";
                }
            }
        });
        for n in 1..=3 {
            corio::yield_now().await;
            task.cancel();
            while rounds.load(Ordering::SeqCst) < n && !task.is_done() {
                corio::yield_now().await;
            }
        }
        assert_eq!(task.await.unwrap(), "done");
    });
}

#[test]
fn a_task_cancels_itself_through_current() {
    for workers in [1, 2] {
        runner(workers).run(async {
            let reached = Arc::new(AtomicBool::new(false));
            let r = reached.clone();
            let task = corio::spawn(async move {
                let me = corio::task::current().unwrap();
                assert!(me.cancel());
                assert_eq!(me.cancelling(), 1);
                corio::yield_now().await;
                r.store(true, Ordering::SeqCst);
            });
            assert!(task.await.unwrap_err().is_cancelled());
            assert!(!reached.load(Ordering::SeqCst));
        });
    }
}

#[test]
fn task_group_cancel_stops_every_child_without_an_error() {
    for workers in [1, 2] {
        runner(workers).run(async {
            let dropped = Arc::new(AtomicUsize::new(0));
            let group = TaskGroup::<()>::new();
            let spawner = group.spawner();
            let children: Vec<_> = (0..5)
                .map(|_| {
                    let guard = DropGuard(dropped.clone());
                    group.spawn(async move {
                        let _guard = guard;
                        std::future::pending::<Result<(), ()>>().await
                    })
                })
                .collect();
            drop(corio::spawn(async move {
                corio::sleep(Duration::from_millis(5)).await;
                spawner.cancel();
                // Spawned after the cancel: cancelled at birth.
                let late = spawner.spawn(async { Ok(()) });
                assert!(late.await.unwrap_err().is_cancelled());
            }));
            group.join().await.unwrap();
            assert_eq!(dropped.load(Ordering::SeqCst), 5);
            for child in children {
                assert!(child.await.unwrap_err().is_cancelled());
            }
        });
    }
}

#[test]
fn an_eager_task_that_does_not_wait_finishes_inside_spawn() {
    for workers in [1, 2] {
        runner(workers).run(async {
            let order = Arc::new(std::sync::Mutex::new(Vec::new()));
            let o = order.clone();
            let task = corio::task::Builder::new().eager(true).spawn(async move {
                o.lock().unwrap().push("task");
                7
            });
            order.lock().unwrap().push("spawner");
            assert!(task.is_done());
            assert_eq!(*order.lock().unwrap(), ["task", "spawner"]);
            assert_eq!(task.await.unwrap(), 7);
        });
    }
}

#[test]
fn an_eager_task_that_waits_runs_on_like_any_other() {
    let rt = Runner::builder()
        .workers(1)
        .eager_tasks(true)
        .build()
        .unwrap();
    rt.run(async {
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (a, b) = (order.clone(), order.clone());
        let task = corio::spawn(async move {
            a.lock().unwrap().push("first poll");
            corio::yield_now().await;
            a.lock().unwrap().push("second poll");
        });
        b.lock().unwrap().push("spawner");
        assert!(!task.is_done());
        task.await.unwrap();
        assert_eq!(
            *order.lock().unwrap(),
            ["first poll", "spawner", "second poll"]
        );
        // Per task, the builder overrides the runtime.
        let lazy = corio::task::Builder::new().eager(false).spawn(async { 1 });
        assert!(!lazy.is_done());
        assert_eq!(lazy.await.unwrap(), 1);
    });
}

#[test]
fn eager_children_of_a_group_are_joined_like_lazy_ones() {
    let rt = Runner::builder()
        .workers(2)
        .eager_tasks(true)
        .build()
        .unwrap();
    rt.run(async {
        let group = TaskGroup::<()>::new();
        let children: Vec<_> = (0..50).map(|i| group.spawn(async move { Ok(i) })).collect();
        group.join().await.unwrap();
        for (i, child) in children.into_iter().enumerate() {
            assert_eq!(child.await.unwrap(), i);
        }
    });
}

#[test]
fn deeply_nested_eager_spawns_do_not_overflow() {
    fn chain(n: u32) -> corio::Task<u32> {
        corio::task::Builder::new().eager(true).spawn(async move {
            if n == 0 {
                0
            } else {
                chain(n - 1).await.unwrap() + 1
            }
        })
    }
    corio::run(async {
        assert_eq!(chain(2_000).await.unwrap(), 2_000);
    });
}

#[test]
fn shutdown_runs_the_async_cleanup_of_every_cooperating_task() {
    for workers in [1, 2] {
        let cleaned = Arc::new(AtomicUsize::new(0));
        let dropped = Arc::new(AtomicUsize::new(0));
        let c = cleaned.clone();
        let d = dropped.clone();
        runner(workers).run(async move {
            let ready = Arc::new(AtomicUsize::new(0));
            for _ in 0..20 {
                let (c, ready) = (c.clone(), ready.clone());
                drop(corio::spawn(async move {
                    let stop = corio::task::cancelled();
                    ready.fetch_add(1, Ordering::SeqCst);
                    stop.await;
                    // Async cleanup: it waits, then reports.
                    corio::sleep(Duration::from_millis(2)).await;
                    c.fetch_add(1, Ordering::SeqCst);
                }));
            }
            // Tasks without cleanup are simply dropped.
            for _ in 0..5 {
                let guard = DropGuard(d.clone());
                drop(corio::spawn(async move {
                    let _guard = guard;
                    std::future::pending::<()>().await;
                }));
            }
            while ready.load(Ordering::SeqCst) < 20 {
                corio::yield_now().await;
            }
        });
        // `run` on a Runner leaves tasks alive; dropping it is the shutdown.
        // (The runner was a temporary, dropped at the end of the statement.)
        assert_eq!(cleaned.load(Ordering::SeqCst), 20, "{workers} workers");
        assert_eq!(dropped.load(Ordering::SeqCst), 5);
    }
}

#[test]
fn corio_run_cancels_what_is_left_when_main_returns() {
    let cleaned = Arc::new(AtomicUsize::new(0));
    let c = cleaned.clone();
    corio::run(async move {
        let ready = Arc::new(Event::new());
        let r = ready.clone();
        drop(corio::spawn(async move {
            let stop = corio::task::cancelled();
            r.set();
            stop.await;
            corio::yield_now().await;
            c.fetch_add(1, Ordering::SeqCst);
        }));
        ready.wait().await;
    });
    assert_eq!(cleaned.load(Ordering::SeqCst), 1);
}

#[test]
fn shutdown_timeout_bounds_a_hung_cleanup_and_a_stuck_blocking_call() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let d = dropped.clone();
    let rt = Runner::builder()
        .shutdown_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    rt.run(async move {
        let ready = Arc::new(Event::new());
        let r = ready.clone();
        let guard = DropGuard(d);
        drop(corio::spawn(async move {
            let _guard = guard;
            let stop = corio::task::cancelled();
            r.set();
            stop.await;
            // A cleanup that never ends.
            std::future::pending::<()>().await;
        }));
        ready.wait().await;
        let started = Arc::new(Event::new());
        let s = started.clone();
        drop(corio::to_thread(move || {
            s.set();
            std::thread::sleep(Duration::from_secs(4));
        }));
        started.wait().await;
    });
    let start = Instant::now();
    drop(rt);
    // Generous: the bound is 200 ms, the blocking call sleeps 4 s.
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
}
