//! Resets, half-closes and lost connections surface as errors, never as
//! panics or hangs.

use std::io;
use std::time::Duration;

use corio::streams::{ReadError, TcpListener, TcpStream, open_connection};
use futures_lite::{AsyncReadExt, AsyncWriteExt};

/// A client's stream pair connected over loopback, and the server's end.
async fn client_and_server() -> (
    corio::streams::StreamReader,
    corio::streams::StreamWriter,
    TcpStream,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (reader, writer, server)
}

#[test]
fn peer_reset_during_readexactly_is_an_error() {
    corio::run(async {
        let (mut reader, _writer, mut server) = client_and_server().await;
        server.write_all(b"0123456789").await.unwrap();
        let reset = corio::spawn(async move {
            corio::sleep(Duration::from_millis(50)).await;
            // Linger 0: closing sends a reset instead of a FIN.
            socket2::SockRef::from(&server)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(server);
        });
        let result = corio::timeout(Duration::from_secs(10), reader.readexactly(100))
            .await
            .expect("readexactly must not hang after a reset");
        match result {
            Err(ReadError::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::ConnectionReset),
            Err(ReadError::Incomplete(e)) => assert!(e.partial().len() <= 10),
            other => panic!("expected an error, got {other:?}"),
        }
        reset.await.unwrap();
    });
}

#[test]
fn write_eof_half_closes_and_the_other_direction_still_works() {
    corio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (mut reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let (mut server_reader, server_writer) = server.into_split();

        writer.write(b"request body");
        writer.write_eof();
        assert!(!writer.is_closing());
        // The server reads to end of stream…
        assert_eq!(server_reader.read_to_end().await.unwrap(), b"request body");
        assert!(server_reader.at_eof());
        // …and can still answer.
        server_writer.write(b"response\n");
        server_writer.drain().await.unwrap();
        assert_eq!(reader.readline().await.unwrap(), b"response\n");
        server_writer.close();
        server_writer.wait_closed().await.unwrap();
        assert_eq!(reader.read(10).await.unwrap(), b"");
    });
}

#[test]
fn drain_reports_a_lost_connection_naming_the_peer() {
    corio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (_reader, writer) = open_connection("127.0.0.1", addr.port()).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        socket2::SockRef::from(&server)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(server);
        drop(listener);
        let mut failed = None;
        for _ in 0..1000 {
            writer.write(&[0; 4096]);
            if let Err(e) = writer.drain().await {
                failed = Some(e);
                break;
            }
            corio::sleep(Duration::from_millis(1)).await;
        }
        let e = failed.expect("writing to a reset connection must fail");
        assert!(
            matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
            ),
            "{e}"
        );
        assert!(e.to_string().contains(&addr.to_string()), "{e}");
        assert!(writer.is_closing());
    });
}

#[test]
fn raw_streams_read_to_eof_after_shutdown() {
    corio::run(async {
        let listener = TcpListener::bind("[::1]:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"abc").await.unwrap();
        client.close().await.unwrap();
        let mut all = Vec::new();
        server.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"abc");
        server.write_all(b"still open").await.unwrap();
        let mut buf = [0; 10];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"still open");
    });
}

/// Accepts one connection on loopback and resets it at once (linger 0), so
/// the client's next read fails with `ConnectionReset`.
async fn reset_connection() -> (corio::streams::StreamReader, corio::streams::StreamWriter) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    // Linger 0: closing sends a reset instead of a FIN.
    socket2::SockRef::from(&server)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(server);
    (reader, writer)
}

#[test]
fn a_reset_is_sticky_for_every_later_read() {
    corio::run(async {
        let (mut reader, _writer) = reset_connection().await;
        let first = corio::timeout(Duration::from_secs(10), reader.readline())
            .await
            .expect("readline must not hang after a reset")
            .unwrap_err();
        assert_eq!(first.kind(), io::ErrorKind::ConnectionReset);

        // The socket alone would now read as a clean end of stream; the
        // reader keeps reporting the reset instead.
        for _ in 0..2 {
            let e = reader.readline().await.unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::ConnectionReset);
        }
        assert_eq!(
            reader.read(10).await.unwrap_err().kind(),
            io::ErrorKind::ConnectionReset
        );
        assert_eq!(
            reader.readexactly(1).await.unwrap_err().kind(),
            io::ErrorKind::ConnectionReset
        );
        assert_eq!(
            reader.readuntil(b"!").await.unwrap_err().kind(),
            io::ErrorKind::ConnectionReset
        );
        assert_eq!(
            reader.read_to_end().await.unwrap_err().kind(),
            io::ErrorKind::ConnectionReset
        );
        let mut buf = [0; 8];
        assert_eq!(
            AsyncReadExt::read(&mut reader, &mut buf)
                .await
                .unwrap_err()
                .kind(),
            io::ErrorKind::ConnectionReset,
            "the AsyncRead path is sticky too"
        );
        assert!(!reader.at_eof(), "a reset is not an end of stream");
    });
}

#[test]
fn a_reset_after_data_keeps_the_data_then_stays_an_error() {
    corio::run(async {
        let (mut reader, _writer, mut server) = client_and_server().await;
        server.write_all(b"partial").await.unwrap();
        // The client sees the bytes before the reset.
        assert_eq!(reader.readexactly(3).await.unwrap(), b"par");
        socket2::SockRef::from(&server)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(server);
        let e = corio::timeout(Duration::from_secs(10), reader.readline())
            .await
            .expect("readline must not hang after a reset")
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionReset);
        // What had arrived is still returned, then the reset again.
        assert_eq!(reader.read(100).await.unwrap(), b"tial");
        assert_eq!(
            reader.readline().await.unwrap_err().kind(),
            io::ErrorKind::ConnectionReset
        );
    });
}
