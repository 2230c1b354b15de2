//! Dropped children are reaped once they exit, whether or not the runtime
//! that spawned them is still running; their descriptors are closed; the
//! reaper takes no child that someone else waits for, and goes away when
//! it has nothing left to wait for.

use std::io;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use corio::subprocess::{Command, Stdio};

/// How long a reaped child may take to disappear: the guarantee is about a
/// second; the bound leaves room for a loaded machine.
const BOUND: Duration = Duration::from_secs(5);

/// The tests of this file share the one process-wide reaper; they run one
/// at a time so that the last one can see it go away.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A child process as `/proc` knows it: its pid and its start time, which
/// tells it apart from a later process that reuses the pid.
#[derive(Clone, Copy, Debug)]
struct Proc {
    pid: u32,
    start: u64,
}

/// The fields of `/proc/<pid>/stat` after the command name: the state
/// first, the start time twentieth.
fn stat(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields = stat.rsplit_once(')')?.1;
    Some(fields.split_whitespace().map(str::to_owned).collect())
}

impl Proc {
    fn of(pid: u32) -> Proc {
        let start = stat(pid)
            .and_then(|f| f.get(19)?.parse().ok())
            .expect("a child just spawned is in /proc");
        Proc { pid, start }
    }

    /// The state letter (`S`, `R`, `Z`, ...), or `None` once the process
    /// is gone (reaped; its pid may belong to a newer process by then).
    fn state(self) -> Option<char> {
        let fields = stat(self.pid)?;
        if fields.get(19)?.parse::<u64>().ok()? != self.start {
            return None;
        }
        fields.first()?.chars().next()
    }

    fn is_running(self) -> bool {
        matches!(self.state(), Some(s) if s != 'Z')
    }
}

/// Waits (up to `bound`) until every one of `procs` is reaped; returns
/// those that are not, with their last state.
fn wait_reaped(procs: &[Proc], bound: Duration) -> Vec<(u32, Option<char>)> {
    let deadline = Instant::now() + bound;
    loop {
        let left: Vec<(u32, Option<char>)> = procs
            .iter()
            .filter_map(|p| p.state().map(|s| (p.pid, Some(s))))
            .collect();
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends `sig` to a child that has not been reaped (so its pid is its own).
fn signal(child: Proc, sig: i32) {
    assert!(child.is_running(), "{child:?} is not running");
    let pid = i32::try_from(child.pid).unwrap();
    // SAFETY: kill(2) takes two integers and touches no memory.
    #[allow(unsafe_code)]
    let sent = unsafe { libc::kill(pid, sig) };
    assert_eq!(
        sent,
        0,
        "kill {}: {}",
        child.pid,
        io::Error::last_os_error()
    );
}

/// Spawns `n` children of `sleep secs` inside a runtime and drops them.
async fn spawn_and_drop(n: usize, secs: &str) -> io::Result<Vec<Proc>> {
    let mut procs = Vec::new();
    for _ in 0..n {
        let child = Command::new("sleep").arg(secs).spawn()?;
        procs.push(Proc::of(child.pid()));
        drop(child);
    }
    Ok(procs)
}

#[test]
fn a_child_that_exits_after_its_runtime_ended_is_reaped() {
    let _serial = serial();
    let child = corio::run(async {
        let child = Command::new("sleep").arg("100").spawn()?;
        io::Result::Ok(Proc::of(child.pid()))
    })
    .unwrap();
    // The runtime is gone, the child still runs: end it now.
    signal(child, libc::SIGTERM);
    let left = wait_reaped(&[child], BOUND);
    assert!(left.is_empty(), "not reaped within {BOUND:?}: {left:?}");
}

#[test]
fn sleepers_outlive_corio_run_and_are_reaped() {
    let _serial = serial();
    let procs = corio::run(spawn_and_drop(4, "0.3")).unwrap();
    let left = wait_reaped(&procs, BOUND);
    assert!(left.is_empty(), "left as zombies or running: {left:?}");
}

#[test]
fn sleepers_outlive_a_dropped_runner_and_are_reaped() {
    let _serial = serial();
    let runner = corio::Runner::builder().workers(2).build().unwrap();
    let procs = runner.run(spawn_and_drop(3, "0.3")).unwrap();
    drop(runner);
    let left = wait_reaped(&procs, BOUND);
    assert!(left.is_empty(), "left as zombies or running: {left:?}");
}

#[test]
fn a_dropped_child_is_reaped_while_its_runtime_runs() {
    let _serial = serial();
    let left = corio::run(async {
        let procs = spawn_and_drop(2, "0.2").await?;
        let deadline = Instant::now() + BOUND;
        while procs.iter().any(|p| p.state().is_some()) && Instant::now() < deadline {
            corio::sleep(Duration::from_millis(10)).await;
        }
        let left: Vec<(u32, Option<char>)> = procs
            .iter()
            .map(|p| (p.pid, p.state()))
            .filter(|(_, s)| s.is_some())
            .collect();
        io::Result::Ok(left)
    })
    .unwrap();
    assert!(left.is_empty(), "left as zombies or running: {left:?}");
}

#[test]
fn fifty_dropped_children_are_reaped_after_the_runtime_ended() {
    let _serial = serial();
    let procs = corio::run(async {
        let mut procs = spawn_and_drop(40, "0.2").await?;
        // Some killed on drop too, so exits come while others still run.
        for _ in 0..10 {
            let child = Command::new("sleep")
                .arg("100")
                .kill_on_drop(true)
                .spawn()?;
            procs.push(Proc::of(child.pid()));
        }
        io::Result::Ok(procs)
    })
    .unwrap();
    assert_eq!(procs.len(), 50);
    let left = wait_reaped(&procs, BOUND);
    assert!(left.is_empty(), "left as zombies or running: {left:?}");
}

/// The `/proc/self/fd` entries that point at `target` (such as
/// `pipe:[1234]`).
fn my_fds_pointing_at(target: &str) -> Vec<String> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read_link(e.path()).is_ok_and(|l| l.to_string_lossy() == target))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// This process's pidfds, each as the `Pid:` its fdinfo shows (`-1` once
/// the process is gone).
fn my_pidfds() -> Vec<String> {
    std::fs::read_dir("/proc/self/fdinfo")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter_map(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("Pid:"))
                .map(|p| p.trim().to_owned())
        })
        .collect()
}

#[test]
fn a_dropped_childs_pipes_close_at_once_and_its_pidfd_once_reaped() {
    let _serial = serial();
    let (child, pipes, watched) = corio::run(async {
        let child = Command::new("sleep")
            .arg("100")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let proc = Proc::of(child.pid());
        let pipes: Vec<String> = [0, 1, 2]
            .iter()
            .map(|fd| {
                let link = std::fs::read_link(format!("/proc/{}/fd/{fd}", proc.pid))
                    .expect("the child's standard streams are readable in /proc");
                link.to_string_lossy().into_owned()
            })
            .collect();
        for pipe in &pipes {
            assert!(pipe.starts_with("pipe:"), "not a pipe: {pipe}");
            assert!(
                !my_fds_pointing_at(pipe).is_empty(),
                "no end of {pipe} here"
            );
        }
        let watched = my_pidfds().contains(&proc.pid.to_string());
        drop(child);
        for pipe in &pipes {
            let left = my_fds_pointing_at(pipe);
            assert!(left.is_empty(), "{pipe} still open here as {left:?}");
        }
        io::Result::Ok((proc, pipes, watched))
    })
    .unwrap();
    assert_eq!(pipes.len(), 3);
    signal(child, libc::SIGKILL);
    let left = wait_reaped(&[child], BOUND);
    assert!(left.is_empty(), "not reaped within {BOUND:?}: {left:?}");
    // Where the kernel has pidfds, the child had one; it is closed once
    // the child is reaped. No other test runs meanwhile, so no pidfd at all
    // may be left.
    if watched {
        let deadline = Instant::now() + BOUND;
        while !my_pidfds().is_empty() {
            assert!(Instant::now() < deadline, "pidfds left: {:?}", my_pidfds());
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn children_that_others_wait_for_are_left_to_them() {
    let _serial = serial();
    // A std::process child, and a corio child that a second runtime waits
    // for, both exit while the reaper has orphans to reap.
    let mut theirs = std::process::Command::new("sh")
        .args(["-c", "sleep 0.3; exit 4"])
        .spawn()
        .unwrap();
    let waiter = std::thread::spawn(|| {
        corio::run(async {
            let mut child = corio::subprocess::shell("sleep 0.3; exit 7").spawn()?;
            corio::timeout(Duration::from_secs(30), child.wait())
                .await
                .map_err(|_| io::Error::other("timed out"))?
        })
    });
    let orphans = corio::run(spawn_and_drop(10, "0.2")).unwrap();
    let left = wait_reaped(&orphans, BOUND);
    assert!(left.is_empty(), "left as zombies or running: {left:?}");
    assert_eq!(waiter.join().unwrap().unwrap().code(), Some(7));
    assert_eq!(theirs.wait().unwrap().code(), Some(4));
}

/// The names of this process's threads.
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
        .map(|n| n.trim().to_owned())
        .collect()
}

#[test]
fn the_reaper_goes_away_when_nothing_is_left_to_reap() {
    let _serial = serial();
    let procs = corio::run(spawn_and_drop(2, "100")).unwrap();
    assert!(
        thread_names().iter().any(|n| n == "corio-reaper"),
        "no reaper while children run: {:?}",
        thread_names()
    );
    for &child in &procs {
        signal(child, libc::SIGTERM);
    }
    let left = wait_reaped(&procs, BOUND);
    assert!(left.is_empty(), "left as zombies or running: {left:?}");
    let deadline = Instant::now() + BOUND;
    while thread_names().iter().any(|n| n == "corio-reaper") {
        assert!(Instant::now() < deadline, "the reaper thread stayed");
        std::thread::sleep(Duration::from_millis(10));
    }
}
