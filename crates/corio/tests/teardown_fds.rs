//! Teardown gives back every descriptor and byte: runtimes started one
//! after another leave the process with the descriptors and heap it had
//! before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Duration;

/// Counts the bytes allocated and not yet freed.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counter is only arithmetic on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

fn runtimes_in_a_row(workers: usize, serve: bool) -> ((usize, isize), (usize, isize)) {
    let rt = || corio::Runner::builder().workers(workers).build().unwrap();
    // One run first, so that lazily made process-wide state (the signal
    // pipe, the test harness's own) is there before counting.
    rt().run(async {});
    let before = (open_fds(), live_bytes());
    for _ in 0..20 {
        let runner = rt();
        if serve {
            runner.run(serve_one_connection());
        } else {
            runner.run(async {
                let l = corio::streams::TcpListener::bind("127.0.0.1:0")
                    .await
                    .unwrap();
                // The accept is still waiting (its waker stored) when it is
                // dropped.
                let _ = corio::timeout(Duration::from_millis(10), l.accept()).await;
            });
        }
        drop(runner);
    }
    (before, (open_fds(), live_bytes()))
}

/// A `start_server` program that serves one echo and closes everything.
async fn serve_one_connection() {
    use corio::streams::{StreamReader, StreamWriter, open_connection, start_server};
    let server = start_server(
        |mut reader: StreamReader, writer: StreamWriter| async move {
            let line = reader.readline().await.unwrap_or_default();
            writer.write(&line);
            let _ = writer.drain().await;
        },
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let port = server.local_addrs()[0].port().unwrap();
    let (mut reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
    writer.write(b"ping\n");
    writer.drain().await.unwrap();
    assert_eq!(reader.readline().await.unwrap(), b"ping\n");
    writer.close();
    server.close();
    server.wait_closed().await;
}

// One test, so that no other test of this binary opens descriptors while
// this one counts.
#[test]
fn twenty_runtimes_in_a_row_leak_no_descriptor() {
    for serve in [false, true] {
        for workers in [1, 2] {
            let ((fds_before, heap_before), (fds_after, heap_after)) =
                runtimes_in_a_row(workers, serve);
            // A leak here is 4 descriptors and about 20 KB per runtime.
            assert_eq!(
                fds_after, fds_before,
                "{workers} worker(s), serving: {serve}: {fds_before} descriptors before, \
                 {fds_after} after 20 runtimes"
            );
            assert!(
                heap_after - heap_before < 4096,
                "{workers} worker(s), serving: {serve}: {} bytes more on the heap after 20 \
                 runtimes",
                heap_after - heap_before
            );
        }
    }
}
