//! [`Child`]: a running child process, its pipes, and its exit.

use std::fmt;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use corio_reactor::Async;
use corio_streams::{StreamReader, StreamWriter};
use futures_lite::future;

use crate::kill;
use crate::pipe::StdinPipe;
use crate::reaper::{self, Watch};

/// A child process started by [`Command::spawn`](crate::Command::spawn).
///
/// Equivalent to asyncio's `asyncio.subprocess.Process`. The pipes asked
/// for at spawn are in [`stdin`](Self::stdin), [`stdout`](Self::stdout) and
/// [`stderr`](Self::stderr), as corio-streams' [`StreamWriter`] and
/// [`StreamReader`] (`take()` them to move them into other tasks).
///
/// How a child ended is a [`std::process::ExitStatus`]: `code()` for a
/// normal exit, and `ExitStatusExt::signal()` for a death by signal;
/// [`returncode`](Self::returncode) folds both into asyncio's integer
/// (negative for a signal).
///
/// Dropping a `Child` that has not exited leaves it running (unless
/// [`kill_on_drop`](Self::kill_on_drop) is set) and closes its pipes at
/// once. The process is reaped in the background within moments of its
/// exit, whether or not the runtime that spawned it is still running, and
/// its pidfd is closed then: no zombie and no descriptor is left behind
/// either way. A process-wide reaper thread does that; it exists only
/// while dropped children are still running, sleeps until one of them
/// exits (no polling), and waits only for the children handed to it, so
/// processes that other code spawns and waits for (with `std::process`,
/// say) are never taken from it.
///
/// # Examples
///
/// ```
/// use corio::subprocess::{Command, Stdio};
///
/// # corio::run(async {
/// let mut child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
/// let stdin = child.stdin.take().unwrap();
/// stdin.write(b"one line\n");
/// stdin.drain().await?;
/// let line = child.stdout.as_mut().unwrap().readline().await?;
/// assert_eq!(line, b"one line\n");
/// drop(stdin);
/// assert!(child.wait().await?.success());
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct Child {
    /// The writing end of the child's stdin, if it was
    /// [`piped`](crate::Stdio::piped). Closing it (or dropping it) ends the
    /// child's input.
    pub stdin: Option<StreamWriter>,
    /// The reading end of the child's stdout, if it was piped (with stderr
    /// too when stderr was [`Stdio::stdout`](crate::Stdio::stdout)).
    pub stdout: Option<StreamReader>,
    /// The reading end of the child's stderr, if it was piped.
    pub stderr: Option<StreamReader>,
    inner: Option<std::process::Child>,
    watch: Option<Watch>,
    status: Option<ExitStatus>,
    pid: u32,
    pgid: Option<u32>,
    kill_on_drop: bool,
    program: String,
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("program", &self.program)
            .field("pid", &self.pid)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Child {
    #[track_caller]
    pub(crate) fn new(
        mut std_child: std::process::Child,
        merged: Option<std::fs::File>,
        program: String,
        pgid: Option<u32>,
        kill_on_drop: bool,
    ) -> io::Result<Child> {
        let pid = std_child.id();
        // Watch first: from here on the child cannot be lost, whatever fails.
        let watch = Watch::new(pid);
        let stdin = std_child.stdin.take();
        let stdout = std_child.stdout.take();
        let stderr = std_child.stderr.take();
        let mut child = Child {
            stdin: None,
            stdout: None,
            stderr: None,
            inner: Some(std_child),
            watch: Some(watch),
            status: None,
            pid,
            pgid,
            kill_on_drop,
            program,
        };
        let wrap = || -> io::Result<()> {
            if let Some(stdin) = stdin {
                let pipe = StdinPipe::new(Async::new(stdin)?, child.program.clone());
                child.stdin = Some(StreamWriter::new(pipe));
            }
            if let Some(reader) = merged {
                child.stdout = Some(StreamReader::new(Async::new(reader)?));
            } else if let Some(stdout) = stdout {
                child.stdout = Some(StreamReader::new(Async::new(stdout)?));
            }
            if let Some(stderr) = stderr {
                child.stderr = Some(StreamReader::new(Async::new(stderr)?));
            }
            Ok(())
        };
        match wrap() {
            Ok(()) => Ok(child),
            Err(e) => {
                // Nobody will ever hold this child: stop it (it is reaped in
                // the background when dropped).
                child.kill_on_drop = true;
                Err(io::Error::new(
                    e.kind(),
                    format!("setting up the pipes of `{}`: {e}", child.program),
                ))
            }
        }
    }

    /// The child's process id.
    ///
    /// Equivalent to `Process.pid`. After the child was reaped the number
    /// may belong to another process; corio never signals it then.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::Command::new("true").spawn()?;
    /// assert!(child.pid() > 0);
    /// child.wait().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Waits for the child to exit, after closing its stdin, and returns how
    /// it ended.
    ///
    /// Equivalent to `Process.wait()`. Closing stdin first means a child
    /// that reads until end of input finishes instead of waiting forever.
    /// Like asyncio's, it can deadlock if the child fills a stdout or stderr
    /// pipe that nobody reads: use [`communicate`](Self::communicate) then.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: the child keeps running and can be waited for again
    /// (its stdin stays closed).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::shell("exit 3").spawn()?;
    /// let status = child.wait().await?;
    /// assert_eq!(status.code(), Some(3));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error of `waitpid`, which does not happen for a child only
    /// corio waits for.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        if let Some(stdin) = self.stdin.take() {
            stdin.close();
        }
        let (Some(inner), Some(watch)) = (self.inner.as_mut(), self.watch.as_ref()) else {
            return Err(io::Error::other("child already gone"));
        };
        let status = reaper::wait(inner, watch).await?;
        self.status = Some(status);
        Ok(status)
    }

    /// How the child ended, if it has; never waits.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::Command::new("sleep").arg("100").spawn()?;
    /// assert!(child.try_wait()?.is_none());
    /// child.kill()?;
    /// child.wait().await?;
    /// assert!(child.try_wait()?.is_some());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error of `waitpid`.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            if let Some(inner) = self.inner.as_mut() {
                self.status = inner.try_wait()?;
            }
        }
        Ok(self.status)
    }

    /// The exit code, or minus the signal that killed the child; `None`
    /// while it runs.
    ///
    /// Equivalent to `Process.returncode`. It checks (without waiting)
    /// whether the child has exited since the last look.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::Command::new("sleep").arg("100").spawn()?;
    /// assert_eq!(child.returncode(), None);
    /// child.kill()?;
    /// child.wait().await?;
    /// assert_eq!(child.returncode(), Some(-libc::SIGKILL));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn returncode(&mut self) -> Option<i32> {
        let status = self.try_wait().ok().flatten()?;
        status.code().or_else(|| status.signal().map(|s| -s))
    }

    /// Writes `input` to stdin and closes it, reads stdout and stderr to
    /// their end, all at once, then waits for the child; returns
    /// `(stdout, stderr)` (empty for a stream that was not piped).
    ///
    /// Equivalent to `Process.communicate(input)`. The three pipes are
    /// served concurrently, so no amount of input or output can deadlock.
    /// A child that exits without reading all of `input` is not an error
    /// (as in asyncio): its output is still returned. How it ended is then
    /// in [`returncode`](Self::returncode) or [`wait`](Self::wait).
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: output read before cancellation is lost, and stdin
    /// may have been partly written.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::subprocess::{Command, Stdio};
    ///
    /// # corio::run(async {
    /// let mut child = Command::new("sort")
    ///     .stdin(Stdio::piped())
    ///     .stdout(Stdio::piped())
    ///     .spawn()?;
    /// let (out, _) = child.communicate(b"b\na\n").await?;
    /// assert_eq!(out, b"a\nb\n");
    /// assert_eq!(child.returncode(), Some(0));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// A failed read of stdout or stderr, or a write to stdin that failed
    /// other than by the child closing it.
    pub async fn communicate(&mut self, input: &[u8]) -> io::Result<(Vec<u8>, Vec<u8>)> {
        let stdin = self.stdin.take();
        let mut stdout = self.stdout.take();
        let mut stderr = self.stderr.take();
        let feed = async {
            let Some(stdin) = stdin else {
                return Ok(());
            };
            if !input.is_empty() {
                stdin.write(input);
            }
            stdin.close();
            match stdin.wait_closed().await {
                Err(e) if is_closed_by_child(&e) => Ok(()),
                other => other,
            }
        };
        let read_out = async {
            match stdout.as_mut() {
                Some(r) => r.read_to_end().await,
                None => Ok(Vec::new()),
            }
        };
        let read_err = async {
            match stderr.as_mut() {
                Some(r) => r.read_to_end().await,
                None => Ok(Vec::new()),
            }
        };
        let (fed, (out, err)) = future::zip(feed, future::zip(read_out, read_err)).await;
        let context = |what: &str, e: io::Error| {
            io::Error::new(e.kind(), format!("{what} of `{}`: {e}", self.program))
        };
        fed.map_err(|e| context("stdin", e))?;
        let out = out.map_err(|e| context("stdout", e))?;
        let err = err.map_err(|e| context("stderr", e))?;
        self.wait().await?;
        Ok((out, err))
    }

    /// Sends the signal `sig` to the child (nothing once it has exited).
    ///
    /// Equivalent to `Process.send_signal(sig)`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::Command::new("sleep").arg("100").spawn()?;
    /// child.send_signal(libc::SIGTERM)?;
    /// child.wait().await?;
    /// assert_eq!(child.returncode(), Some(-libc::SIGTERM));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an invalid signal number; the OS error otherwise.
    pub fn send_signal(&mut self, sig: i32) -> io::Result<()> {
        // A child not yet reaped keeps its pid, so the signal cannot reach
        // an unrelated process that reused it.
        if self.try_wait()?.is_some() {
            return Ok(());
        }
        kill::process(self.pid, sig).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("signal {sig} to `{}` ({}): {e}", self.program, self.pid),
            )
        })
    }

    /// Asks the child to stop: `SIGTERM`. Does not wait.
    ///
    /// Equivalent to `Process.terminate()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::Command::new("sleep").arg("100").spawn()?;
    /// child.terminate()?;
    /// child.wait().await?;
    /// assert_eq!(child.returncode(), Some(-libc::SIGTERM));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// As [`send_signal`](Self::send_signal).
    pub fn terminate(&mut self) -> io::Result<()> {
        self.send_signal(libc::SIGTERM)
    }

    /// Kills the child: `SIGKILL`. Does not wait.
    ///
    /// Equivalent to `Process.kill()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    ///
    /// # corio::run(async {
    /// let mut child = corio::subprocess::Command::new("sleep").arg("100").spawn()?;
    /// child.kill()?;
    /// assert_eq!(child.wait().await?.signal(), Some(libc::SIGKILL));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// As [`send_signal`](Self::send_signal).
    pub fn kill(&mut self) -> io::Result<()> {
        self.send_signal(libc::SIGKILL)
    }

    /// Kills the child's whole process group with `SIGKILL`: the child and
    /// everything it started that stayed in its group (a shell's commands,
    /// for instance). Does not wait.
    ///
    /// asyncio has no equivalent; killing a shell wrapper there leaves its
    /// commands running. The child must have been spawned with
    /// [`process_group`](crate::Command::process_group) (`0` makes it a
    /// group leader). The group is signalled even after the child itself
    /// exited, as long as any member is left.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::shell("sleep 100; echo never").process_group(0).spawn()?;
    /// child.kill_tree()?;
    /// child.wait().await?;
    /// assert_eq!(child.returncode(), Some(-libc::SIGKILL));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the child was spawned without `process_group`; the
    /// OS error otherwise (none when the group is already empty).
    pub fn kill_tree(&mut self) -> io::Result<()> {
        let Some(pgid) = self.pgid else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "kill_tree: `{}` was spawned without Command::process_group",
                    self.program
                ),
            ));
        };
        match kill::group(pgid, libc::SIGKILL) {
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(()),
            other => other,
        }
    }

    /// Sets whether dropping this `Child` before it exits kills it (see
    /// [`Command::kill_on_drop`](crate::Command::kill_on_drop)).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::Command::new("sleep").arg("100").spawn()?;
    /// child.kill_on_drop(true);
    /// drop(child);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn kill_on_drop(&mut self, kill: bool) {
        self.kill_on_drop = kill;
    }
}

/// Whether a write failed because the child closed its end of the pipe.
fn is_closed_by_child(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
    )
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_some() {
            return;
        }
        if self.kill_on_drop {
            let _ = self.kill();
        }
        if let (Some(inner), Some(watch)) = (self.inner.take(), self.watch.take()) {
            reaper::adopt(inner, watch);
        }
    }
}
