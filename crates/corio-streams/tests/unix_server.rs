//! Unix servers: closing a server removes only the socket file it created.

use std::path::PathBuf;
use std::time::Duration;

use corio::streams::{StreamReader, StreamWriter, open_unix_connection, start_unix_server};

fn socket_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("corio-{name}-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A handler that answers each connection with `tag` and a newline.
fn answer(
    tag: &'static [u8],
) -> impl Fn(StreamReader, StreamWriter) -> std::future::Ready<()> + Send + Sync + 'static {
    move |_reader: StreamReader, writer: StreamWriter| {
        writer.write(tag);
        writer.write(b"\n");
        std::future::ready(())
    }
}

async fn ask(path: &PathBuf) -> Vec<u8> {
    let (mut reader, _writer) = open_unix_connection(path).await.unwrap();
    corio::timeout(Duration::from_secs(10), reader.readline())
        .await
        .unwrap()
        .unwrap()
}

#[test]
fn closing_an_older_server_leaves_a_newer_servers_socket_file() {
    corio::run(async {
        let path = socket_path("unix-newer");
        let a = start_unix_server(answer(b"a"), &path).await.unwrap();
        assert_eq!(ask(&path).await, b"a\n");
        // B takes the path over: start_unix_server replaces the stale
        // socket file with its own.
        let b = start_unix_server(answer(b"b"), &path).await.unwrap();
        assert_eq!(ask(&path).await, b"b\n");

        a.close();
        corio::timeout(Duration::from_secs(10), a.wait_closed())
            .await
            .unwrap();
        assert!(path.exists(), "A's close must leave B's socket file");
        assert_eq!(ask(&path).await, b"b\n", "B still accepts at the path");

        b.close();
        corio::timeout(Duration::from_secs(10), b.wait_closed())
            .await
            .unwrap();
        assert!(!path.exists(), "B's close removes its own file");
    });
}

#[test]
fn closing_a_server_whose_file_was_unlinked_leaves_the_replacement() {
    corio::run(async {
        let path = socket_path("unix-unlinked");
        let a = start_unix_server(answer(b"a"), &path).await.unwrap();
        std::fs::remove_file(&path).unwrap();
        let b = start_unix_server(answer(b"b"), &path).await.unwrap();

        a.close();
        corio::timeout(Duration::from_secs(10), a.wait_closed())
            .await
            .unwrap();
        assert!(path.exists(), "A's close must leave B's socket file");
        assert_eq!(ask(&path).await, b"b\n");

        b.close();
        corio::timeout(Duration::from_secs(10), b.wait_closed())
            .await
            .unwrap();
        assert!(!path.exists());
    });
}

#[test]
fn closing_a_server_removes_its_socket_file() {
    corio::run(async {
        let path = socket_path("unix-own");
        let server = start_unix_server(answer(b"x"), &path).await.unwrap();
        assert!(path.exists());
        server.close();
        corio::timeout(Duration::from_secs(10), server.wait_closed())
            .await
            .unwrap();
        assert!(!path.exists());
    });
}
