//! Reaping: many concurrent children leave no zombie, dropped children are
//! killed or reaped, timeouts end hung children, and `std::process`
//! children elsewhere are left alone.

use std::io;
use std::time::Duration;

use corio::subprocess::{Command, Stdio};

const LIMIT: Duration = Duration::from_secs(40);

fn run<T>(fut: impl Future<Output = io::Result<T>>) -> T {
    corio::run(async { corio::timeout(LIMIT, fut).await.expect("test timed out") }).unwrap()
}

/// The state letter of `/proc/<pid>/stat`, if the process exists.
fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Waits (bounded) until `pid` is gone: exited and reaped.
async fn wait_gone(pid: u32) -> bool {
    for _ in 0..1000 {
        if state(pid).is_none() {
            return true;
        }
        corio::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[test]
fn two_hundred_concurrent_children_leave_no_zombie() {
    let pids = run(async {
        let mut tasks = Vec::new();
        for i in 0..200 {
            tasks.push(corio::spawn(async move {
                let mut child = Command::new("sh")
                    .arg("-c")
                    .arg(format!("exit {}", i % 7))
                    .spawn()?;
                let pid = child.pid();
                let status = child.wait().await?;
                assert_eq!(status.code(), Some(i % 7));
                io::Result::Ok(pid)
            }));
        }
        let mut pids = Vec::new();
        for task in tasks {
            pids.push(task.await.expect("task failed")?);
        }
        Ok(pids)
    });
    assert_eq!(pids.len(), 200);
    let zombies: Vec<u32> = pids
        .into_iter()
        .filter(|&p| state(p) == Some('Z'))
        .collect();
    assert!(zombies.is_empty(), "zombies left: {zombies:?}");
}

#[test]
fn kill_on_drop_kills_the_child() {
    run(async {
        let child = Command::new("sleep")
            .arg("100")
            .kill_on_drop(true)
            .spawn()?;
        let pid = child.pid();
        assert_eq!(state(pid).map(|s| s != 'Z'), Some(true));
        drop(child);
        // Killed, then reaped in the background: gone, not a zombie.
        assert!(wait_gone(pid).await, "child {pid} survived its drop");
        Ok(())
    });
}

#[test]
fn dropped_child_keeps_running_then_is_reaped() {
    run(async {
        let child = Command::new("sleep").arg("0.2").spawn()?;
        let pid = child.pid();
        drop(child);
        assert!(matches!(state(pid), Some('S' | 'R')));
        assert!(wait_gone(pid).await, "child {pid} left as a zombie");
        Ok(())
    });
}

#[test]
fn timeout_around_wait_then_kill() {
    run(async {
        let mut child = Command::new("sleep").arg("100").spawn()?;
        let waited = corio::timeout(Duration::from_millis(100), child.wait()).await;
        assert!(waited.is_err(), "sleep 100 finished early");
        child.kill()?;
        let status = child.wait().await?;
        assert!(!status.success());
        assert_eq!(child.returncode(), Some(-libc::SIGKILL));
        Ok(())
    });
}

#[test]
fn std_process_children_are_left_alone() {
    let mut other = std::process::Command::new("sh")
        .args(["-c", "exit 4"])
        .spawn()
        .unwrap();
    run(async {
        for _ in 0..5 {
            let mut child = Command::new("true").stdout(Stdio::null()).spawn()?;
            child.wait().await?;
        }
        Ok(())
    });
    // corio never reaped it: its status is still ours to collect.
    assert_eq!(other.wait().unwrap().code(), Some(4));
}
