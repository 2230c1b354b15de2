//! `Async<T>` over real sockets: bulk transfer, repeated readiness
//! (edge-triggered registration must report every new arrival), datagrams.

use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use corio::reactor::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

async fn pair() -> (Async<TcpStream>, Async<TcpStream>) {
    let listener = Async::new(TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let addr = listener.get_ref().local_addr().unwrap();
    let client = Async::new(TcpStream::connect(addr).unwrap()).unwrap();
    let (server, _) = listener.read_with(|l| l.accept()).await.unwrap();
    (client, Async::new(server).unwrap())
}

#[test]
fn ten_megabytes_each_way_arrive_intact() {
    for workers in [1, 2] {
        let runner = corio::Runner::builder().workers(workers).build().unwrap();
        runner.run(async {
            const LEN: usize = 10 * 1024 * 1024;
            let (client, server) = pair().await;
            let (mut client_r, mut client_w) = futures_lite::io::split(client);
            let (mut server_r, mut server_w) = futures_lite::io::split(server);
            let up = corio::spawn(async move {
                client_w.write_all(&pattern(LEN, 1)).await.unwrap();
                client_w.close().await.unwrap();
            });
            let down = corio::spawn(async move {
                server_w.write_all(&pattern(LEN, 2)).await.unwrap();
            });
            let server_got = corio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = vec![0; 64 * 1024];
                while buf.len() < LEN {
                    let n = server_r.read(&mut chunk).await.unwrap();
                    assert!(n > 0, "early EOF at {}", buf.len());
                    buf.extend_from_slice(&chunk[..n]);
                }
                buf
            });
            let mut client_got = vec![0; LEN];
            client_r.read_exact(&mut client_got).await.unwrap();
            up.await.unwrap();
            down.await.unwrap();
            assert!(server_got.await.unwrap() == pattern(LEN, 1));
            assert!(client_got == pattern(LEN, 2));
        });
    }
}

#[test]
fn readiness_is_reported_again_after_every_new_arrival() {
    corio::run(async {
        let (mut client, mut server) = pair().await;
        for round in 0..50u8 {
            // The reader waits first, so each message arrives as a new edge.
            let reader = corio::spawn(async move {
                let mut buf = [0; 3];
                server.read_exact(&mut buf).await.unwrap();
                (server, buf)
            });
            corio::sleep(Duration::from_micros(200)).await;
            client.write_all(&[round, round, round]).await.unwrap();
            let (s, buf) = reader.await.unwrap();
            assert_eq!(buf, [round; 3]);
            server = s;
        }
    });
}

#[test]
fn eof_is_seen_after_a_short_read() {
    corio::run(async {
        let (mut client, mut server) = pair().await;
        client.write_all(b"abc").await.unwrap();
        drop(client);
        let mut buf = [0; 16];
        assert_eq!(server.read(&mut buf).await.unwrap(), 3);
        assert_eq!(server.read(&mut buf).await.unwrap(), 0, "EOF is not lost");
        assert_eq!(server.read(&mut buf).await.unwrap(), 0, "EOF repeats");
    });
}

#[test]
fn queued_datagrams_are_all_received() {
    corio::run(async {
        let a = Async::new(UdpSocket::bind("127.0.0.1:0").unwrap()).unwrap();
        let b = Async::new(UdpSocket::bind("127.0.0.1:0").unwrap()).unwrap();
        let to = b.get_ref().local_addr().unwrap();
        for i in 0..20u8 {
            a.write_with(|s| s.send_to(&[i], to)).await.unwrap();
        }
        for i in 0..20u8 {
            let mut buf = [0; 8];
            let n = b.read_with(|s| s.recv(&mut buf)).await.unwrap();
            assert_eq!(&buf[..n], &[i]);
        }
    });
}

#[test]
fn into_inner_deregisters_and_returns_the_socket() {
    corio::run(async {
        let socket = Async::new(UdpSocket::bind("127.0.0.1:0").unwrap()).unwrap();
        let reactor = corio::reactor::Reactor::current().unwrap();
        let before = reactor.source_count();
        let std_socket = socket.into_inner().unwrap();
        assert_eq!(reactor.source_count(), before - 1);
        assert!(std_socket.local_addr().is_ok());
    });
}

#[test]
fn a_regular_file_is_rejected_with_an_error() {
    corio::run(async {
        let file = std::fs::File::open("Cargo.toml").unwrap();
        let err = Async::new(file).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc_eperm()));
    });
}

fn libc_eperm() -> i32 {
    1
}
