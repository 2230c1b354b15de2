//! Children inherit no descriptor of the runtime: only 0, 1 and 2.

use std::collections::BTreeSet;
use std::time::Duration;

use corio::subprocess::{Command, Stdio};

/// `O_CLOEXEC` as `/proc/self/fdinfo` prints it (octal flags).
const O_CLOEXEC: u32 = 0o2_000_000;

/// This process's descriptors that a child would inherit (not close-on-exec).
fn inheritable() -> BTreeSet<u32> {
    let mut fds = BTreeSet::new();
    for entry in std::fs::read_dir("/proc/self/fdinfo").unwrap().flatten() {
        let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let Ok(info) = std::fs::read_to_string(entry.path()) else {
            continue; // the directory's own descriptor, closed meanwhile
        };
        let flags = info
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            .unwrap_or(0);
        if flags & O_CLOEXEC == 0 {
            fds.insert(fd);
        }
    }
    fds
}

#[test]
fn child_sees_only_standard_descriptors() {
    // Whatever the test's own parent passed down (beyond 0, 1, 2) is not
    // corio's; the child may see those and nothing else.
    let before = inheritable();
    let (listing, during) = corio::run(async {
        // Open a few runtime descriptors first: sockets, pipes, a pidfd, the
        // signal pipe.
        let _listener = corio::streams::TcpListener::bind("127.0.0.1:0").await?;
        let _signals = corio::signal::Signals::new([libc::SIGUSR2])?;
        let _sleeper = Command::new("sleep")
            .arg("100")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let during = inheritable();
        let mut ls = Command::new("ls");
        ls.args(["-l", "/proc/self/fd/"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = corio::timeout(Duration::from_secs(30), ls.output())
            .await
            .expect("timed out")?;
        std::io::Result::Ok((output, during))
    })
    .unwrap();
    assert_eq!(during, before, "corio opened an inheritable descriptor");

    let text = String::from_utf8_lossy(&listing.stdout);
    // `ls` itself opens the directory it lists; that entry points back into
    // /proc and is not inherited.
    let seen: BTreeSet<u32> = text
        .lines()
        .filter(|l| l.contains(" -> ") && !l.contains("-> /proc/"))
        .filter_map(|l| {
            l.split(" -> ")
                .next()?
                .split_whitespace()
                .last()?
                .parse()
                .ok()
        })
        .collect();
    let expected: BTreeSet<u32> = before.iter().copied().chain([0, 1, 2]).collect();
    assert_eq!(seen, expected, "ls /proc/self/fd showed:\n{text}");
    for fd in [0, 1, 2] {
        assert!(seen.contains(&fd));
    }
}
