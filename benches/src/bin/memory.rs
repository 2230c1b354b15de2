//! Resident memory per idle task, for every runtime of the suite.
//!
//! Run without arguments, it runs itself once per runtime as a child process
//! (`memory --runtime <name>`), so that one runtime's heap never counts for
//! another, and prints one line per runtime: `<runtime> <bytes per task>`.
//!
//! A child starts its runtime, spawns [`IDLE_TASKS`] tasks that each wait on
//! a future that never completes, waits until every task has been polled
//! once (so it is parked, as an idle task in a server is), and divides the
//! growth of its resident set (`/proc/self/statm`) by the number of tasks.
//! Then it cancels the tasks and shuts the runtime down.

#![allow(clippy::print_stdout, reason = "the binary reports on stdout")]
#![allow(clippy::print_stderr, reason = "usage errors go to stderr")]

use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use corio_benches::{IDLE_TASKS, RUNTIMES, Runtime, RuntimeVisitor, visit_runtimes};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [] => measure_all(),
        [flag, name] if flag == "--runtime" => measure_one(name),
        _ => Err(format!(
            "usage: memory [--runtime <name>]\nruntimes: {}",
            RUNTIMES.join(", ")
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("memory: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one child process per runtime and prints what each reports.
fn measure_all() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let mut names = Names(Vec::new());
    visit_runtimes(&mut names);
    for name in names.0 {
        let output = Command::new(&exe)
            .args(["--runtime", name])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        if !output.status.success() {
            return Err(format!(
                "the {name} measurement failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }
    Ok(())
}

/// Collects the names of the runtimes this build has.
struct Names(Vec<&'static str>);

impl RuntimeVisitor for Names {
    fn visit<R: Runtime>(&mut self, name: &'static str, _start: fn() -> R) {
        self.0.push(name);
    }
}

/// Measures the runtime called `name` in this process and prints its line.
fn measure_one(name: &str) -> Result<(), String> {
    let mut measure = Measure { name, bytes: None };
    visit_runtimes(&mut measure);
    let bytes = measure.bytes.ok_or_else(|| {
        format!(
            "unknown runtime {name:?} (this build has: {})",
            RUNTIMES.join(", ")
        )
    })??;
    println!("{name} {bytes:.0}");
    Ok(())
}

/// Starts the runtime called `name`, when visited, and measures it.
struct Measure<'a> {
    name: &'a str,
    bytes: Option<Result<f64, String>>,
}

impl RuntimeVisitor for Measure<'_> {
    fn visit<R: Runtime>(&mut self, name: &'static str, start: fn() -> R) {
        if name == self.name {
            let runtime = start();
            self.bytes = Some(bytes_per_idle_task(&runtime));
        }
    }
}

/// Parks [`IDLE_TASKS`] tasks on `runtime` and returns the resident bytes
/// each one added.
fn bytes_per_idle_task<R: Runtime>(runtime: &R) -> Result<f64, String> {
    runtime.run_in_task(async {
        // Written out in full before the first reading, so the handles'
        // storage is already resident and does not count as task memory.
        let mut tasks: Vec<Option<R::Task<()>>> = (0..IDLE_TASKS).map(|_| None).collect();
        let polled = Arc::new(AtomicU64::new(0));
        let before = resident_bytes()?;
        for slot in &mut tasks {
            let polled = polled.clone();
            *slot = Some(R::spawn(async move {
                polled.fetch_add(1, Ordering::Relaxed);
                std::future::pending::<()>().await;
            }));
        }
        while polled.load(Ordering::Relaxed) < IDLE_TASKS {
            R::yield_now().await;
        }
        let after = resident_bytes()?;
        for task in tasks.into_iter().flatten() {
            R::cancel(task);
        }
        Ok(after.saturating_sub(before) as f64 / IDLE_TASKS as f64)
    })
}

/// The resident set size of this process, from `/proc/self/statm`.
fn resident_bytes() -> Result<u64, String> {
    let statm = std::fs::read_to_string("/proc/self/statm")
        .map_err(|e| format!("cannot read /proc/self/statm: {e}"))?;
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .ok_or_else(|| format!("unexpected /proc/self/statm contents: {statm:?}"))?;
    Ok(pages * page_size())
}

/// The size of a memory page, 4096 bytes when the system does not say.
fn page_size() -> u64 {
    // SAFETY: sysconf only reads a system setting; it has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).ok().filter(|&s| s > 0).unwrap_or(4096)
}
