//! Child processes with stream pipes, and Unix signals: asyncio's
//! `asyncio.subprocess` and `loop.add_signal_handler`.
//!
//! - [`Command`] and [`shell`] build a child (`create_subprocess_exec`,
//!   `create_subprocess_shell`); [`Stdio`] says where its streams go.
//! - [`Child`] is the running process: its pipes as corio-streams'
//!   `StreamWriter`/`StreamReader`, [`Child::wait`], [`Child::communicate`],
//!   [`Child::send_signal`], [`Child::terminate`], [`Child::kill`],
//!   [`Child::kill_tree`] for a whole process group.
//! - [`signal`]: [`signal::ctrl_c`] and [`signal::Signals`], a stream of
//!   signals.
//!
//! Children are reaped without a thread per child: each child's pidfd is
//! watched by the reactor (Linux 5.3+), or else one `SIGCHLD` handler wakes
//! the waiting children. A [`Child`] dropped before it exited is handed to
//! one process-wide reaper thread, which needs no runtime and exists only
//! while such children run. Only corio's own children are ever reaped, so
//! `std::process` children elsewhere in the program are left alone. Every
//! descriptor corio opens is close-on-exec: children inherit only 0, 1, 2.
//!
//! # Examples
//!
//! ```
//! use corio::subprocess::{Command, Stdio};
//!
//! # corio::run(async {
//! let mut child = Command::new("sh")
//!     .args(["-c", "echo working; exit 3"])
//!     .stdout(Stdio::piped())
//!     .spawn()?;
//! let line = child.stdout.as_mut().unwrap().readline().await?;
//! assert_eq!(line, b"working\n");
//! child.wait().await?;
//! assert_eq!(child.returncode(), Some(3));
//! # std::io::Result::Ok(()) }).unwrap();
//! ```
//!
//! # When not to use it
//!
//! For a quick blocking call outside async code, `std::process::Command`
//! is enough. Signals are process-wide: libraries should leave them to
//! the program.
#![deny(unsafe_code)]

mod child;
mod command;
#[allow(unsafe_code)]
mod handler;
#[allow(unsafe_code)]
mod kill;
#[allow(unsafe_code)] // registering pidfds with the reaper's poller
mod orphans;
#[allow(unsafe_code)]
mod pidfd;
#[allow(unsafe_code)]
mod pipe;
mod reaper;
pub mod signal;
mod stdio;

pub use child::Child;
pub use command::{Command, shell};
pub use stdio::Stdio;
