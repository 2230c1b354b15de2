//! [`Barrier`]: a meeting point for a fixed number of tasks.

use std::fmt;

use event_listener::IntoNotification;

use crate::futures;
use crate::primitive::{Mutex, lock};

/// A meeting point: each of `parties` tasks calls [`wait`](Self::wait), and
/// all of them are released together when the last one arrives. The barrier
/// then starts over, so it can be used round after round.
///
/// Equivalent to `asyncio.Barrier` (Python 3.11). [`abort`](Self::abort)
/// breaks it for good (until [`reset`](Self::reset)); every waiter, present
/// and future, gets [`BrokenBarrier`](crate::BrokenBarrier).
///
/// # Examples
///
/// ```
/// use corio::sync::Barrier;
///
/// # corio::run(async {
/// let barrier = Barrier::new(3);
/// let arrive = || async { barrier.wait().await.unwrap() };
/// let (a, (b, c)) = futures_lite::future::zip(arrive(), futures_lite::future::zip(arrive(), arrive())).await;
/// let mut indexes = [a, b, c];
/// indexes.sort();
/// assert_eq!(indexes, [0, 1, 2]);
/// # });
/// ```
pub struct Barrier {
    parties: usize,
    pub(crate) state: Mutex<BarrierState>,
    /// Notified with `true` when the current round is broken (abort or
    /// reset), with `false` when it completes.
    pub(crate) event: event_listener::Event<bool>,
}

pub(crate) struct BarrierState {
    /// Tasks waiting in the current round.
    pub(crate) count: usize,
    pub(crate) broken: bool,
}

impl Barrier {
    /// Creates a barrier for `parties` tasks.
    ///
    /// Equivalent to `asyncio.Barrier(parties)`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::sync::Barrier::new(2).parties(), 2);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `parties` is 0 (asyncio raises `ValueError`).
    #[track_caller]
    pub fn new(parties: usize) -> Self {
        assert!(parties > 0, "a Barrier needs at least one party, got 0");
        Self {
            parties,
            state: Mutex::new(BarrierState {
                count: 0,
                broken: false,
            }),
            event: event_listener::Event::with_tag(),
        }
    }

    /// Waits until `parties` tasks are waiting, then releases them all.
    /// Returns this task's arrival index in the round, from 0 to
    /// `parties - 1`.
    ///
    /// Equivalent to `await barrier.wait()`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a waiter dropped before the round completes leaves it,
    /// and the round then needs one more arrival, as in asyncio.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let barrier = corio::sync::Barrier::new(1);
    /// assert_eq!(barrier.wait().await, Ok(0));
    /// assert_eq!(barrier.wait().await, Ok(0));
    /// # });
    /// ```
    ///
    /// # Errors
    ///
    /// [`BrokenBarrier`](crate::BrokenBarrier) if the barrier is broken when
    /// called, or is aborted or reset while waiting.
    pub fn wait(&self) -> futures::BarrierWait<'_> {
        futures::BarrierWait::new(self)
    }

    /// Returns the barrier to its empty state. Tasks waiting in the current
    /// round get [`BrokenBarrier`](crate::BrokenBarrier); a broken barrier
    /// becomes usable again.
    ///
    /// Equivalent to `asyncio.Barrier.reset()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = corio::sync::Barrier::new(2);
    /// barrier.abort();
    /// barrier.reset();
    /// assert!(!barrier.is_broken());
    /// ```
    pub fn reset(&self) {
        let mut state = lock(&self.state);
        state.count = 0;
        state.broken = false;
        self.event.notify(usize::MAX.additional().tag(true));
    }

    /// Breaks the barrier: current and future waiters get
    /// [`BrokenBarrier`](crate::BrokenBarrier) until [`reset`](Self::reset).
    ///
    /// Equivalent to `asyncio.Barrier.abort()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = corio::sync::Barrier::new(2);
    /// barrier.abort();
    /// assert!(barrier.is_broken());
    /// ```
    pub fn abort(&self) {
        let mut state = lock(&self.state);
        state.count = 0;
        state.broken = true;
        self.event.notify(usize::MAX.additional().tag(true));
    }

    /// The number of tasks needed to complete a round.
    ///
    /// Equivalent to `asyncio.Barrier.parties`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::sync::Barrier::new(5).parties(), 5);
    /// ```
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// The number of tasks waiting in the current round.
    ///
    /// Equivalent to `asyncio.Barrier.n_waiting`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::sync::Barrier::new(2).n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        lock(&self.state).count
    }

    /// Whether the barrier is broken (aborted and not reset since).
    ///
    /// Equivalent to `asyncio.Barrier.broken`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio::sync::Barrier::new(2).is_broken());
    /// ```
    pub fn is_broken(&self) -> bool {
        lock(&self.state).broken
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &state.count)
            .field("broken", &state.broken)
            .finish()
    }
}
