//! Behaviour of `TaskGroup`: failures cancel the siblings and are all
//! reported, nesting, dropping, spawning from children, cooperative cleanup.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corio::structured::ChildFailure;
use corio::{Runner, TaskGroup, TaskGroupError};

/// Counts how many times it was dropped.
struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn a_failing_child_cancels_slow_siblings_and_join_reports_it() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let (result, elapsed) = corio::run(async {
        let start = Instant::now();
        let group = TaskGroup::new();
        let mut slow = Vec::new();
        for _ in 0..2 {
            let guard = DropGuard(dropped.clone());
            let finished = finished.clone();
            slow.push(group.spawn(async move {
                let _guard = guard;
                corio::sleep(Duration::from_secs(5)).await;
                finished.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }));
        }
        group.spawn_named("failing", async {
            corio::sleep(ms(50)).await;
            Err::<(), _>("connection refused")
        });
        let result = group.join().await;
        // Once join returned, the slow children are gone: their Drop ran.
        assert_eq!(dropped.load(Ordering::SeqCst), 2);
        for child in slow {
            assert!(child.is_cancel_requested());
            assert!(child.await.unwrap_err().is_cancelled());
        }
        (result, start.elapsed())
    });
    let err = result.unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!(err.first().name(), Some("failing"));
    assert_eq!(err.first().error(), Some(&"connection refused"));
    assert_eq!(finished.load(Ordering::SeqCst), 0);
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

#[test]
fn two_children_failing_at_once_are_both_reported_in_order() {
    let runner = Runner::builder().workers(1).build().unwrap();
    let err: TaskGroupError<String> = runner.run(async {
        let group = TaskGroup::new();
        group.spawn_named("first", async {
            corio::sleep(ms(20)).await;
            Err::<(), _>("first failed".to_string())
        });
        group.spawn_named("second", async {
            corio::sleep(ms(20)).await;
            Err::<(), _>("second failed".to_string())
        });
        group.spawn(async {
            corio::sleep(Duration::from_secs(5)).await;
            Ok(())
        });
        group.join().await.unwrap_err()
    });
    let names: Vec<_> = err.iter().map(|f| f.name().unwrap().to_string()).collect();
    assert_eq!(names, ["first", "second"]);
    let text = err.to_string();
    assert!(
        text.contains("first failed") && text.contains("second failed"),
        "{text}"
    );
}

#[test]
fn a_panicking_child_is_a_failure_with_its_message() {
    let err = corio::run(async {
        let group = TaskGroup::<String>::new();
        group.spawn_named("boom", async { panic!("exploded") as Result<(), String> });
        group.join().await.unwrap_err()
    });
    let failure = err.first();
    assert!(failure.is_panic());
    assert_eq!(failure.panic_message(), Some("exploded"));
    assert!(matches!(failure, ChildFailure::Panicked { .. }));
    assert!(err.to_string().contains("(\"boom\") panicked: exploded"));
}

#[test]
fn an_inner_group_failure_is_a_failure_of_the_outer_child() {
    let err = corio::run(async {
        let outer = TaskGroup::<TaskGroupError<&'static str>>::new();
        outer.spawn_named("outer-child", async {
            let inner = TaskGroup::new();
            inner.spawn_named("inner-child", async { Err::<(), _>("disk full") });
            inner.join().await
        });
        outer.join().await.unwrap_err()
    });
    assert_eq!(err.len(), 1);
    let outer_failure = err.first();
    assert_eq!(outer_failure.name(), Some("outer-child"));
    let inner = outer_failure.error().unwrap();
    assert_eq!(inner.first().name(), Some("inner-child"));
    assert_eq!(inner.first().error(), Some(&"disk full"));
}

#[test]
fn cancelling_the_owner_cancels_nested_groups() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let d = dropped.clone();
    corio::run(async move {
        let owner = corio::spawn(async move {
            let outer = TaskGroup::<TaskGroupError<()>>::new();
            outer.spawn(async move {
                let inner = TaskGroup::<()>::new();
                for _ in 0..3 {
                    let guard = DropGuard(d.clone());
                    inner.spawn(async move {
                        let _guard = guard;
                        std::future::pending::<()>().await;
                        Ok(())
                    });
                }
                inner.join().await
            });
            outer.join().await
        });
        corio::sleep(ms(20)).await;
        assert_eq!(dropped.load(Ordering::SeqCst), 0);
        owner.cancel();
        assert!(owner.await.unwrap_err().is_cancelled());
        // The grandchildren are dropped at their next scheduling point.
        for _ in 0..100 {
            if dropped.load(Ordering::SeqCst) == 3 {
                break;
            }
            corio::sleep(ms(2)).await;
        }
        assert_eq!(dropped.load(Ordering::SeqCst), 3);
    });
}

#[test]
fn dropping_an_unjoined_group_cancels_its_children() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let d = dropped.clone();
    corio::run(async move {
        let group = TaskGroup::<()>::new();
        let mut children = Vec::new();
        for _ in 0..4 {
            let guard = DropGuard(d.clone());
            children.push(group.spawn(async move {
                let _guard = guard;
                corio::sleep(Duration::from_secs(5)).await;
                Ok(())
            }));
        }
        corio::sleep(ms(5)).await;
        drop(group);
        for child in children {
            assert!(child.await.unwrap_err().is_cancelled());
        }
        assert_eq!(dropped.load(Ordering::SeqCst), 4);
    });
}

#[test]
fn children_spawn_siblings_and_join_waits_for_all_of_them() {
    let count = corio::run(async {
        let ran = Arc::new(AtomicUsize::new(0));
        let group = TaskGroup::<()>::new();
        let spawner = group.spawner();
        let r = ran.clone();
        group.spawn(async move {
            for i in 0..10u64 {
                let r = r.clone();
                spawner.spawn(async move {
                    corio::sleep(ms(i)).await;
                    r.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                });
            }
            Ok(())
        });
        group.join().await.unwrap();
        ran.load(Ordering::SeqCst)
    });
    assert_eq!(count, 10);
}

#[test]
fn a_child_cancelled_alone_is_not_a_failure() {
    corio::run(async {
        let group = TaskGroup::<()>::new();
        let stuck = group.spawn(std::future::pending::<Result<(), ()>>());
        let fine = group.spawn(async { Ok(7) });
        corio::yield_now().await;
        assert!(stuck.cancel());
        group.join().await.unwrap();
        assert!(stuck.await.unwrap_err().is_cancelled());
        assert_eq!(fine.await.unwrap(), 7);
    });
}

#[test]
fn children_awaiting_cancelled_clean_up_before_join_returns() {
    let log = corio::run(async {
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let group = TaskGroup::new();
        let l = log.clone();
        group.spawn(async move {
            use futures_lite::FutureExt;
            let work = async {
                corio::sleep(Duration::from_secs(5)).await;
                Ok(())
            };
            let cleanup = async {
                corio::task::cancelled().await;
                corio::sleep(ms(10)).await; // async cleanup
                l.lock().unwrap().push("cleaned up");
                Ok(())
            };
            work.or(cleanup).await
        });
        group.spawn(async {
            corio::sleep(ms(10)).await;
            Err::<(), _>("fail")
        });
        let err = group.join().await.unwrap_err();
        assert_eq!(err.len(), 1);
        log.lock().unwrap().clone()
    });
    assert_eq!(log, ["cleaned up"]);
}

#[test]
fn children_spawned_after_a_failure_never_run() {
    let ran = corio::run(async {
        let ran = Arc::new(AtomicUsize::new(0));
        let group = TaskGroup::new();
        group.spawn(async { Err::<(), _>(()) });
        corio::sleep(ms(50)).await;
        let r = ran.clone();
        let late = group.spawn(async move {
            r.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        assert!(late.is_cancel_requested());
        assert_eq!(group.join().await.unwrap_err().len(), 1);
        ran.load(Ordering::SeqCst)
    });
    assert_eq!(ran, 0);
}

#[test]
fn spawning_into_a_joined_group_panics() {
    corio::run(async {
        let group = TaskGroup::<()>::new();
        let spawner = group.spawner();
        group.join().await.unwrap();
        let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            spawner.spawn(async { Ok(()) })
        }));
        assert!(attempt.is_err());
    });
}

#[test]
fn local_children_may_hold_non_send_state() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let log = corio::run(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let group = TaskGroup::<()>::new();
        for i in 0..3 {
            let log = log.clone();
            group.spawn_local_named(format!("local-{i}"), async move {
                log.borrow_mut().push(i);
                Ok(())
            });
        }
        group.join().await.unwrap();
        log.borrow().clone()
    });
    assert_eq!(log, [0, 1, 2]);
}

#[test]
fn the_group_outlives_its_handles_while_children_finish_on_other_workers() {
    // Live children share one reference to the group's state: groups
    // dropped (or joined) while children end on another worker, spawners
    // used after the count went back to zero, over and over.
    let runner = Runner::builder().workers(2).build().unwrap();
    runner.run(async {
        for round in 0..300 {
            let group = TaskGroup::<()>::new();
            let spawner = group.spawner();
            let ended = Arc::new(AtomicUsize::new(0));
            for _ in 0..8 {
                let guard = DropGuard(ended.clone());
                group.spawn(async move {
                    let _guard = guard;
                    for _ in 0..3 {
                        corio::yield_now().await;
                    }
                    Ok(())
                });
            }
            if round % 2 == 0 {
                group.join().await.unwrap();
                assert_eq!(ended.load(Ordering::SeqCst), 8);
            } else {
                // Cancels the children wherever they are; the spawner is left.
                drop(group);
                let late = spawner.spawn(async { Ok(()) });
                assert!(
                    late.await.unwrap_err().is_cancelled(),
                    "a child of a dropped group is cancelled"
                );
                while ended.load(Ordering::SeqCst) < 8 {
                    corio::yield_now().await;
                }
            }
        }
    });
}
