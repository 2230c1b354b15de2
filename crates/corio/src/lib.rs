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
//! | `asyncio.to_thread(f)` | [`to_thread`] |
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
    Handle, Runner, Task, TaskError, TimerHandle, YieldNow, call_at, call_later, call_soon, run,
    spawn, spawn_local, to_thread, yield_now,
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
