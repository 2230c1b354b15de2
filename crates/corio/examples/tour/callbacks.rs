//! call_soon / call_later / call_at and the thread-safe Handle.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

pub(crate) async fn section() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let start = Instant::now();
    for (name, ms) in [("later-30ms", 30), ("later-10ms", 10), ("later-20ms", 20)] {
        let log = log.clone();
        corio::call_later(Duration::from_millis(ms), move || {
            log.borrow_mut().push(name)
        });
    }
    let log2 = log.clone();
    corio::call_soon(move || log2.borrow_mut().push("soon"));
    let log3 = log.clone();
    corio::call_at(start + Duration::from_millis(5), move || {
        log3.borrow_mut().push("at-5ms")
    });
    let cancelled = corio::call_later(Duration::from_millis(15), || unreachable!());
    cancelled.cancel();

    let handle = corio::Handle::current();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        handle.call_soon(move || tx.send("threadsafe").unwrap());
    });
    corio::sleep(Duration::from_millis(40)).await;
    println!("   fired in deadline order: {:?}", log.borrow());
    println!("   the cancelled TimerHandle never fired");
    println!(
        "   from a plain thread, Handle::call_soon delivered: {:?}",
        rx.try_recv()
    );
}
