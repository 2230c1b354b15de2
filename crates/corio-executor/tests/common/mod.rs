//! Helpers shared by the executor's behaviour tests.
#![allow(dead_code, reason = "each test binary uses part of the helpers")]

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};

use corio::Runner;

/// One worker, two workers, and one worker with eager tasks.
pub(crate) const ALL: &[(usize, bool)] = &[(1, false), (2, false), (1, true)];

/// One worker only, for scenarios whose order depends on it.
pub(crate) const ONE_WORKER: &[(usize, bool)] = &[(1, false)];

/// Builds a fresh scenario future for each configuration (workers, eager
/// tasks) and runs it; a failure names the configuration it failed on.
pub(crate) fn on_runtimes<F, Fut>(configs: &[(usize, bool)], scenario: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    for &(workers, eager) in configs {
        let runner = Runner::builder()
            .workers(workers)
            .eager_tasks(eager)
            .build()
            .unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| runner.run(scenario())));
        if let Err(panic) = outcome {
            let msg = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(non-string panic)");
            panic!("with {workers} worker(s), eager tasks {eager}: {msg}");
        }
    }
}

/// Set in the child process that [`in_child`] starts.
const CHILD_ENV: &str = "CORIO_EXECUTOR_TEST_CHILD";
/// Printed by the child once its scenario returned.
const CHILD_DONE: &str = "child: scenario finished";

/// Runs `scenario` in a child process: the test binary re-runs the test
/// named `test` with an environment variable set, and that run calls
/// `scenario`. The parent asserts that the child exited normally, so a
/// scenario that aborts the process (SIGABRT) fails the test instead of
/// killing the test binary.
pub(crate) fn in_child(test: &str, scenario: impl FnOnce()) {
    if std::env::var_os(CHILD_ENV).is_some() {
        scenario();
        #[allow(clippy::print_stdout, reason = "the parent reads the child's stdout")]
        {
            println!("{CHILD_DONE}");
        }
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the child of {test} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains(CHILD_DONE),
        "the child of {test} did not run its scenario:\n{stdout}\n{stderr}"
    );
}
