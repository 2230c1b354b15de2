//! The selector of corio's event loop: I/O readiness, timers and wake-ups.
//!
//! This crate is the bottom layer of corio, the part of `asyncio`'s event
//! loop that talks to the OS (asyncio's `selectors` plus the timer heap):
//!
//! - [`Reactor`]: one epoll instance (sources registered through
//!   [`polling`], waits made directly: one system call each), edge-triggered,
//!   with a timer queue that stays cheap with millions of pending timers and
//!   [`Reactor::notify`] to wake it from any thread;
//! - [`Async`]: any file descriptor (socket, pipe) made non-blocking, with
//!   `read_with`/`write_with` and the `futures-io` traits;
//! - [`Timer`]: a reschedulable deadline with sub-millisecond precision;
//! - [`coop`]: the per-poll budget that keeps a busy task from starving
//!   the others;
//! - [`ForkGeneration`]: which process a reactor belongs to, so that a
//!   child of `fork()` can neither use nor disturb the parent's (see
//!   [`Reactor::is_inherited`]).
//!
//! The executor (`corio-executor`) owns a reactor per runtime and drives it
//! from whichever worker goes idle first; applications use the facade
//! (`corio::reactor`) and mostly meet this crate through `corio::sleep` and
//! `corio::streams`.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use corio::reactor::{Async, Timer};
//!
//! corio::run(async {
//!     let socket = Async::new(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
//!     let me = socket.get_ref().local_addr()?;
//!     socket.write_with(|s| s.send_to(b"tick", me)).await?;
//!     Timer::after(Duration::from_micros(500)).await;
//!     let mut buf = [0; 4];
//!     socket.read_with(|s| s.recv(&mut buf)).await?;
//!     assert_eq!(&buf, b"tick");
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! # When not to use it
//!
//! Regular files are not pollable: epoll rejects them. Read files with
//! `corio::to_thread`, as asyncio does.
#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod async_io;
pub mod coop;
#[allow(unsafe_code)]
mod epoll;
#[allow(unsafe_code)] // registering the fork handler
mod fork;
#[allow(unsafe_code)] // an event's token is its source's address
mod reactor;
mod source;
mod timer;
mod timer_queue;

pub use async_io::{Async, Readiness};
pub use fork::ForkGeneration;
pub use reactor::{Driver, EnterGuard, Reactor};
pub use timer::{ScheduledTimer, Timer};
