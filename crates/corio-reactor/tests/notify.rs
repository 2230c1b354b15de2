//! `Reactor::notify` from another thread always wakes a blocked driver, even
//! when notifies race with the driver draining the previous one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use corio::reactor::Reactor;

#[test]
fn every_notify_wakes_the_blocked_driver() {
    let reactor = Reactor::new().unwrap();
    let wanted = Arc::new(AtomicU64::new(0));
    let seen = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let driver = {
        let (reactor, wanted, seen, stop) =
            (reactor.clone(), wanted.clone(), seen.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut driver = reactor.try_lock_driver().unwrap();
            while !stop.load(Ordering::SeqCst) {
                driver.poll(None).unwrap();
                seen.store(wanted.load(Ordering::SeqCst), Ordering::SeqCst);
            }
        })
    };
    for round in 1..=3_000u64 {
        wanted.store(round, Ordering::SeqCst);
        // Bursts of notifies race with the driver's drain of the last one.
        for _ in 0..(round % 3 + 1) {
            reactor.notify();
        }
        let start = Instant::now();
        while seen.load(Ordering::SeqCst) < round {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "round {round}: the driver never woke up"
            );
            std::hint::spin_loop();
        }
    }
    stop.store(true, Ordering::SeqCst);
    reactor.notify();
    driver.join().unwrap();
}

#[test]
fn notifies_hammering_a_draining_driver_are_never_all_lost() {
    let reactor = Reactor::new().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let wakeups = Arc::new(AtomicU64::new(0));
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    {
        let (reactor, stop, wakeups) = (reactor.clone(), stop.clone(), wakeups.clone());
        std::thread::spawn(move || {
            let mut driver = reactor.try_lock_driver().unwrap();
            while !stop.load(Ordering::SeqCst) {
                driver.poll(None).unwrap();
                wakeups.fetch_add(1, Ordering::SeqCst);
            }
            done_tx.send(()).unwrap();
        });
    }
    let notifiers: Vec<_> = (0..2)
        .map(|_| {
            let reactor = reactor.clone();
            std::thread::spawn(move || {
                for _ in 0..2_000_000 {
                    reactor.notify();
                }
            })
        })
        .collect();
    for n in notifiers {
        n.join().unwrap();
    }
    // However the race went, one more notify must still reach the driver.
    stop.store(true, Ordering::SeqCst);
    reactor.notify();
    assert!(
        done_rx.recv_timeout(Duration::from_secs(10)).is_ok(),
        "a lost wake-up left the driver blocked after {} wake-ups",
        wakeups.load(Ordering::SeqCst)
    );
}
