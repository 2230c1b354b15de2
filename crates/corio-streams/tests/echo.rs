//! Echo over TCP and Unix sockets: 1,000 concurrent clients × 100 lines
//! each, every byte back intact.

use std::io;
use std::time::Duration;

use corio::streams::{
    ListenOptions, ServerOptions, StreamReader, StreamWriter, open_connection,
    open_unix_connection, start_server_with, start_unix_server_with,
};

const CLIENTS: usize = 1_000;
const LINES: usize = 100;

async fn echo(mut reader: StreamReader, writer: StreamWriter) -> io::Result<()> {
    loop {
        let line = reader.readline().await?;
        if line.is_empty() {
            return Ok(());
        }
        writer.write(&line);
        writer.drain().await?;
    }
}

async fn client(id: usize, mut reader: StreamReader, writer: StreamWriter) -> io::Result<usize> {
    let mut bytes = 0;
    for n in 0..LINES {
        let line = format!("client {id} line {n} {}\n", "x".repeat(n % 17));
        writer.write(line.as_bytes());
        writer.drain().await?;
        let back = reader.readline().await?;
        assert_eq!(back, line.as_bytes(), "client {id} line {n}");
        bytes += back.len();
    }
    writer.write_eof();
    assert_eq!(
        reader.read(1).await?,
        b"",
        "the server closes after our EOF"
    );
    Ok(bytes)
}

fn expected_bytes() -> usize {
    (0..CLIENTS)
        .flat_map(|id| {
            (0..LINES).map(move |n| format!("client {id} line {n} {}\n", "x".repeat(n % 17)).len())
        })
        .sum()
}

fn options() -> ServerOptions {
    ServerOptions::new().listen(ListenOptions::new().backlog(2048))
}

#[test]
fn tcp_echo_1000_clients() {
    corio::run(async {
        let server = start_server_with(echo, "127.0.0.1:0", &options())
            .await
            .unwrap();
        let port = server.local_addrs()[0].port().unwrap();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|id| {
                corio::spawn(async move {
                    let (reader, writer) = open_connection("127.0.0.1", port).await?;
                    client(id, reader, writer).await
                })
            })
            .collect();
        let mut total = 0;
        for c in clients {
            total += c.await.unwrap().unwrap();
        }
        assert_eq!(total, expected_bytes());
        server.close();
        corio::timeout(Duration::from_secs(20), server.wait_closed())
            .await
            .unwrap();
    });
}

#[test]
fn unix_echo_1000_clients() {
    corio::run(async {
        let path = std::env::temp_dir().join(format!("corio-echo-{}.sock", std::process::id()));
        let server = start_unix_server_with(echo, &path, &options())
            .await
            .unwrap();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|id| {
                let path = path.clone();
                corio::spawn(async move {
                    let (reader, writer) = open_unix_connection(&path).await?;
                    client(id, reader, writer).await
                })
            })
            .collect();
        let mut total = 0;
        for c in clients {
            total += c.await.unwrap().unwrap();
        }
        assert_eq!(total, expected_bytes());
        server.close();
        corio::timeout(Duration::from_secs(20), server.wait_closed())
            .await
            .unwrap();
        assert!(!path.exists(), "the socket file is removed on close");
    });
}
