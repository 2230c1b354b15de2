//! Server: abort_clients, failing handlers, the connection limit and
//! serve_forever.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use corio::streams::{
    ServerOptions, StreamReader, StreamWriter, open_connection, start_server, start_server_with,
};

async fn wait_for(mut cond: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if cond() {
            return;
        }
        corio::sleep(Duration::from_millis(5)).await;
    }
    panic!("condition not reached in 10 s");
}

#[test]
fn abort_clients_drops_live_connections() {
    corio::run(async {
        let server = start_server(
            |mut reader: StreamReader, _writer: StreamWriter| async move {
                // Would wait forever without the abort.
                let _ = reader.read_to_end().await;
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let port = server.local_addrs()[0].port().unwrap();
        let mut clients = Vec::new();
        for _ in 0..10 {
            clients.push(open_connection("127.0.0.1", port).await.unwrap());
        }
        wait_for(|| server.active_connections() == 10).await;
        server.abort_clients();
        for (reader, _writer) in &mut clients {
            let got = corio::timeout(Duration::from_secs(10), reader.read(10))
                .await
                .unwrap();
            // A hang-up: end of stream, or a reset.
            assert!(got.map(|d| d.is_empty()).unwrap_or(true));
        }
        wait_for(|| server.active_connections() == 0).await;
        assert!(server.is_serving(), "abort_clients does not stop listening");
        let (mut reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
        writer.write_eof();
        assert_eq!(reader.read(1).await.unwrap(), b"");
    });
}

#[test]
fn failing_or_panicking_handlers_end_only_their_connection() {
    corio::run(async {
        let server = start_server(
            |mut reader: StreamReader, writer: StreamWriter| async move {
                let line = reader.readline().await?;
                match &line[..] {
                    b"panic\n" => panic!("handler panics on purpose"),
                    b"fail\n" => Err(io::Error::other("handler fails on purpose")),
                    _ => {
                        writer.write(&line);
                        writer.drain().await
                    }
                }
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let port = server.local_addrs()[0].port().unwrap();
        let (mut good_reader, good_writer) = open_connection("127.0.0.1", port).await.unwrap();
        for bad in [&b"panic\n"[..], b"fail\n"] {
            let (mut reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
            writer.write(bad);
            writer.drain().await.unwrap();
            let got = corio::timeout(Duration::from_secs(10), reader.read(10))
                .await
                .unwrap();
            assert!(got.map(|d| d.is_empty()).unwrap_or(true));
        }
        assert!(server.is_serving());
        good_writer.write(b"still here\n");
        assert_eq!(good_reader.readline().await.unwrap(), b"still here\n");
    });
}

#[test]
fn max_connections_bounds_concurrent_handlers() {
    corio::run(async {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (r2, p2) = (running.clone(), peak.clone());
        let options = ServerOptions::new().max_connections(3);
        let server = start_server_with(
            move |mut reader: StreamReader, writer: StreamWriter| {
                let (running, peak) = (r2.clone(), p2.clone());
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    corio::sleep(Duration::from_millis(20)).await;
                    let line = reader.readline().await?;
                    writer.write(&line);
                    writer.drain().await?;
                    running.fetch_sub(1, Ordering::SeqCst);
                    io::Result::Ok(())
                }
            },
            "127.0.0.1:0",
            &options,
        )
        .await
        .unwrap();
        let port = server.local_addrs()[0].port().unwrap();
        let clients: Vec<_> = (0..12)
            .map(|i| {
                corio::spawn(async move {
                    let (mut reader, writer) = open_connection("127.0.0.1", port).await?;
                    writer.write(format!("{i}\n").as_bytes());
                    let line = reader.readline().await?;
                    assert_eq!(line, format!("{i}\n").as_bytes());
                    io::Result::Ok(())
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap().unwrap();
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!((1..=3).contains(&peak), "peak {peak}");
    });
}

#[test]
fn serve_forever_returns_on_close_and_wait_closed_waits_for_handlers() {
    corio::run(async {
        let server = Arc::new(
            start_server(
                |mut reader: StreamReader, _writer: StreamWriter| async move {
                    let _ = reader.read_to_end().await;
                },
                "127.0.0.1:0",
            )
            .await
            .unwrap(),
        );
        let port = server.local_addrs()[0].port().unwrap();
        let s = server.clone();
        let serving = corio::spawn(async move { s.serve_forever().await });
        let (_reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
        wait_for(|| server.active_connections() == 1).await;
        server.close();
        corio::timeout(Duration::from_secs(10), serving)
            .await
            .unwrap()
            .unwrap();
        // The handler still runs: wait_closed waits for it.
        let early = corio::timeout(Duration::from_millis(50), server.wait_closed()).await;
        assert!(early.is_err());
        writer.write_eof();
        corio::timeout(Duration::from_secs(10), server.wait_closed())
            .await
            .unwrap();
        assert!(open_connection("127.0.0.1", port).await.is_err());
    });
}
