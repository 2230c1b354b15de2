//! After a runtime with many finished tasks and many sockets shuts down, the
//! process has no more open descriptors than before. (Alone in its test
//! binary, so no other test opens descriptors meanwhile.)

use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use corio::reactor::Async;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn shutdown_closes_every_descriptor() {
    let before = open_fds();
    corio::run(async {
        for _ in 0..10 {
            let tasks: Vec<_> = (0..1_000).map(|i| corio::spawn(async move { i })).collect();
            for t in tasks {
                t.await.unwrap();
            }
        }
        let listener = Async::new(TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
        let addr = listener.get_ref().local_addr().unwrap();
        let mut kept = Vec::new();
        for i in 0..500 {
            let client = Async::new(TcpStream::connect(addr).unwrap()).unwrap();
            let (server, _) = listener.read_with(|l| l.accept()).await.unwrap();
            let server = Async::new(server).unwrap();
            if i % 2 == 0 {
                // Half of the sockets end up owned by tasks still pending at
                // shutdown; their futures are dropped, closing them.
                corio::spawn(async move {
                    let _pair = (client, server);
                    corio::sleep(Duration::from_secs(3600)).await;
                })
                .detach();
            } else {
                kept.push((client, server));
            }
        }
        assert!(open_fds() >= before + 1_000);
        drop(kept);
    });
    assert_eq!(open_fds(), before);
}
