//! asyncio for Rust: the programming model of Python's `asyncio` on a fast,
//! work-stealing runtime.
//!
//! If you know asyncio, you know corio: [`run`], [`spawn`] (`create_task`),
//! [`sleep`], [`timeout`], [`Deadline`], [`call_soon`]/[`call_later`],
//! [`to_thread`], locks and queues in [`sync`], and the same guarantees:
//! cancellation runs cleanup, a dropped task handle never loses the task,
//! panics come back as errors, waiters are served first come, first served.
//!
//! | asyncio | corio |
//! |---|---|
//! | `asyncio.run(main())` | [`corio::run(main())`](run) |
//! | `asyncio.Runner` | [`Runner`], `Runner::builder().workers(n)` |
//! | `asyncio.create_task(coro, name=)` | [`spawn`], [`spawn_local`], [`task::Builder`] |
//! | `task.cancel()`, `done()`, `get_name()` | [`Task::cancel`], [`Task::is_done`], [`Task::name`] |
//! | `asyncio.current_task()`, `all_tasks()` | [`task::current`], [`task::all`] |
//! | `asyncio.sleep(d)`, `sleep(0)` | [`sleep`], [`yield_now`] |
//! | `asyncio.timeout(d)`, `timeout_at` | [`timeout`], [`timeout_at`], [`Deadline`] |
//! | `asyncio.wait_for(aw, d)` | a task: [`wait_for`] (cancels it on expiry, returns once it is gone); a plain future: [`timeout`] (drops it) |
//! | `loop.call_soon`, `call_later`, `call_at` | [`call_soon`], [`call_later`], [`call_at`] |
//! | `call_soon_threadsafe`, `run_coroutine_threadsafe` | [`Handle::call_soon`], [`Handle::spawn`], [`Handle::block_on`] |
//! | `asyncio.to_thread(f)` | [`to_thread`] (pool size: `Runner::builder().max_blocking_threads(n)`) |
//! | `loop.run_in_executor(ThreadPoolExecutor(n), f)` | [`ThreadPool::spawn_blocking`] |
//! | `asyncio.TaskGroup` (`ExceptionGroup`) | [`TaskGroup`] ([`TaskGroupError`]) |
//! | `asyncio.gather(*aws, return_exceptions=True)` | [`gather()`], [`gather!`] (mixed types) |
//! | `asyncio.gather(*aws)` | [`try_gather()`], [`try_gather!`] |
//! | `asyncio.wait(aws, return_when=)` | [`wait`], [`ReturnWhen`]; `FIRST_EXCEPTION`: [`wait_first_error`] |
//! | `asyncio.as_completed(aws)` | [`as_completed`] (a `Stream`) |
//! | `asyncio.shield(aw)` | [`shield`] |
//! | `loop.time()` | [`time::now`] |
//! | `asyncio.Lock`, `Event`, `Semaphore`, `Queue`, ... | [`sync`] |
//! | `asyncio.open_connection`, `open_unix_connection` | [`streams::open_connection`], [`streams::open_unix_connection`] |
//! | `asyncio.start_server`, `start_unix_server`, `Server` | [`streams::start_server`], [`streams::start_unix_server`], [`streams::Server`] |
//! | `StreamReader.read/readline/readexactly/readuntil` | [`streams::StreamReader`] (+ `AsyncRead`, `AsyncBufRead`) |
//! | `StreamWriter.write/drain/close/wait_closed` | [`streams::StreamWriter`] (+ `AsyncWrite`) |
//! | `IncompleteReadError`, `LimitOverrunError` | [`streams::IncompleteRead`], [`streams::LimitOverrun`] |
//! | `asyncio.create_subprocess_exec`, `create_subprocess_shell` | [`subprocess::Command`], [`subprocess::shell`], [`subprocess::Stdio`] |
//! | `Process.wait/communicate/send_signal/terminate/kill/returncode` | [`subprocess::Child`] (+ [`subprocess::Child::kill_tree`]) |
//! | `loop.add_signal_handler`, `KeyboardInterrupt` | [`signal::Signals`], [`signal::ctrl_c`] |
//! | `loop.getaddrinfo`, sockets, `create_datagram_endpoint` | [`streams::lookup_host`], [`streams::TcpStream`], [`streams::UdpSocket`], [`streams::UnixDatagram`] |
//!
//! # Examples
//!
//! An asyncio program, line for line:
//!
//! ```
//! use std::time::Duration;
//!
//! async fn fetch(name: &'static str, delay_ms: u64) -> String {
//!     corio::sleep(Duration::from_millis(delay_ms)).await;
//!     format!("{name} done")
//! }
//!
//! #[corio::main]
//! async fn main() {
//!     let a = corio::spawn(fetch("a", 30));
//!     let b = corio::task::Builder::new().name("b").spawn(fetch("b", 10));
//!     let slow = corio::spawn(fetch("slow", 10_000));
//!
//!     assert_eq!(a.await.unwrap(), "a done");
//!     assert_eq!(b.await.unwrap(), "b done");
//!     let late = corio::timeout(Duration::from_millis(5), slow).await;
//!     assert!(late.is_err());
//! }
//! ```
//!
//! # Threads
//!
//! [`run`] makes the calling thread the first worker and starts one worker
//! per core; `Send` tasks are spread over them and stolen by idle ones.
//! `Runner::builder().workers(1)` keeps the whole program on one thread, as
//! asyncio does.
//!
//! # Resources and faults
//!
//! What corio guarantees, for programs that run for weeks and test suites
//! that start a runtime per test (the details are in `docs/guarantees.md`):
//!
//! - **Teardown gives everything back.** Once [`run`] returns (or a
//!   [`Runner`] is dropped), the process holds the descriptors and heap it
//!   held before, whatever tasks, sockets, timers and wakers were alive.
//! - **Finished work is freed at once.** A task whose handle is gone is freed
//!   when it ends (its worker removes it from the runtime's list of tasks in
//!   batches, at the latest when it next goes idle); so are callbacks and
//!   timers, whether they ran or were cancelled, and a [`Deadline`] forgets
//!   each block run under it when the block ends.
//! - **No user code aborts the process.** A panic in a task, in its `Drop`,
//!   in the `Drop` of its output, or in a waker is caught: it reaches the
//!   panic hook, and the task's handle where there is one. A panicking waker
//!   never stops a worker or keeps the other waiters from being woken.
//!
//! ```
//! fn open_fds() -> usize {
//!     std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
//! }
//!
//! corio::run(async {});
//! let before = open_fds();
//! for _ in 0..5 {
//!     corio::run(async {
//!         let listener = corio::streams::TcpListener::bind("127.0.0.1:0").await.unwrap();
//!         // Still waiting for a connection when the runtime ends.
//!         drop(corio::spawn(async move { listener.accept().await }));
//!         corio::sleep(std::time::Duration::from_millis(1)).await;
//!     });
//! }
//! assert_eq!(open_fds(), before);
//! ```
//!
//! # `fork()`
//!
//! A child made by `fork()` without `exec` gets a copy of the parent's
//! memory, runtimes included, but only the thread that forked, and its
//! copies of the parent's descriptors still name the parent's kernel
//! objects (the epoll instance above all: a registration deleted in the
//! child is deleted in the parent). corio guarantees, for a child made with
//! the C library's `fork()` (`libc::fork`, `nix::unistd::fork`):
//!
//! - **The parent is not disturbed.** Dropping an inherited socket or
//!   listener of [`streams`], any [`reactor::Async`] or a
//!   [`reactor::Timer`] in the child closes the child's copy of its
//!   descriptor and does nothing else: nothing is deleted from the epoll
//!   set the parent shares, nothing is written to its eventfd, no lock of
//!   the inherited runtime is taken. The parent keeps getting readiness on
//!   its connections.
//! - **An inherited runtime refuses every use** with a panic whose message
//!   is "a corio runtime cannot be used after fork; start a new one in the
//!   child": [`Runner::run`], [`Handle::spawn`], [`Handle::call_soon`] and
//!   [`Handle::spawn_blocking`]; [`spawn`], [`spawn_local`] and
//!   [`to_thread`] in a child forked inside a task;
//!   creating an I/O object or awaiting a timer on the inherited reactor,
//!   driving that reactor. A worker that gets control back from a task (or
//!   a main future) that forked panics the same way, rather than run the
//!   parent's queued tasks in the child.
//! - **Dropping an inherited [`Runner`] returns at once and leaks it.** Its
//!   worker threads were not copied, so they cannot be joined; its tasks
//!   are not cancelled, since their cleanup could write to or shut down
//!   connections the parent still serves; its epoll instance and eventfd
//!   are the parent's, so nothing is deleted from them. Its memory and
//!   descriptors (close-on-exec) go when the child exits or calls `exec`.
//! - **A new runtime works in the child**: [`run`] or a new [`Runner`],
//!   with its own reactor, threads and timers, even when the fork happened
//!   inside a task.
//!
//! Detection costs one load of a process-wide counter, which a
//! `pthread_atfork` handler moves on in every child; no system call is
//! added to any operation. A child made without the C library's `fork()`
//! (a raw `clone` system call) runs no fork handlers and is not detected.
//! As in any program, a child of a multi-threaded parent may find a lock
//! held forever by a thread that did not come along; corio's child-side
//! paths above take none of the inherited runtime's locks. What the
//! runtime does not own acts as it would in any forked program: a
//! [`subprocess::Child`] with `kill_on_drop` that the child drops still
//! kills the parent's subprocess.
//!
//! ```
//! use std::panic::{AssertUnwindSafe, catch_unwind};
//! use std::time::Duration;
//!
//! let runner = corio::Runner::builder().workers(2).build()?;
//! assert_eq!(runner.run(async { corio::spawn(async { 1 }).await.unwrap() }), 1);
//!
//! // SAFETY: the child uses only what it makes itself, then exits.
//! # #[allow(unsafe_code)]
//! let pid = unsafe { libc::fork() };
//! if pid == 0 {
//!     // The inherited runtime refuses to run...
//!     let refused = catch_unwind(AssertUnwindSafe(|| runner.run(async {}))).is_err();
//!     // ...dropping it returns at once and leaves the parent's alone...
//!     drop(runner);
//!     // ...and a new one works.
//!     let answer = corio::run(async {
//!         corio::sleep(Duration::from_millis(1)).await;
//!         42
//!     });
//!     let code = if refused && answer == 42 { 0 } else { 1 };
//!     // SAFETY: ends the child without returning into the parent's code.
//!     # #[allow(unsafe_code)]
//!     unsafe { libc::_exit(code) };
//! }
//! let mut status = 0;
//! // SAFETY: waits for our own child.
//! # #[allow(unsafe_code)]
//! unsafe { libc::waitpid(pid, &mut status, 0) };
//! assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
//!
//! // The parent's runtime goes on as before.
//! assert_eq!(runner.run(async { corio::spawn(async { 2 }).await.unwrap() }), 2);
//! # std::io::Result::Ok(())
//! ```
#![forbid(unsafe_code)]

#[doc(inline)]
pub use corio_executor::{runner, structured, task};
#[doc(inline)]
pub use corio_reactor as reactor;
#[doc(inline)]
pub use corio_streams as streams;
#[doc(inline)]
pub use corio_subprocess as subprocess;
#[doc(inline)]
pub use corio_subprocess::signal;
#[doc(inline)]
pub use corio_sync as sync;
#[doc(inline)]
pub use corio_time as time;

#[doc(inline)]
pub use corio_executor::{
    Handle, Runner, Task, TaskError, ThreadPool, TimerHandle, YieldNow, call_at, call_later,
    call_soon, run, spawn, spawn_local, to_thread, yield_now,
};
#[doc(inline)]
pub use corio_executor::{
    ReturnWhen, TaskGroup, TaskGroupError, as_completed, gather, shield, try_gather, wait,
    wait_first_error,
};
#[doc(inline)]
pub use corio_macros::{main, test};
#[doc(inline)]
pub use corio_time::{Deadline, sleep, timeout, timeout_at, wait_for};

pub mod prelude;

#[doc(hidden)]
pub mod __private {
    pub use corio_executor::Runner;
}

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
