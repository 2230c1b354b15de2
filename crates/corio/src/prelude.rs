//! The names most corio programs use, for `use corio::prelude::*`.
//!
//! # Examples
//!
//! ```
//! use corio::prelude::*;
//!
//! corio::run(async {
//!     let task = spawn(async { 1 });
//!     sleep(std::time::Duration::from_millis(1)).await;
//!     assert_eq!(task.await.unwrap(), 1);
//! });
//! ```

#[doc(no_inline)]
pub use crate::{
    Deadline, Handle, Runner, Task, sleep, spawn, spawn_local, timeout, to_thread, yield_now,
};
#[doc(no_inline)]
pub use futures_lite::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, FutureExt, StreamExt};
