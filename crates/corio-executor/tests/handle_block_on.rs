//! `Handle::block_on` and `Handle::all_tasks`: reaching a runtime from
//! threads outside it, as asyncio's `run_coroutine_threadsafe(...).result()`
//! and `all_tasks(loop)` do.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use corio::TaskError;

#[test]
fn block_on_from_a_plain_thread_returns_the_output() {
    let runner = corio::Runner::builder().workers(2).build().unwrap();
    let handle = runner.handle();
    let out = runner.run(async move {
        let thread = std::thread::spawn(move || {
            handle.block_on(async {
                corio::sleep(Duration::from_millis(1)).await;
                "done"
            })
        });
        corio::to_thread(move || thread.join().unwrap())
            .await
            .unwrap()
    });
    assert_eq!(out.unwrap(), "done");
}

#[test]
fn block_on_reports_a_panic_as_the_task_error() {
    corio::run(async {
        let handle = corio::Handle::current();
        let out = corio::to_thread(move || {
            handle.block_on(async {
                panic!("inside block_on");
            })
        })
        .await
        .unwrap();
        assert!(matches!(out, Err(TaskError::Panicked { .. })));
    });
}

#[test]
fn block_on_resolves_when_the_runtime_shuts_down() {
    let runner = corio::Runner::builder().workers(1).build().unwrap();
    let handle = runner.handle();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let out = handle.block_on(async move {
            tx.send(()).unwrap();
            std::future::pending::<()>().await
        });
        out.map_err(|e| e.is_cancelled())
    });
    runner.run(async move {
        corio::to_thread(move || rx.recv_timeout(Duration::from_secs(30)).unwrap())
            .await
            .unwrap();
    });
    drop(runner);
    assert_eq!(waiter.join().unwrap(), Err(true));
}

#[test]
fn block_on_on_a_worker_thread_panics_with_what_to_do() {
    corio::run(async {
        let handle = corio::Handle::current();
        let err = catch_unwind(AssertUnwindSafe(|| handle.block_on(async {}))).unwrap_err();
        let msg = err
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap();
        assert!(msg.contains("await the task of Handle::spawn"), "{msg}");
    });
}

#[test]
fn all_tasks_lists_the_runtime_tasks_from_another_thread() {
    let runner = corio::Runner::builder().workers(2).build().unwrap();
    let handle = runner.handle();
    runner.run(async move {
        let a = corio::task::Builder::new()
            .name("a")
            .spawn(std::future::pending::<()>());
        let b = corio::task::Builder::new()
            .name("b")
            .spawn(std::future::pending::<()>());
        let h = handle.clone();
        let names = corio::to_thread(move || {
            h.all_tasks()
                .iter()
                .filter_map(|t| t.name().map(String::from))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
        assert_eq!(names, ["a", "b"]);
        a.cancel();
        b.cancel();
    });
    assert!(
        corio::task::all().is_empty(),
        "no runtime here: an empty list"
    );
}
