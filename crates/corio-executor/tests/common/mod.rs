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
