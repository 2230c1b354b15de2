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

    // A loop blocked past two deadlines still runs them in deadline order;
    // so do deadlines that had passed when they were set.
    let order = Rc::new(RefCell::new(Vec::new()));
    for (name, ms) in [("late", 20), ("early", 5)] {
        let order = order.clone();
        corio::call_later(Duration::from_millis(ms), move || {
            order.borrow_mut().push(name)
        });
    }
    let now = Instant::now();
    for (name, ago) in [("1s-ago", 1), ("2s-ago", 2)] {
        let order = order.clone();
        let when = now.checked_sub(Duration::from_secs(ago)).unwrap_or(now);
        corio::call_at(when, move || order.borrow_mut().push(name));
    }
    std::thread::sleep(Duration::from_millis(30));
    corio::sleep(Duration::from_millis(1)).await;
    println!("   after the loop was blocked 30 ms: {:?}", order.borrow());

    // Callbacks from one thread keep their order, on any number of workers.
    let handle = corio::Handle::current();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let handles = corio::to_thread(move || {
        (0..1_000)
            .map(|i| {
                let s = s.clone();
                handle.call_soon(move || s.lock().unwrap().push(i))
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    while !handles.iter().all(|h| h.is_done()) {
        corio::sleep(Duration::from_millis(1)).await;
    }
    let in_order = seen.lock().unwrap().windows(2).all(|w| w[0] < w[1]);
    println!("   1,000 Handle::call_soon from one thread ran in order: {in_order}");
}
