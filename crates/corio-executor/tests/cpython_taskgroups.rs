//! CPython's `test_taskgroups.py` cancellation scenarios, rewritten for
//! `corio::TaskGroup`: failing children cancel their siblings, a cancelled
//! owner takes its children with it, nested groups, cleanup on cancellation.

// Ported from CPython `Lib/test/test_asyncio/test_taskgroups.py`
// (each scenario written anew; every test runs on one worker, on two workers
// and on one worker with eager tasks, as CPython runs the suite with and
// without the eager task factory):
//
//   test_taskgroup_01, test_taskgroup_02, test_taskgroup_03, test_taskgroup_04,
//   test_cancel_children_on_child_error, test_cancellation, test_taskgroup_07,
//   test_taskgroup_08, test_cancellation_in_body, test_taskgroup_09,
//   test_taskgroup_10, test_taskgroup_11, test_taskgroup_12, test_taskgroup_13,
//   test_taskgroup_14, test_taskgroup_15, test_taskgroup_17,
//   test_taskgroup_18, test_taskgroup_22, test_taskgroup_23, test_taskgroup_24,
//   test_taskgroup_25, test_taskgroup_task_name, test_name,
//   test_taskgroup_no_create_task_after_failure, test_taskgroup_finished,
//   test_coro_closed_when_tg_closed, test_cancelling_level_preserved,
//   test_nested_groups_both_cancelled, test_error_and_cancel,
//   test_cancels_task_if_created_during_creation,
//   test_cancellation_does_not_leak_out_of_tg
//
// Not applicable:
//
//   test_taskgroup_16: cancelling a task does not cancel the task it awaits
//     (a dropped `Task` handle detaches, by design), so nothing forwards it.
//   test_taskgroup_19: a child failure does not interrupt the owner's code
//     before `join` in corio, so there is no body exception to merge.
//   test_taskgroup_20, test_taskgroup_20a, test_taskgroup_21,
//     test_taskgroup_21a: KeyboardInterrupt / BaseException are Python-only.
//   test_taskgroup_task_context: context variables, not cancellation.
//   test_taskgroup_context_manager_exit_raises: an `async with` exit that
//     raises is Python-only syntax.
//   test_taskgroup_already_entered, test_taskgroup_double_enter,
//     test_taskgroup_not_entered, test_taskgroup_without_parent_task: a group
//     is not entered; `TaskGroup::new` makes one and `join` consumes it.
//   test_exception_refcycles_*: reference cycles and the GC are Python-only.

use std::collections::BTreeSet;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corio::structured::{ChildTask, Spawner};
use corio::sync::Event;
use corio::{TaskGroup, TaskGroupError};
use futures_lite::FutureExt;

/// The exceptions the CPython scenarios raise, as one error type per group.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Raised {
    ZeroDivision,
    MyExc,
    Runtime,
    Value,
    /// An inner group's failure, as it reaches the outer group (a nested
    /// `ExceptionGroup`): the kinds of the inner failures.
    Group(BTreeSet<&'static str>),
}

impl Raised {
    fn kind(&self) -> &'static str {
        match self {
            Raised::ZeroDivision => "ZeroDivisionError",
            Raised::MyExc => "MyExc",
            Raised::Runtime => "RuntimeError",
            Raised::Value => "ValueError",
            Raised::Group(_) => "ExceptionGroup",
        }
    }
}

impl std::fmt::Display for Raised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
    }
}

/// The set of failure kinds in a group's error (CPython's `get_error_types`);
/// a panic counts as "panic".
fn error_types(err: &TaskGroupError<Raised>) -> BTreeSet<&'static str> {
    err.iter()
        .map(|failure| match failure.error() {
            Some(e) => e.kind(),
            None => {
                assert!(failure.is_panic());
                "panic"
            }
        })
        .collect()
}

/// Turns an inner group's error into the error of the outer child.
fn nested(err: TaskGroupError<Raised>) -> Raised {
    Raised::Group(error_types(&err))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Adds `add` to a counter when dropped while armed: a future holding it
/// records that it was cancelled (dropped before it could disarm it), as
/// CPython's `except CancelledError: NUM += 1; raise` does.
struct OnCancel {
    counter: Arc<AtomicUsize>,
    add: usize,
    armed: bool,
}

impl OnCancel {
    fn new(counter: &Arc<AtomicUsize>, add: usize) -> OnCancel {
        OnCancel {
            counter: counter.clone(),
            add,
            armed: true,
        }
    }

    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for OnCancel {
    fn drop(&mut self) {
        if self.armed {
            self.counter.fetch_add(self.add, Ordering::SeqCst);
        }
    }
}

mod common;

/// Runs the scenario on one worker, on two, and on one with eager tasks.
fn on_each_runtime<F, Fut>(scenario: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    common::on_runtimes(common::ALL, scenario);
}

async fn sleep_then<T>(d: Duration, value: T) -> Result<T, Raised> {
    corio::sleep(d).await;
    Ok(value)
}

async fn crash_after(d: Duration, e: Raised) -> Result<(), Raised> {
    corio::sleep(d).await;
    Err(e)
}

#[test]
fn test_taskgroup_01() {
    on_each_runtime(|| async {
        let g = TaskGroup::new();
        let t1 = g.spawn(sleep_then(ms(10), 42));
        let t2 = g.spawn(sleep_then(ms(20), 11));
        g.join().await.unwrap();
        assert_eq!(t1.await.unwrap(), 42);
        assert_eq!(t2.await.unwrap(), 11);
    });
}

#[test]
fn test_taskgroup_02() {
    on_each_runtime(|| async {
        let g = TaskGroup::new();
        let t1 = g.spawn(sleep_then(ms(10), 42));
        corio::sleep(ms(15)).await;
        let t2 = g.spawn(sleep_then(ms(20), 11));
        g.join().await.unwrap();
        assert_eq!(t1.await.unwrap(), 42);
        assert_eq!(t2.await.unwrap(), 11);
    });
}

#[test]
fn test_taskgroup_03() {
    on_each_runtime(|| async {
        let g = TaskGroup::new();
        let t1 = g.spawn(sleep_then(Duration::from_secs(1), 42));
        corio::sleep(ms(15)).await;
        // Cancelling one child alone leaves the group working.
        assert!(t1.cancel());
        let t2 = g.spawn(sleep_then(ms(20), 11));
        g.join().await.unwrap();
        assert!(t1.await.unwrap_err().is_cancelled());
        assert_eq!(t2.await.unwrap(), 11);
    });
}

#[test]
fn test_taskgroup_04() {
    on_each_runtime(|| async {
        let num = Arc::new(AtomicUsize::new(0));
        let t2_cancel = Arc::new(AtomicUsize::new(0));
        let slot: Arc<Mutex<Option<ChildTask<()>>>> = Arc::new(Mutex::new(None));
        let runner = {
            let (num, t2_cancel, slot) = (num.clone(), t2_cancel.clone(), slot.clone());
            corio::spawn(async move {
                let g = TaskGroup::new();
                g.spawn(crash_after(ms(10), Raised::ZeroDivision));
                let n = num.clone();
                let t2 = g.spawn(async move {
                    let probe = OnCancel::new(&t2_cancel, 1);
                    corio::sleep(Duration::from_secs(1)).await;
                    probe.disarm();
                    n.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                });
                *slot.lock().unwrap() = Some(t2);
                g.join().await?;
                num.fetch_add(10, Ordering::SeqCst);
                Ok::<(), TaskGroupError<Raised>>(())
            })
        };
        let err = runner.await.unwrap().unwrap_err();
        assert_eq!(error_types(&err), BTreeSet::from(["ZeroDivisionError"]));
        assert_eq!(num.load(Ordering::SeqCst), 0);
        assert_eq!(t2_cancel.load(Ordering::SeqCst), 1);
        let t2 = slot.lock().unwrap().take().unwrap();
        assert!(t2.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn test_cancel_children_on_child_error() {
    // corio does not interrupt the owner's code before `join` when a child
    // fails (CPython cancels the `async with` body), so the owner waits in
    // `join` and CPython's `runner_cancel` has no counterpart.
    on_each_runtime(|| async {
        let num = Arc::new(AtomicUsize::new(0));
        let t2_cancel = Arc::new(AtomicUsize::new(0));
        let runner = {
            let (num, t2_cancel) = (num.clone(), t2_cancel.clone());
            corio::spawn(async move {
                let g = TaskGroup::new();
                for _ in 0..3 {
                    g.spawn(crash_after(ms(10), Raised::ZeroDivision));
                }
                let n = num.clone();
                g.spawn(async move {
                    let probe = OnCancel::new(&t2_cancel, 1);
                    corio::sleep(Duration::from_secs(5)).await;
                    probe.disarm();
                    n.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                });
                g.join().await?;
                num.fetch_add(10, Ordering::SeqCst);
                Ok::<(), TaskGroupError<Raised>>(())
            })
        };
        let err = runner.await.unwrap().unwrap_err();
        // The three crashes race with the cancellation, so one to three of
        // them are reported; all of the same kind.
        assert!((1..=3).contains(&err.len()), "{} failures", err.len());
        assert_eq!(error_types(&err), BTreeSet::from(["ZeroDivisionError"]));
        assert_eq!(num.load(Ordering::SeqCst), 0);
        assert_eq!(t2_cancel.load(Ordering::SeqCst), 1);
    });
}

/// Spawns five children that each count their own cancellation.
fn five_sleepers(g: &TaskGroup<Raised>, num: &Arc<AtomicUsize>) {
    for _ in 0..5 {
        let probe = OnCancel::new(num, 1);
        g.spawn(async move {
            corio::sleep(Duration::from_secs(5)).await;
            probe.disarm();
            Ok(())
        });
    }
}

#[test]
fn test_cancellation() {
    on_each_runtime(|| async {
        let num = Arc::new(AtomicUsize::new(0));
        let r = {
            let num = num.clone();
            corio::spawn(async move {
                let g = TaskGroup::new();
                five_sleepers(&g, &num);
                g.join().await
            })
        };
        corio::sleep(ms(10)).await;
        assert!(!r.is_done());
        assert!(r.cancel());
        assert!(r.await.unwrap_err().is_cancelled());
        // The owner's handle resolves only after every child was dropped.
        assert_eq!(num.load(Ordering::SeqCst), 5);
    });
}

#[test]
fn test_taskgroup_07() {
    // The owner's "body" is its wait in `join`; its own cancellation probe
    // stands for CPython's `except CancelledError: NUM += 10; raise`.
    on_each_runtime(|| async {
        let num = Arc::new(AtomicUsize::new(0));
        let r = {
            let num = num.clone();
            corio::spawn(async move {
                let g = TaskGroup::new();
                five_sleepers(&g, &num);
                let probe = OnCancel::new(&num, 10);
                let result = g.join().await;
                probe.disarm();
                result
            })
        };
        corio::sleep(ms(10)).await;
        assert!(!r.is_done());
        r.cancel();
        assert!(r.await.unwrap_err().is_cancelled());
        assert_eq!(num.load(Ordering::SeqCst), 15);
    });
}

#[test]
fn test_cancellation_in_body() {
    on_each_runtime(|| async {
        let r = corio::spawn(async {
            let g = TaskGroup::new();
            for _ in 0..5 {
                g.spawn(crash_after(ms(100), Raised::ZeroDivision));
            }
            corio::sleep(Duration::from_secs(10)).await;
            g.join().await
        });
        corio::sleep(ms(10)).await;
        assert!(!r.is_done());
        r.cancel();
        // Cancelled before any child crashed: a plain cancellation.
        assert!(r.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn test_taskgroup_09() {
    // The body raising is the owner returning early with its own error: the
    // unjoined group is dropped, which cancels both children.
    on_each_runtime(|| async {
        let slot: Arc<Mutex<Vec<ChildTask<i32>>>> = Arc::new(Mutex::new(Vec::new()));
        let s = slot.clone();
        let runner = async move {
            let g = TaskGroup::<Raised>::new();
            s.lock()
                .unwrap()
                .push(g.spawn(sleep_then(Duration::from_secs(1), 42)));
            s.lock()
                .unwrap()
                .push(g.spawn(sleep_then(Duration::from_secs(2), 11)));
            corio::sleep(ms(10)).await;
            Err::<(), _>(Raised::ZeroDivision)
        };
        assert_eq!(runner.await, Err(Raised::ZeroDivision));
        let children = std::mem::take(&mut *slot.lock().unwrap());
        assert_eq!(children.len(), 2);
        for child in children {
            assert!(child.await.unwrap_err().is_cancelled());
        }
    });
}

#[test]
fn test_taskgroup_10() {
    // As test_taskgroup_09, with the body failing before it ever awaits.
    on_each_runtime(|| async {
        let slot: Arc<Mutex<Vec<ChildTask<i32>>>> = Arc::new(Mutex::new(Vec::new()));
        let s = slot.clone();
        let runner = async move {
            let g = TaskGroup::<Raised>::new();
            s.lock()
                .unwrap()
                .push(g.spawn(sleep_then(Duration::from_secs(1), 42)));
            s.lock()
                .unwrap()
                .push(g.spawn(sleep_then(Duration::from_secs(2), 11)));
            Err::<(), _>(Raised::ZeroDivision)
        };
        assert_eq!(runner.await, Err(Raised::ZeroDivision));
        let children = std::mem::take(&mut *slot.lock().unwrap());
        for child in children {
            assert!(child.await.unwrap_err().is_cancelled());
        }
    });
}

#[test]
fn test_taskgroup_13() {
    on_each_runtime(|| async {
        let r = corio::spawn(async {
            let g1 = TaskGroup::new();
            g1.spawn(crash_after(ms(10), Raised::Value));
            let g2 = TaskGroup::new();
            g2.spawn(crash_after(Duration::from_secs(10), Raised::Value));
            // The inner group's wait is cut short: the outer failure cancels
            // the owner's wait on the inner group by dropping it.
            let inner = g2.join();
            let g1_join = g1.join();
            g1_join
                .or(async {
                    let _ = inner.await;
                    std::future::pending().await
                })
                .await
        });
        let err = r.await.unwrap().unwrap_err();
        assert_eq!(error_types(&err), BTreeSet::from(["ValueError"]));
    });
}

#[test]
fn test_taskgroup_14() {
    // The inner group runs as a child of the outer one, so its failure
    // reaches the outer group as a nested group error.
    on_each_runtime(|| async {
        let r = corio::spawn(async {
            let g1 = TaskGroup::new();
            g1.spawn(crash_after(Duration::from_secs(10), Raised::Value));
            g1.spawn(async {
                let g2 = TaskGroup::new();
                g2.spawn(crash_after(ms(10), Raised::Value));
                g2.join().await.map_err(nested)
            });
            g1.join().await
        });
        let err = r.await.unwrap().unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(
            err.first().error(),
            Some(&Raised::Group(BTreeSet::from(["ValueError"])))
        );
    });
}

#[test]
fn test_taskgroup_15() {
    // The owner catches its cancellation (through `task::cancelled()`),
    // cleans up for a while during which the child crashes, then joins: the
    // crash is reported, not the cancellation.
    on_each_runtime(|| async {
        let r = corio::spawn(async {
            let g1 = TaskGroup::new();
            g1.spawn(crash_after(ms(30), Raised::ZeroDivision));
            let body = async {
                corio::sleep(Duration::from_secs(10)).await;
                false
            };
            let caught = body
                .or(async {
                    corio::task::cancelled().await;
                    true
                })
                .await;
            assert!(caught, "the body was not cancelled");
            corio::sleep(ms(50)).await;
            g1.join().await
        });
        corio::sleep(ms(10)).await;
        assert!(!r.is_done());
        r.cancel();
        let err = r.await.unwrap().unwrap_err();
        assert_eq!(error_types(&err), BTreeSet::from(["ZeroDivisionError"]));
    });
}

#[test]
fn test_taskgroup_17() {
    on_each_runtime(|| async {
        let num = Arc::new(AtomicUsize::new(0));
        let r = {
            let num = num.clone();
            corio::spawn(async move {
                let g = TaskGroup::<Raised>::new();
                let probe = OnCancel::new(&num, 10);
                corio::sleep(Duration::from_secs(10)).await;
                probe.disarm();
                g.join().await
            })
        };
        corio::sleep(ms(10)).await;
        assert!(!r.is_done());
        r.cancel();
        assert!(r.await.unwrap_err().is_cancelled());
        assert_eq!(num.load(Ordering::SeqCst), 10);
    });
}

#[test]
fn test_taskgroup_18() {
    // The body turns its cancellation into an error of its own; corio's
    // owner returns that error itself (it is not folded into the group's).
    on_each_runtime(|| async {
        let num = Arc::new(AtomicUsize::new(0));
        let r = {
            let num = num.clone();
            corio::spawn(async move {
                let g = TaskGroup::<Raised>::new();
                let body = async {
                    corio::sleep(Duration::from_secs(10)).await;
                    Ok(())
                };
                let outcome = body
                    .or(async {
                        corio::task::cancelled().await;
                        num.fetch_add(10, Ordering::SeqCst);
                        Err(Raised::MyExc)
                    })
                    .await;
                g.join().await.map_err(nested)?;
                outcome
            })
        };
        corio::sleep(ms(10)).await;
        assert!(!r.is_done());
        r.cancel();
        assert_eq!(r.await.unwrap(), Err(Raised::MyExc));
        assert_eq!(num.load(Ordering::SeqCst), 10);
    });
}

#[test]
fn test_taskgroup_22() {
    on_each_runtime(|| async {
        let r = corio::spawn(async {
            let g = TaskGroup::new();
            g.spawn(sleep_then(Duration::from_secs(1), 42));
            g.spawn(sleep_then(Duration::from_secs(2), 11));
            g.join().await
        });
        corio::sleep(ms(5)).await;
        r.cancel();
        assert!(r.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn test_taskgroup_23() {
    // CPython counts `g._tasks`; the children's handles tell the same story.
    on_each_runtime(|| async {
        let g = TaskGroup::<Raised>::new();
        let mut children = Vec::new();
        for count in 0..10 {
            corio::sleep(ms(10)).await;
            children.push(g.spawn(async {
                corio::sleep(ms(30)).await;
                Ok(())
            }));
            if count == 5 {
                let alive = children.iter().filter(|c| !c.is_done()).count();
                assert!(alive < 5, "{alive} children alive");
            }
        }
        corio::sleep(ms(135)).await;
        assert!(children.iter().all(|c| c.is_done()));
        g.join().await.unwrap();
    });
}

#[test]
fn test_taskgroup_24() {
    on_each_runtime(|| async {
        let done = Arc::new(AtomicUsize::new(0));
        let g = TaskGroup::<Raised>::new();
        let spawner = g.spawner();
        let d = done.clone();
        g.spawn(async move {
            corio::sleep(ms(10)).await;
            for delay in [10, 20] {
                let d = d.clone();
                spawner.spawn(async move {
                    corio::sleep(ms(delay)).await;
                    d.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                });
            }
            Ok(())
        });
        g.join().await.unwrap();
        assert_eq!(done.load(Ordering::SeqCst), 2);
    });
}

fn hydra(spawner: Spawner<Raised>, heads: Arc<AtomicUsize>) -> ChildTask<()> {
    let s = spawner.clone();
    spawner.spawn(async move {
        heads.fetch_add(1, Ordering::SeqCst);
        corio::sleep(ms(10)).await;
        hydra(s.clone(), heads.clone());
        hydra(s, heads);
        Ok(())
    })
}

#[test]
fn test_taskgroup_25() {
    on_each_runtime(|| async {
        let heads = Arc::new(AtomicUsize::new(0));
        let g = TaskGroup::new();
        hydra(g.spawner(), heads.clone());
        let h = heads.clone();
        g.spawn(async move {
            while h.load(Ordering::SeqCst) < 10 {
                corio::sleep(ms(15)).await;
            }
            Err::<(), _>(Raised::ZeroDivision)
        });
        let err = g.join().await.unwrap_err();
        assert_eq!(error_types(&err), BTreeSet::from(["ZeroDivisionError"]));
        assert!(heads.load(Ordering::SeqCst) >= 10);
    });
}

#[test]
fn test_taskgroup_task_name() {
    on_each_runtime(|| async {
        let g = TaskGroup::<Raised>::new();
        let t = g.spawn_named("yolo", async {
            corio::yield_now().await;
            Ok(())
        });
        assert_eq!(t.name(), Some("yolo"));
        g.join().await.unwrap();
    });
}

#[test]
fn test_name() {
    on_each_runtime(|| async {
        let g = TaskGroup::<Raised>::new();
        let t = g.spawn_named("example name", async {
            let me = corio::task::current().unwrap();
            Ok(me.name().map(str::to_owned))
        });
        g.join().await.unwrap();
        assert_eq!(t.await.unwrap().as_deref(), Some("example name"));
    });
}

#[test]
fn test_taskgroup_no_create_task_after_failure() {
    // CPython refuses the spawn with RuntimeError; corio accepts it but
    // cancels the new child at birth, so it never runs.
    on_each_runtime(|| async {
        let late_ran = Arc::new(AtomicBool::new(false));
        let late: Arc<Mutex<Option<ChildTask<()>>>> = Arc::new(Mutex::new(None));
        let g = TaskGroup::new();
        g.spawn(crash_after(ms(1), Raised::ZeroDivision));
        let spawner = g.spawner();
        let (ran, slot) = (late_ran.clone(), late.clone());
        g.spawn(async move {
            let work = async {
                corio::sleep(Duration::from_secs(1)).await;
                false
            };
            let cancelled = work
                .or(async {
                    corio::task::cancelled().await;
                    true
                })
                .await;
            assert!(cancelled, "the sibling was not cancelled");
            let child = spawner.spawn(async move {
                ran.store(true, Ordering::SeqCst);
                Err::<(), _>(Raised::ZeroDivision)
            });
            *slot.lock().unwrap() = Some(child);
            Ok(())
        });
        let err = g.join().await.unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(error_types(&err), BTreeSet::from(["ZeroDivisionError"]));
        assert!(!late_ran.load(Ordering::SeqCst));
        let child = late.lock().unwrap().take().unwrap();
        assert!(child.await.unwrap_err().is_cancelled());
    });
}

/// Counts how often it was dropped.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn test_taskgroup_finished() {
    // Spawning into a group whose join returned panics (CPython: "is
    // finished"), and the refused future is dropped, never left unpolled
    // somewhere (CPython: the coroutine is closed, no warning).
    on_each_runtime(|| async {
        let g = TaskGroup::<Raised>::new();
        let spawner = g.spawner();
        g.join().await.unwrap();
        let dropped = Arc::new(AtomicUsize::new(0));
        let guard = DropCount(dropped.clone());
        let refused = catch_unwind(AssertUnwindSafe(|| {
            spawner.spawn(async move {
                let _guard = guard;
                corio::yield_now().await;
                Ok(())
            })
        }));
        assert!(refused.is_err());
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn test_coro_closed_when_tg_closed() {
    // As test_taskgroup_finished, with a group that had children.
    on_each_runtime(|| async {
        let g = TaskGroup::<Raised>::new();
        g.spawn(sleep_then(ms(1), ()));
        let spawner = g.spawner();
        g.join().await.unwrap();
        let refused = catch_unwind(AssertUnwindSafe(|| {
            spawner.spawn(async {
                corio::yield_now().await;
                Ok(())
            })
        }));
        assert!(refused.is_err());
    });
}

#[test]
fn test_cancelling_level_preserved() {
    on_each_runtime(|| async {
        let t = corio::spawn(async {
            let g = TaskGroup::new();
            g.spawn(crash_after(ms(0), Raised::Runtime));
            let err = g.join().await.unwrap_err();
            assert_eq!(error_types(&err), BTreeSet::from(["RuntimeError"]));
            corio::task::current().unwrap().cancelling()
        });
        assert_eq!(t.await.unwrap(), 0);
    });
}

#[test]
fn test_nested_groups_both_cancelled() {
    // corio's groups never cancel their owner, so the owner's cancelling()
    // count that CPython checks between the two groups stays 0 throughout.
    on_each_runtime(|| async {
        let t = corio::spawn(async {
            let me = corio::task::current().unwrap();
            let outer = TaskGroup::new();
            let inner = TaskGroup::new();
            inner.spawn(crash_after(ms(0), Raised::Runtime));
            outer.spawn(crash_after(ms(0), Raised::Value));
            let inner_err = inner.join().await.unwrap_err();
            assert_eq!(error_types(&inner_err), BTreeSet::from(["RuntimeError"]));
            let outer_err = outer.join().await.unwrap_err();
            assert_eq!(error_types(&outer_err), BTreeSet::from(["ValueError"]));
            me.cancelling()
        });
        assert_eq!(t.await.unwrap(), 0);
    });
}

#[test]
fn test_error_and_cancel() {
    on_each_runtime(|| async {
        let event = Arc::new(Event::new());
        let slept_after_group = Arc::new(AtomicBool::new(false));
        let inner = {
            let (event, slept) = (event.clone(), slept_after_group.clone());
            corio::spawn(async move {
                let g = TaskGroup::new();
                let e = event.clone();
                g.spawn(async move {
                    e.set();
                    corio::yield_now().await;
                    Err::<(), _>(Raised::Runtime)
                });
                let result = g.join().await;
                corio::sleep(Duration::from_secs(1)).await;
                slept.store(true, Ordering::SeqCst);
                result
            })
        };
        event.wait().await;
        assert_eq!(inner.cancelling(), 0);
        inner.cancel();
        assert_eq!(inner.cancelling(), 1);
        assert!(inner.await.unwrap_err().is_cancelled());
        // Whether the owner saw the group's error before its cancellation
        // is a race; either way it never got past the sleep after it.
        assert!(!slept_after_group.load(Ordering::SeqCst));
    });
}

#[test]
fn test_cancels_task_if_created_during_creation() {
    on_each_runtime(|| async {
        let ran = Arc::new(AtomicBool::new(false));
        let g = TaskGroup::new();
        let spawner = g.spawner();
        let r = ran.clone();
        g.spawn(async move {
            let stop = corio::task::cancelled();
            spawner.spawn(async { Err::<(), _>(Raised::MyExc) });
            let yields = async {
                corio::yield_now().await;
                corio::yield_now().await;
                false
            };
            // The cancellation branch is polled first: asyncio delivers a
            // pending cancel at the await it resumes, before the code after it.
            let cancelled = async {
                stop.await;
                true
            }
            .or(yields)
            .await;
            assert!(cancelled, "the failing sibling did not cancel this child");
            r.store(true, Ordering::SeqCst);
            Ok(())
        });
        let err = g.join().await.unwrap_err();
        assert!(ran.load(Ordering::SeqCst));
        assert_eq!(err.len(), 1);
        assert_eq!(err.first().error(), Some(&Raised::MyExc));
    });
}

#[test]
fn test_cancellation_does_not_leak_out_of_tg() {
    on_each_runtime(|| async {
        let t = corio::spawn(async {
            let g = TaskGroup::new();
            g.spawn(async { Err::<(), _>(Raised::MyExc) });
            let err = g.join().await.unwrap_err();
            assert_eq!(error_types(&err), BTreeSet::from(["MyExc"]));
            // Had the failure leaked a cancel request into the owner, the
            // owner would stop here.
            corio::yield_now().await;
            corio::sleep(ms(1)).await;
            "still running"
        });
        assert_eq!(t.await.unwrap(), "still running");
    });
}

/// Panics when dropped: CPython's `try: await sleep(10) finally: 1 / 0`.
struct RaiseInFinally;

impl Drop for RaiseInFinally {
    fn drop(&mut self) {
        panic!("division by zero");
    }
}

fn five_raising_in_finally(g: &TaskGroup<Raised>, handles: &Arc<Mutex<Vec<ChildTask<()>>>>) {
    for _ in 0..5 {
        let child = g.spawn(async {
            let _finally = RaiseInFinally;
            corio::sleep(Duration::from_secs(10)).await;
            Ok(())
        });
        handles.lock().unwrap().push(child);
    }
}

#[test]
fn test_taskgroup_08() {
    // CPython reports the errors raised by the cancelled children instead of
    // the cancellation. With the owner's `join` dropped there is no group
    // error to return: the owner reports its cancellation and each child's
    // handle reports its failure (the panic is not lost).
    on_each_runtime(|| async {
        let handles = Arc::new(Mutex::new(Vec::new()));
        let r = {
            let handles = handles.clone();
            corio::spawn(async move {
                let g = TaskGroup::new();
                five_raising_in_finally(&g, &handles);
                corio::sleep(Duration::from_secs(10)).await;
                g.join().await
            })
        };
        corio::sleep(ms(10)).await;
        assert!(!r.is_done());
        r.cancel();
        let owner = r.await;
        let children = std::mem::take(&mut *handles.lock().unwrap());
        assert_eq!(children.len(), 5);
        for child in children {
            assert!(child.await.unwrap_err().is_failed());
        }
        assert!(owner.unwrap_err().is_cancelled());
    });
}

#[test]
fn test_taskgroup_11() {
    // As test_taskgroup_08, with the raising children in a nested group.
    on_each_runtime(|| async {
        let handles = Arc::new(Mutex::new(Vec::new()));
        let r = {
            let handles = handles.clone();
            corio::spawn(async move {
                let g1 = TaskGroup::<Raised>::new();
                let g2 = TaskGroup::new();
                five_raising_in_finally(&g2, &handles);
                corio::sleep(Duration::from_secs(10)).await;
                g2.join().await.map_err(nested)?;
                g1.join().await.map_err(nested)
            })
        };
        corio::sleep(ms(10)).await;
        r.cancel();
        let owner = r.await;
        let children = std::mem::take(&mut *handles.lock().unwrap());
        assert_eq!(children.len(), 5);
        for child in children {
            assert!(child.await.unwrap_err().is_failed());
        }
        assert!(owner.unwrap_err().is_cancelled());
    });
}

#[test]
fn test_taskgroup_12() {
    // As test_taskgroup_11, with the outer group holding a sleeping child.
    on_each_runtime(|| async {
        let handles = Arc::new(Mutex::new(Vec::new()));
        let sleeper: Arc<Mutex<Option<ChildTask<()>>>> = Arc::new(Mutex::new(None));
        let r = {
            let (handles, sleeper) = (handles.clone(), sleeper.clone());
            corio::spawn(async move {
                let g1 = TaskGroup::<Raised>::new();
                *sleeper.lock().unwrap() = Some(g1.spawn(sleep_then(Duration::from_secs(10), ())));
                let g2 = TaskGroup::new();
                five_raising_in_finally(&g2, &handles);
                corio::sleep(Duration::from_secs(10)).await;
                g2.join().await.map_err(nested)?;
                g1.join().await.map_err(nested)
            })
        };
        corio::sleep(ms(10)).await;
        r.cancel();
        let owner = r.await;
        let children = std::mem::take(&mut *handles.lock().unwrap());
        assert_eq!(children.len(), 5);
        for child in children {
            assert!(child.await.unwrap_err().is_failed());
        }
        let sleeper = sleeper.lock().unwrap().take().unwrap();
        assert!(sleeper.await.unwrap_err().is_cancelled());
        assert!(owner.unwrap_err().is_cancelled());
    });
}
