//! Behaviour of tasks: concurrency, results, cancellation, panics, names,
//! local tasks, workers and shutdown.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corio::Runner;
use corio::task::{self, TaskState};

/// Counts how many times it was dropped.
struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn one_worker() -> Runner {
    Runner::builder().workers(1).build().unwrap()
}

#[test]
fn tasks_run_concurrently_and_results_come_back_in_spawn_order() {
    let runner = one_worker();
    let (results, elapsed) = runner.run(async {
        let start = Instant::now();
        let tasks: Vec<_> = [400u64, 300, 200]
            .into_iter()
            .map(|ms| {
                corio::spawn(async move {
                    corio::sleep(Duration::from_millis(ms)).await;
                    ms
                })
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        (results, start.elapsed())
    });
    assert_eq!(results, [400, 300, 200]);
    assert!(elapsed >= Duration::from_millis(400));
    assert!(
        elapsed < Duration::from_millis(850),
        "a sequential run takes 900 ms; this took {elapsed:?}"
    );
}

#[test]
fn cancel_runs_drop_guards_and_reports_cancelled() {
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropGuard(drops.clone());
    corio::run(async move {
        let task = corio::spawn(async move {
            let _guard = guard;
            corio::sleep(Duration::from_secs(3600)).await;
        });
        corio::sleep(Duration::from_millis(5)).await;
        assert!(!task.is_done());
        assert!(task.cancel());
        let err = task.await.unwrap_err();
        assert!(err.is_cancelled());
        assert!(err.to_string().contains("was cancelled"));
    });
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn cancelling_a_finished_task_returns_false_and_changes_nothing() {
    corio::run(async {
        let task = corio::spawn(async { 5 });
        while !task.is_done() {
            corio::yield_now().await;
        }
        assert!(!task.cancel());
        assert!(!task.is_cancel_requested());
        assert_eq!(task.await.unwrap(), 5);
    });
}

#[test]
fn a_cancelled_task_that_never_started_never_runs() {
    let runner = one_worker();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    runner.run(async move {
        let task = corio::spawn(async move { r.fetch_add(1, Ordering::SeqCst) });
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
    });
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn a_panic_is_returned_to_the_awaiter_and_everything_else_carries_on() {
    corio::run(async {
        let bystander = corio::spawn(async {
            corio::sleep(Duration::from_millis(20)).await;
            "still fine"
        });
        let failing = task::Builder::new()
            .name("doomed")
            .spawn(async { panic!("kaboom") });
        let err = failing.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.panic_message(), Some("kaboom"));
        assert_eq!(err.name(), Some("doomed"));
        assert!(err.to_string().contains("\"doomed\""), "{err}");
        assert_eq!(bystander.await.unwrap(), "still fine");
        // The runtime keeps spawning after a panic.
        assert_eq!(corio::spawn(async { 1 }).await.unwrap(), 1);
    });
}

#[test]
fn spawn_local_accepts_rc_and_runs_on_the_spawning_thread() {
    let runner = Runner::builder().workers(2).build().unwrap();
    runner.run(async {
        let here = std::thread::current().id();
        let counter = Rc::new(Cell::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let counter = counter.clone();
            tasks.push(corio::spawn_local(async move {
                corio::yield_now().await;
                counter.set(counter.get() + 1);
                std::thread::current().id()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), here);
        }
        assert_eq!(counter.get(), 50);
    });
}

#[test]
fn spawn_uses_several_workers() {
    let runner = Runner::builder().workers(2).build().unwrap();
    let threads = runner.run(async {
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                corio::spawn(async {
                    // Blocking on purpose: keeps this worker busy so the
                    // other one has to steal.
                    std::thread::sleep(Duration::from_millis(2));
                    std::thread::current().id()
                })
            })
            .collect();
        let mut threads = std::collections::HashSet::new();
        for t in tasks {
            threads.insert(t.await.unwrap());
        }
        threads
    });
    assert_eq!(threads.len(), 2, "both workers ran tasks");
}

#[test]
fn run_returns_with_detached_tasks_pending_and_drops_them() {
    let drops = Arc::new(AtomicUsize::new(0));
    for workers in [1, 2] {
        let d = drops.clone();
        let runner = Runner::builder().workers(workers).build().unwrap();
        runner.run(async move {
            for _ in 0..10 {
                let guard = DropGuard(d.clone());
                corio::spawn(async move {
                    let _guard = guard;
                    std::future::pending::<()>().await;
                })
                .detach();
            }
            let guard = DropGuard(d.clone());
            corio::spawn_local(async move {
                let _guard = guard;
                corio::sleep(Duration::from_secs(3600)).await;
            })
            .detach();
            corio::sleep(Duration::from_millis(5)).await;
        });
        drop(runner);
    }
    assert_eq!(drops.load(Ordering::SeqCst), 22);
}

#[test]
fn dropping_a_handle_detaches_the_task() {
    corio::run(async {
        let (tx, rx) = std::sync::mpsc::channel();
        drop(corio::spawn(async move {
            corio::sleep(Duration::from_millis(5)).await;
            tx.send("finished").unwrap();
        }));
        let start = std::time::Instant::now();
        let got = loop {
            if let Ok(got) = rx.try_recv() {
                break got;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "never finished");
            corio::sleep(Duration::from_millis(5)).await;
        };
        assert_eq!(got, "finished");
    });
}

#[test]
fn names_ids_current_and_all() {
    // One worker, so that no other thread is polling `parked` while its
    // state is read.
    one_worker().run(async {
        let parked = task::Builder::new()
            .name("parked")
            .spawn(std::future::pending::<()>());
        let me = task::Builder::new().name("asker").spawn(async {
            let me = task::current().unwrap();
            (me.id(), me.name().map(String::from), me.state())
        });
        let asker_id = me.id();
        let (id, name, state) = me.await.unwrap();
        assert_eq!(id, asker_id);
        assert_eq!(name.as_deref(), Some("asker"));
        assert_eq!(state, TaskState::Running);

        corio::yield_now().await;
        let all = task::all();
        let info = all.iter().find(|t| t.id() == parked.id()).unwrap();
        assert_eq!(info.name(), Some("parked"));
        assert_eq!(info.state(), TaskState::Pending);
        assert!(info.location().file().ends_with("tasks.rs"));
        assert!(
            all.iter().all(|t| t.id() != asker_id),
            "finished tasks leave the list"
        );
        parked.cancel();
        let info = task::all().into_iter().find(|t| t.id() == parked.id());
        if let Some(info) = info {
            assert_eq!(info.state(), TaskState::Cancelling);
        }
        assert!(parked.await.unwrap_err().is_cancelled());
        assert!(task::current().is_none(), "the main future is not a task");
    });
}

#[test]
fn a_task_awaiting_cancelled_cleans_up_on_its_own_terms() {
    use futures_lite::FutureExt;
    corio::run(async {
        let task = corio::spawn(async {
            let work = async {
                corio::sleep(Duration::from_secs(3600)).await;
                "finished"
            };
            let cleanup = async {
                task::cancelled().await;
                // Async cleanup: it may await.
                corio::sleep(Duration::from_millis(2)).await;
                "cleaned up"
            };
            work.or(cleanup).await
        });
        corio::sleep(Duration::from_millis(5)).await;
        assert!(task.cancel());
        assert_eq!(task.await.unwrap(), "cleaned up");
    });
}

fn panic_message(err: &(dyn std::any::Any + Send)) -> String {
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .expect("a string panic payload")
}

#[test]
fn nested_run_panics_with_advice() {
    corio::run(async {
        let err = std::panic::catch_unwind(|| corio::run(async {})).unwrap_err();
        let msg = panic_message(&*err);
        assert!(msg.contains("inside a running corio runtime"), "{msg}");
        assert!(msg.contains(".await"), "{msg}");
    });
}

#[test]
fn spawn_outside_a_runtime_panics_with_advice() {
    let err = std::panic::catch_unwind(|| corio::spawn(async {})).unwrap_err();
    let msg = panic_message(&*err);
    assert!(msg.contains("outside a corio runtime"), "{msg}");
    assert!(msg.contains("corio::run"), "{msg}");
    let err = std::panic::catch_unwind(|| corio::spawn_local(async {})).unwrap_err();
    assert!(panic_message(&*err).contains("corio::run"));
}

#[test]
fn a_runner_keeps_tasks_between_runs() {
    let runner = one_worker();
    let (tx, rx) = std::sync::mpsc::channel();
    runner.run(async move {
        tx.send(corio::spawn(async {
            corio::sleep(Duration::from_millis(2)).await;
            9
        }))
        .unwrap();
    });
    let task = rx.recv().unwrap();
    assert_eq!(runner.run(task).unwrap(), 9);
    assert_eq!(
        runner
            .run(async { corio::spawn(async { 10 }).await })
            .unwrap(),
        10
    );
}

#[test]
fn workers_zero_is_an_error() {
    let err = Runner::builder().workers(0).build().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn many_tasks_on_many_workers_all_complete() {
    for workers in [1, 2, 4] {
        let runner = Runner::builder().workers(workers).build().unwrap();
        let total = runner.run(async {
            let tasks: Vec<_> = (0..10_000u64)
                .map(|i| {
                    corio::spawn(async move {
                        if i % 7 == 0 {
                            corio::yield_now().await;
                        }
                        i
                    })
                })
                .collect();
            let mut total = 0;
            for t in tasks {
                total += t.await.unwrap();
            }
            total
        });
        assert_eq!(total, 10_000 * 9_999 / 2, "workers = {workers}");
    }
}
