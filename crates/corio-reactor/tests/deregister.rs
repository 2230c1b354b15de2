//! Sources dropped while another thread dispatches their events: an event
//! fetched before the deregistration may still name the source, whose
//! memory must outlive it (run under AddressSanitizer to see the difference).

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use corio::reactor::{Async, Reactor};

#[test]
fn sources_dropped_during_dispatch_stay_valid_until_the_next_poll() {
    let reactor = Reactor::new().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let polls = Arc::new(AtomicU64::new(0));
    let driver = {
        let (reactor, stop, polls) = (reactor.clone(), stop.clone(), polls.clone());
        std::thread::spawn(move || {
            let mut driver = reactor.try_lock_driver().unwrap();
            while !stop.load(Ordering::SeqCst) {
                driver.poll(Some(Duration::from_micros(50))).unwrap();
                polls.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let _entered = reactor.enter();
    for round in 0..3_000 {
        let (a, b) = UnixStream::pair().unwrap();
        let (a, b) = (Async::new(a).unwrap(), Async::new(b).unwrap());
        // Make both ends report events, then drop them at once: the driver
        // may hold those events right now.
        a.get_ref().write_all(&[1; 16]).unwrap();
        b.get_ref().write_all(&[2; 16]).unwrap();
        if round % 3 == 0 {
            std::thread::yield_now();
        }
        drop(a);
        if round % 2 == 0 {
            // `into_inner` deregisters the same way and keeps the socket.
            let socket = b.into_inner().unwrap();
            drop(socket);
        } else {
            drop(b);
        }
    }
    assert_eq!(reactor.source_count(), 0);
    // The driver keeps polling (and freeing) after the last drop.
    let seen = polls.load(Ordering::SeqCst);
    while polls.load(Ordering::SeqCst) < seen + 2 {
        std::thread::yield_now();
    }
    stop.store(true, Ordering::SeqCst);
    reactor.notify();
    driver.join().unwrap();
}
