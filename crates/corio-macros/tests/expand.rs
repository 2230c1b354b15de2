//! The expanded code compiles and behaves: return values, `?`, `workers`,
//! visibility and the runner-start failure, against a stand-in facade.

/// A stand-in for the facade's `__private` module, so the expansion is
/// checked without the real runtime: the runner is a minimal `block_on`
/// that records the worker count it was given.
mod mock {
    pub(crate) mod __private {
        use std::cell::Cell;
        use std::future::Future;
        use std::io;
        use std::pin::pin;
        use std::sync::Arc;
        use std::task::{Context, Poll, Wake, Waker};
        use std::thread::{self, Thread};

        thread_local! {
            static WORKERS: Cell<Option<Option<usize>>> = const { Cell::new(None) };
        }

        /// The worker count the last runner built on this thread was given:
        /// `None` when no runner was built, `Some(None)` for the default.
        pub(crate) fn last_workers() -> Option<Option<usize>> {
            WORKERS.with(Cell::take)
        }

        #[derive(Debug)]
        pub(crate) struct Runner(());

        #[derive(Debug)]
        pub(crate) struct Builder {
            workers: Option<usize>,
        }

        impl Runner {
            pub(crate) fn builder() -> Builder {
                Builder { workers: None }
            }

            pub(crate) fn run<F: Future>(&self, future: F) -> F::Output {
                struct Unpark(Thread);
                impl Wake for Unpark {
                    fn wake(self: Arc<Self>) {
                        self.0.unpark();
                    }
                }
                let waker = Waker::from(Arc::new(Unpark(thread::current())));
                let mut cx = Context::from_waker(&waker);
                let mut future = pin!(future);
                loop {
                    match future.as_mut().poll(&mut cx) {
                        Poll::Ready(output) => return output,
                        Poll::Pending => thread::park(),
                    }
                }
            }
        }

        impl Builder {
            pub(crate) fn workers(self, workers: usize) -> Builder {
                Builder {
                    workers: Some(workers),
                }
            }

            /// Refuses more than 64 workers, standing in for an OS refusal.
            pub(crate) fn build(self) -> io::Result<Runner> {
                WORKERS.with(|cell| cell.set(Some(self.workers)));
                match self.workers {
                    Some(n) if n > 64 => Err(io::Error::other("too many threads")),
                    _ => Ok(Runner(())),
                }
            }
        }
    }
}

use std::num::ParseIntError;

use mock::__private::last_workers;

/// Functions with other names than `main` are allowed, and `pub` survives.
mod app {
    use std::num::ParseIntError;

    /// Returns its value through `?` and a `Result`.
    #[corio_macros::main(crate = "crate::mock", workers = 3)]
    pub(crate) async fn main() -> Result<u32, ParseIntError> {
        let n: u32 = "12".parse()?;
        let doubled = async move { n * 2 }.await;
        Ok(doubled)
    }

    /// Fails through `?`.
    #[corio_macros::main(crate = "crate::mock")]
    pub(crate) async fn fails() -> Result<u32, ParseIntError> {
        let n: u32 = "twelve".parse()?;
        Ok(n)
    }

    /// Returns early with `return`.
    #[corio_macros::main(crate = "crate::mock", workers = 1)]
    pub(crate) async fn early() -> &'static str {
        let flag = std::hint::black_box(true);
        if flag {
            return "early";
        }
        "late"
    }

    /// Asks for more workers than the stand-in runner accepts.
    #[corio_macros::main(crate = "crate::mock", workers = 100)]
    pub(crate) async fn refused() {}
}

#[test]
fn main_returns_the_body_value_and_passes_workers() {
    assert_eq!(app::main(), Ok(24));
    assert_eq!(last_workers(), Some(Some(3)));
}

#[test]
fn main_propagates_errors_with_question_mark() {
    let error: ParseIntError = app::fails().unwrap_err();
    assert_eq!(error.to_string(), "invalid digit found in string");
    assert_eq!(last_workers(), Some(None));
}

#[test]
fn return_leaves_the_body() {
    assert_eq!(app::early(), "early");
}

#[test]
fn a_refused_runner_panics_with_a_clear_message() {
    let panic = std::panic::catch_unwind(app::refused).unwrap_err();
    let message = panic
        .downcast_ref::<String>()
        .expect("the panic carries a formatted message");
    assert_eq!(
        message,
        "`#[corio::main]` could not start the corio runtime: too many threads"
    );
}

#[corio_macros::test(crate = "crate::mock")]
async fn tests_run_their_body() {
    let value = async { 7 }.await;
    assert_eq!(value, 7);
    assert_eq!(last_workers(), Some(None));
}

#[corio_macros::test(crate = "crate::mock", workers = 2)]
async fn tests_may_return_ok() -> Result<(), String> {
    assert_eq!(last_workers(), Some(Some(2)));
    let parsed: u8 = "8".parse().map_err(|e: ParseIntError| e.to_string())?;
    assert_eq!(parsed, 8);
    Ok(())
}
