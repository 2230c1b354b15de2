//! A debouncer built from `spawn` and `cancel`: only the last call runs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use corio::Task;

/// Runs an action `delay` after the latest call; each call cancels the
/// action scheduled by the previous one.
struct Debouncer {
    delay: Duration,
    pending: Option<Task<()>>,
}

impl Debouncer {
    fn new(delay: Duration) -> Self {
        Debouncer {
            delay,
            pending: None,
        }
    }

    fn call(&mut self, action: impl FnOnce() + Send + 'static) {
        if let Some(previous) = self.pending.take() {
            previous.cancel();
        }
        let delay = self.delay;
        self.pending = Some(corio::spawn(async move {
            corio::sleep(delay).await;
            action();
        }));
    }
}

#[test]
fn only_the_last_call_runs() {
    let ran = corio::run(async {
        let ran = Arc::new(Mutex::new(Vec::new()));
        // Calls come 2 ms apart; the delay leaves room for a machine that
        // holds the test back far longer than that.
        let mut debouncer = Debouncer::new(Duration::from_millis(300));
        for i in 0..5 {
            let ran = ran.clone();
            debouncer.call(move || ran.lock().unwrap().push(i));
            corio::sleep(Duration::from_millis(2)).await;
        }
        let last = debouncer.pending.take().unwrap();
        last.await.unwrap();
        corio::sleep(Duration::from_millis(40)).await;
        ran.lock().unwrap().clone()
    });
    assert_eq!(ran, [4]);
}
