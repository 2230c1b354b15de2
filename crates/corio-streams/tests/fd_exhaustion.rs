//! A server that runs out of file descriptors keeps serving once some are
//! free again, without spinning. The test re-runs itself in a child process
//! whose descriptor limit it lowers.

use std::fs::File;
use std::process::Command;
use std::time::Duration;

use corio::streams::{StreamReader, StreamWriter, open_connection, start_server};

const CHILD: &str = "CORIO_STREAMS_FD_EXHAUSTION_CHILD";
const TEST: &str = "server_keeps_accepting_after_running_out_of_fds";

#[test]
fn server_keeps_accepting_after_running_out_of_fds() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("child: echoed after exhaustion"),
        "{stdout}\n{stderr}"
    );
    // The server retries every 100 ms during the 500 ms starvation, but
    // reports the burst once at its start and, if later tries failed too,
    // once more with their count when an accept succeeds again.
    let first = stderr.matches("accept failed: out of resources").count();
    assert_eq!(first, 1, "{stderr}");
    let summaries: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("times in the last") || l.contains("time in the last"))
        .collect();
    assert!(summaries.len() <= 1, "{stderr}");
    assert_eq!(stderr.matches("accept failed").count(), 1 + summaries.len());
    for line in summaries {
        assert!(line.contains("out of resources"), "{line}");
    }
}

fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is a valid, writable rusage for getrusage to fill.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: getrusage succeeded, so it initialised `usage`.
    let usage = unsafe { usage.assume_init() };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

fn child() {
    let limit = libc::rlimit {
        rlim_cur: 256,
        rlim_max: 256,
    };
    // SAFETY: `limit` is a valid rlimit; lowering our own limit is allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
    corio::run(async {
        let server = start_server(
            |mut reader: StreamReader, writer: StreamWriter| async move {
                let line = reader.readline().await?;
                writer.write(&line);
                writer.drain().await
            },
            "127.0.0.1:0",
        )
        .await
        .unwrap();
        let port = server.local_addrs()[0].port().unwrap();

        // Take every free descriptor, then give one back for the client.
        let mut hoard = Vec::new();
        while let Ok(f) = File::open("/dev/null") {
            hoard.push(f);
        }
        hoard.pop();
        let (mut reader, writer) = open_connection("127.0.0.1", port).await.unwrap();
        writer.write(b"hello\n");
        writer.drain().await.unwrap();

        // The server cannot accept now; it must wait, not spin.
        let cpu = cpu_time();
        corio::sleep(Duration::from_millis(500)).await;
        let used = cpu_time() - cpu;
        assert!(
            used < Duration::from_millis(250),
            "spun for {used:?} of CPU"
        );

        drop(hoard);
        let line = corio::timeout(Duration::from_secs(10), reader.readline())
            .await
            .unwrap();
        assert_eq!(line.unwrap(), b"hello\n");
        #[allow(clippy::print_stdout, reason = "the parent test reads this line")]
        {
            println!("child: echoed after exhaustion");
        }
    });
}
