//! Helpers shared by corio-time's behaviour tests.
#![allow(dead_code, reason = "each test binary uses part of the helpers")]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Sets its flag when dropped: proof that a cancelled future's cleanup ran.
pub(crate) struct SetOnDrop(pub(crate) Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A flag and the guard that sets it when dropped.
pub(crate) fn flag() -> (Arc<AtomicBool>, SetOnDrop) {
    let flag = Arc::new(AtomicBool::new(false));
    (flag.clone(), SetOnDrop(flag))
}
