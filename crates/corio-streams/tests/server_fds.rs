//! After close() and wait_closed(), a server leaves no file descriptor open
//! (alone in its test binary, so no other test opens descriptors meanwhile).

use std::time::Duration;

use corio::streams::{StreamReader, StreamWriter, open_connection, start_server};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn close_and_wait_closed_leave_no_fd_open() {
    corio::run(async {
        // Warm up the runtime's own descriptors (blocking pool, timers).
        corio::sleep(Duration::from_millis(1)).await;
        let before = open_fds();
        let server = start_server(
            |mut reader: StreamReader, writer: StreamWriter| async move {
                while let Ok(line) = reader.readline().await {
                    if line.is_empty() {
                        break;
                    }
                    writer.write(&line);
                }
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let port = server.local_addrs()[0].port().unwrap();
        for _ in 0..20 {
            let (mut reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
            writer.write(b"hi\n");
            assert_eq!(reader.readline().await.unwrap(), b"hi\n");
            writer.close();
            writer.wait_closed().await.unwrap();
        }
        server.close();
        corio::timeout(Duration::from_secs(10), server.wait_closed())
            .await
            .unwrap();
        // The connection tasks' last drops may still be in flight on the
        // other worker; give them a moment.
        let mut after = open_fds();
        for _ in 0..200 {
            if after <= before {
                break;
            }
            corio::sleep(Duration::from_millis(5)).await;
            after = open_fds();
        }
        assert_eq!(after, before, "descriptors leaked");
        drop(server);
    });
}
