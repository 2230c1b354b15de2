//! asyncio's locks and queues for any executor: first come, first served,
//! and cancel-safe.
//!
//! This crate mirrors Python's `asyncio.locks` and `asyncio.queues`:
//!
//! * [`Lock`]: a mutex that owns its data (`asyncio.Lock`);
//! * [`Event`]: a flag tasks wait on (`asyncio.Event`);
//! * [`Condition`]: a lock plus notifications (`asyncio.Condition`);
//! * [`Semaphore`] and [`BoundedSemaphore`]: permits, with
//!   [`acquire_many`](Semaphore::acquire_many) and owned permits;
//! * [`Barrier`]: a meeting point for a fixed number of tasks
//!   (`asyncio.Barrier`);
//! * [`Queue`], [`LifoQueue`], [`PriorityQueue`]: bounded or unbounded
//!   queues with `task_done`, `join` and `shutdown` (`asyncio.Queue` and
//!   friends);
//! * [`oneshot()`]: `asyncio.Future` as a one-shot channel.
//!
//! Waiters are served strictly in arrival order, as in asyncio: a released
//! lock or permit is handed to the oldest waiter, never grabbed by a
//! newcomer. Every future is cancel-safe in the sense each one documents:
//! a dropped `get` loses no item, a dropped `lock` or `acquire` never leaves
//! the lock held or a permit leaked, and a wake-up given to a waiter that is
//! then dropped passes on to the next.
//!
//! The primitives depend on no runtime: they run on corio, tokio, smol or
//! any other executor.
//!
//! # Examples
//!
//! ```
//! use corio::sync::{Lock, Queue};
//!
//! # corio::run(async {
//! let total = Lock::new(0);
//! let queue = Queue::new(10);
//! let producer = async {
//!     for i in 1..=4 {
//!         queue.put(i).await.unwrap();
//!     }
//! };
//! let consumer = async {
//!     for _ in 0..4 {
//!         let item = queue.get().await.unwrap();
//!         *total.lock().await += item;
//!         queue.task_done().unwrap();
//!     }
//! };
//! futures_lite::future::zip(producer, consumer).await;
//! queue.join().await;
//! assert_eq!(*total.lock().await, 10);
//! # });
//! ```
//!
//! # When not to use it
//!
//! A lock that is never held across an `.await` is better as
//! `std::sync::Mutex`: it is cheaper and cannot be contended for long. Data
//! shared between threads without any task waiting needs only `std::sync`.
//! Between a task and a blocking thread, these primitives still work, but a
//! blocking thread must not wait on them with a busy loop.

#![deny(unsafe_code)]

mod barrier;
mod bounded_semaphore;
mod condition;
pub mod coop;
mod error;
mod event;
pub mod futures;
#[allow(unsafe_code)] // reason: the lock hands out its `UnsafeCell` data to one guard at a time
mod lock;
mod notifier;
#[allow(unsafe_code)]
// reason: the value and the waker pass between the two ends through cells, ordered by one atomic word
mod oneshot;
mod primitive;
mod queue;
mod raw_semaphore;
mod semaphore;
mod slab;
mod store;
mod wakeups;

pub use barrier::Barrier;
pub use bounded_semaphore::BoundedSemaphore;
pub use condition::Condition;
pub use error::{
    BrokenBarrier, GetNowaitError, PutNowaitError, QueueEmpty, QueueFull, QueueShutDown, RecvError,
    ReleaseError, SendError, TaskDoneError, TryRecvError,
};
pub use event::Event;
pub use lock::{Lock, LockGuard, OwnedLockGuard};
pub use oneshot::{Receiver, Sender, oneshot};
pub use queue::{LifoQueue, PriorityQueue, Queue};
pub use semaphore::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
