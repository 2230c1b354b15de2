//! A line-based chat room: every line one client sends is broadcast to all
//! the others. Try it with `cargo run --example chat -- 127.0.0.1:8899` and
//! several `nc 127.0.0.1 8899`; set `CHAT_SECONDS=n` to stop after n seconds.
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corio::streams::{StreamReader, StreamWriter, start_server};

#[derive(Default)]
struct Room {
    next: AtomicU64,
    members: Mutex<HashMap<u64, Arc<StreamWriter>>>,
}

impl Room {
    fn broadcast(&self, from: u64, line: &[u8]) {
        let members = self.members.lock().unwrap_or_else(|e| e.into_inner());
        for (id, writer) in members.iter() {
            // `write` never waits; a member too slow to keep up is dropped
            // by its own task when its buffer overflows (see `serve`).
            if *id != from {
                writer.write(line);
            }
        }
    }
}

async fn serve(
    room: Arc<Room>,
    mut reader: StreamReader,
    writer: StreamWriter,
) -> std::io::Result<()> {
    let id = room.next.fetch_add(1, Ordering::Relaxed);
    let who = writer.peer_addr()?.to_string();
    let writer = Arc::new(writer);
    writer.write(
        format!(
            "welcome, {who}; {} others here\n",
            room.members.lock().map(|m| m.len()).unwrap_or(0)
        )
        .as_bytes(),
    );
    room.members
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, writer.clone());
    room.broadcast(id, format!("* {who} joined\n").as_bytes());
    let result = async {
        loop {
            let line = reader.readline().await?;
            if line.is_empty() {
                return Ok(());
            }
            let mut message = format!("{who}: ").into_bytes();
            message.extend_from_slice(&line);
            room.broadcast(id, &message);
            // Our own buffer holds what others sent us; a member that never
            // reads is disconnected rather than allowed to grow it forever.
            if writer.buffer_size() > 1 << 20 {
                return Err(std::io::Error::other("too slow to keep up"));
            }
        }
    }
    .await;
    room.members
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);
    room.broadcast(id, format!("* {who} left\n").as_bytes());
    writer.close();
    result
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8899".to_owned());
    let seconds: Option<u64> = std::env::var("CHAT_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    corio::run(async move {
        let room = Arc::new(Room::default());
        let server = start_server(
            move |reader, writer| serve(room.clone(), reader, writer),
            addr.as_str(),
        )
        .await?;
        for a in server.local_addrs() {
            println!(
                "chat room on {a} (try: nc {a})",
                a = a.to_string().replace(':', " ")
            );
        }
        match seconds {
            Some(s) => {
                let _ = corio::timeout(Duration::from_secs(s), server.serve_forever()).await;
            }
            None => server.serve_forever().await,
        }
        Ok(())
    })
}
