//! Happy Eyeballs: a dead first address falls through to the next, a silent
//! one is raced after the delay, and when all fail every error is reported.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use corio::streams::{ConnectError, ListenOptions, TcpListener, TcpStream};

async fn closed_port() -> SocketAddr {
    // Bound and dropped: nothing listens there any more.
    TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
}

#[test]
fn refused_first_address_falls_through_at_once() {
    corio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let good = listener.local_addr().unwrap();
        let dead = closed_port().await;
        // A long delay: only the failure of the first attempt can start the
        // second one in time.
        let stream = corio::timeout(
            Duration::from_secs(5),
            TcpStream::connect_with_delay(vec![dead, good], Duration::from_secs(30)),
        )
        .await
        .expect("the refused attempt must start the next one at once")
        .unwrap();
        assert_eq!(stream.peer_addr().unwrap(), good);
    });
}

#[test]
fn silent_first_address_is_raced_after_the_delay() {
    corio::run(async {
        // A listener that never accepts, with its queue filled: the kernel
        // drops further SYNs, so a connection attempt just waits.
        let full = TcpListener::bind_with("127.0.0.1:0", &ListenOptions::new().backlog(0))
            .await
            .unwrap();
        let full_addr = full.local_addr().unwrap();
        let mut fillers = Vec::new();
        let mut saturated = false;
        for _ in 0..16 {
            match corio::timeout(Duration::from_millis(200), TcpStream::connect(full_addr)).await {
                Ok(Ok(s)) => fillers.push(s),
                Ok(Err(_)) | Err(_) => {
                    saturated = true;
                    break;
                }
            }
        }
        assert!(saturated, "the listen queue never filled");

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let good = listener.local_addr().unwrap();
        let stream = corio::timeout(
            Duration::from_secs(10),
            TcpStream::connect_with_delay(vec![full_addr, good], Duration::from_millis(100)),
        )
        .await
        .expect("the second attempt must start after the delay")
        .unwrap();
        assert_eq!(stream.peer_addr().unwrap(), good);
    });
}

#[test]
fn all_failed_reports_every_attempt() {
    corio::run(async {
        let a = closed_port().await;
        let b: SocketAddr = format!("[::1]:{}", closed_port().await.port())
            .parse()
            .unwrap();
        let err = TcpStream::connect(vec![a, b]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
        let details = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<ConnectError>())
            .unwrap();
        let tried: Vec<_> = details.attempts().iter().map(|(addr, _)| *addr).collect();
        assert_eq!(tried, [a, b]);
        assert!(
            details
                .attempts()
                .iter()
                .all(|(_, e)| e.kind() == io::ErrorKind::ConnectionRefused)
        );
        let message = err.to_string();
        assert!(
            message.contains(&a.to_string()) && message.contains(&b.to_string()),
            "{message}"
        );

        let err = corio::streams::open_connection("localhost", a.port())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("localhost"), "{err}");
    });
}
