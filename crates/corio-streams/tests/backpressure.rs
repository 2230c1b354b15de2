//! Flow control: 10 MB each way through one connection with small drain
//! marks; the writer's buffer never exceeds the high mark plus one write.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use corio::streams::{StreamReader, StreamWriter, open_connection, start_server};

const TOTAL: usize = 10 * 1024 * 1024;
const CHUNK: usize = 8 * 1024;
const HIGH: usize = 16 * 1024;
const LOW: usize = 4 * 1024;

fn pattern(offset: usize, len: usize) -> Vec<u8> {
    (offset..offset + len)
        .map(|i| (i * 31 % 251) as u8)
        .collect()
}

#[test]
fn ten_megabytes_each_way_with_bounded_buffers() {
    corio::run(async {
        let server_max = Arc::new(AtomicUsize::new(0));
        let server_max2 = server_max.clone();
        let server_read_max = Arc::new(AtomicUsize::new(0));
        let server_read_max2 = server_read_max.clone();
        let server = start_server(
            move |mut reader: StreamReader, writer: StreamWriter| {
                let max = server_max2.clone();
                let read_max = server_read_max2.clone();
                async move {
                    writer.set_write_buffer_limits(HIGH, LOW);
                    loop {
                        let data = reader.read(CHUNK).await?;
                        if data.is_empty() {
                            break;
                        }
                        read_max.fetch_max(data.len(), Ordering::Relaxed);
                        writer.write(&data);
                        max.fetch_max(writer.buffer_size(), Ordering::Relaxed);
                        writer.drain().await?;
                    }
                    writer.write_eof();
                    io::Result::Ok(())
                }
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let port = server.local_addrs()[0].port().unwrap();
        let (mut reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
        writer.set_write_buffer_limits(HIGH, LOW);
        let writer = Arc::new(writer);
        let w = writer.clone();
        let sender = corio::spawn(async move {
            let mut max = 0;
            let mut sent = 0;
            while sent < TOTAL {
                w.write(&pattern(sent, CHUNK));
                max = max.max(w.buffer_size());
                w.drain().await?;
                sent += CHUNK;
            }
            w.write_eof();
            io::Result::Ok(max)
        });

        let mut received = 0;
        while received < TOTAL {
            let data = reader.read(64 * 1024).await.unwrap();
            assert!(!data.is_empty(), "early end of stream at {received}");
            assert_eq!(
                data,
                pattern(received, data.len()),
                "corrupted at {received}"
            );
            received += data.len();
        }
        assert_eq!(reader.read(1).await.unwrap(), b"");
        let client_max = sender.await.unwrap().unwrap();
        assert!(
            client_max <= HIGH + CHUNK,
            "client buffer reached {client_max}"
        );
        let server_max = server_max.load(Ordering::Relaxed);
        assert!(
            server_max <= HIGH + CHUNK,
            "server buffer reached {server_max}"
        );
        assert!(server_read_max.load(Ordering::Relaxed) <= CHUNK);
    });
}
