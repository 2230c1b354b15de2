//! A busy task cannot starve timers, I/O or other tasks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[test]
fn a_task_looping_on_yield_now_does_not_starve_a_timer() {
    for workers in [1, 2] {
        let runner = corio::Runner::builder().workers(workers).build().unwrap();
        runner.run(async {
            let stop = Arc::new(AtomicBool::new(false));
            let spins = Arc::new(AtomicU64::new(0));
            let mut hogs = Vec::new();
            for _ in 0..workers {
                let stop = stop.clone();
                let spins = spins.clone();
                hogs.push(corio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        spins.fetch_add(1, Ordering::Relaxed);
                        corio::yield_now().await;
                    }
                }));
            }
            let start = Instant::now();
            let sleeper = corio::spawn(async {
                corio::sleep(Duration::from_millis(20)).await;
                Instant::now()
            });
            let woke = sleeper.await.unwrap();
            stop.store(true, Ordering::Relaxed);
            for h in hogs {
                h.await.unwrap();
            }
            assert!(woke - start < Duration::from_secs(2), "{:?}", woke - start);
            assert!(spins.load(Ordering::Relaxed) > 0);
        });
    }
}

#[test]
fn a_task_that_always_finds_ready_io_still_yields() {
    use corio::reactor::Async;
    use std::net::UdpSocket;

    corio::run(async {
        let socket = Arc::new(Async::new(UdpSocket::bind("127.0.0.1:0").unwrap()).unwrap());
        let me = socket.get_ref().local_addr().unwrap();
        let other_ran = Arc::new(AtomicBool::new(false));
        let flag = other_ran.clone();
        let writer = corio::spawn_local(async move {
            // Sending to itself is always ready; without the budget this
            // loop would never give the other task a turn.
            let mut sent = 0u32;
            while !flag.load(Ordering::Relaxed) {
                socket.write_with(|s| s.send_to(b"x", me)).await.unwrap();
                let mut buf = [0; 1];
                socket.read_with(|s| s.recv(&mut buf)).await.unwrap();
                sent += 1;
            }
            sent
        });
        let flag = other_ran.clone();
        corio::spawn_local(async move { flag.store(true, Ordering::Relaxed) })
            .await
            .unwrap();
        assert!(writer.await.unwrap() >= 1);
    });
}
