//! [`Command`] and [`shell`]: building and starting a child process.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Output};

use crate::child::Child;
use crate::pipe;
use crate::stdio::{Kind, Stdio};

/// A builder for a child process: program, arguments, environment, working
/// directory and standard streams; [`spawn`](Self::spawn) starts it.
///
/// Equivalent to the arguments of `asyncio.create_subprocess_exec`, with
/// the shape of [`std::process::Command`] (which does the spawning: close-on-
/// exec descriptors, `posix_spawn` where it can, errors from the child
/// before `exec` reported to the parent). Streams default to
/// [`Stdio::inherit`], as in asyncio.
///
/// # Examples
///
/// ```
/// use corio::subprocess::{Command, Stdio};
///
/// # corio::run(async {
/// let mut child = Command::new("sh")
///     .args(["-c", "echo $GREETING from $(pwd)"])
///     .env("GREETING", "hello")
///     .current_dir("/")
///     .stdout(Stdio::piped())
///     .spawn()?;
/// let (out, _) = child.communicate(b"").await?;
/// assert_eq!(out, b"hello from /\n");
/// assert_eq!(child.returncode(), Some(0));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct Command {
    inner: std::process::Command,
    stdin: Kind,
    stdout: Kind,
    stderr: Kind,
    process_group: Option<u32>,
    kill_on_drop: bool,
    cwd: Option<PathBuf>,
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("command", &self.inner)
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("process_group", &self.process_group)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}

/// A [`Command`] that runs `cmdline` with `/bin/sh -c`.
///
/// Equivalent to `asyncio.create_subprocess_shell(cmdline)` before it is
/// spawned. The shell interprets the whole line: quote anything that comes
/// from outside, or use [`Command::new`] with separate arguments.
///
/// # Examples
///
/// ```
/// use corio::subprocess::{shell, Stdio};
///
/// # corio::run(async {
/// let mut child = shell("echo hello | tr a-z A-Z").stdout(Stdio::piped()).spawn()?;
/// let (out, _) = child.communicate(b"").await?;
/// assert_eq!(out, b"HELLO\n");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub fn shell(cmdline: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(cmdline);
    command
}

impl Command {
    /// A command that runs `program` (searched in `PATH` when it has no
    /// `/`), with no arguments and the parent's environment, directory and
    /// streams.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let status = corio::subprocess::Command::new("true").status().await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            inner: std::process::Command::new(program),
            stdin: Kind::Inherit,
            stdout: Kind::Inherit,
            stderr: Kind::Inherit,
            process_group: None,
            kill_on_drop: false,
            cwd: None,
        }
    }

    /// Adds one argument.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let status = corio::subprocess::Command::new("sh").arg("-c").arg("exit 3").status().await?;
    /// assert_eq!(status.code(), Some(3));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.inner.arg(arg);
        self
    }

    /// Adds several arguments.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let status = corio::subprocess::Command::new("sh").args(["-c", "exit 0"]).status().await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.inner.args(args);
        self
    }

    /// Sets one environment variable of the child.
    ///
    /// Equivalent to an entry of asyncio's `env=`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let status = corio::subprocess::shell("test \"$MODE\" = fast").env("MODE", "fast").status().await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.inner.env(key, value);
        self
    }

    /// Sets several environment variables of the child.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let status = corio::subprocess::shell("test \"$A$B\" = 12")
    ///     .envs([("A", "1"), ("B", "2")])
    ///     .status()
    ///     .await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.inner.envs(vars);
        self
    }

    /// Removes one variable from the child's environment.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let status = corio::subprocess::shell("test -z \"$HOME\"").env_remove("HOME").status().await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.inner.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (plus what
    /// [`env`](Self::env) adds afterwards).
    ///
    /// Equivalent to asyncio's `env={}`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let status = corio::subprocess::Command::new("/usr/bin/env")
    ///     .env_clear()
    ///     .stdout(corio::subprocess::Stdio::null())
    ///     .status()
    ///     .await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.inner.env_clear();
        self
    }

    /// The child's working directory.
    ///
    /// Equivalent to asyncio's `cwd=`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let status = corio::subprocess::shell("test \"$(pwd)\" = /").current_dir("/").status().await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.inner.current_dir(dir.as_ref());
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Where the child's stdin comes from.
    ///
    /// Equivalent to asyncio's `stdin=`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::subprocess::{Command, Stdio};
    ///
    /// # corio::run(async {
    /// let child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::null()).spawn()?;
    /// assert!(child.stdin.is_some());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn stdin(&mut self, cfg: Stdio) -> &mut Command {
        self.stdin = cfg.0;
        self
    }

    /// Where the child's stdout goes.
    ///
    /// Equivalent to asyncio's `stdout=`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::subprocess::{Command, Stdio};
    ///
    /// # corio::run(async {
    /// let mut child = Command::new("echo").arg("out").stdout(Stdio::piped()).spawn()?;
    /// let line = child.stdout.as_mut().unwrap().readline().await?;
    /// assert_eq!(line, b"out\n");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn stdout(&mut self, cfg: Stdio) -> &mut Command {
        self.stdout = cfg.0;
        self
    }

    /// Where the child's stderr goes; [`Stdio::stdout`] sends it wherever
    /// stdout goes.
    ///
    /// Equivalent to asyncio's `stderr=`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::subprocess::{shell, Stdio};
    ///
    /// # corio::run(async {
    /// let mut child = shell("echo oops >&2").stderr(Stdio::piped()).spawn()?;
    /// let (_, err) = child.communicate(b"").await?;
    /// assert_eq!(err, b"oops\n");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn stderr(&mut self, cfg: Stdio) -> &mut Command {
        self.stderr = cfg.0;
        self
    }

    /// Puts the child in the process group `pgid`; `0` makes it the leader
    /// of a new group whose id is its pid, which
    /// [`Child::kill_tree`] can then signal as a whole.
    ///
    /// Equivalent to asyncio's `process_group=` (Python 3.11).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::shell("sleep 100 & sleep 100").process_group(0).spawn()?;
    /// child.kill_tree()?;
    /// child.wait().await?;
    /// assert_eq!(child.returncode(), Some(-libc::SIGKILL));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn process_group(&mut self, pgid: u32) -> &mut Command {
        self.process_group = Some(pgid);
        self
    }

    /// Whether dropping the [`Child`] before it exits kills it with
    /// `SIGKILL` (default: no, it keeps running and is reaped in the
    /// background when it exits).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let child = corio::subprocess::Command::new("sleep").arg("100").kill_on_drop(true).spawn()?;
    /// drop(child); // `sleep` is killed here, and reaped in the background.
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Command {
        self.kill_on_drop = kill;
        self
    }

    /// Starts the child.
    ///
    /// Equivalent to `await asyncio.create_subprocess_exec(...)`. The pipes
    /// asked for are in [`Child::stdin`], [`Child::stdout`] and
    /// [`Child::stderr`]. The child inherits no descriptor of the runtime:
    /// every descriptor corio opens is close-on-exec.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut child = corio::subprocess::Command::new("true").spawn()?;
    /// assert!(child.wait().await?.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// A missing program, a bad working directory, a permission problem
    /// or exhausted resources: an error of the OS's kind whose message names
    /// the program (and the directory, if one was set). `InvalidInput` when
    /// [`Stdio::stdout`] was given for stdin or stdout.
    ///
    /// # Panics
    ///
    /// Panics when called outside a corio runtime: spawn inside
    /// `corio::run` or a task spawned there.
    #[track_caller]
    pub fn spawn(&mut self) -> io::Result<Child> {
        // Checked before anything starts, so a misuse leaves no child behind.
        if corio_executor::Handle::try_current().is_none() {
            panic!("Command::spawn must be called inside `corio::run` or a task spawned there");
        }
        crate::orphans::sweep();
        let program = self.inner.get_program().to_string_lossy().into_owned();
        if self.stdin == Kind::Stdout || self.stdout == Kind::Stdout {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot spawn `{program}`: Stdio::stdout() is only for stderr"),
            ));
        }
        self.inner.stdin(std_stdio(self.stdin));
        // stderr into stdout: one pipe (or one inherited descriptor) for both.
        let mut merged = None;
        if self.stderr == Kind::Stdout {
            match self.stdout {
                Kind::Piped => {
                    let (reader, writer) =
                        pipe::pair(false).map_err(|e| self.context(&program, e))?;
                    let writer2 = writer.try_clone().map_err(|e| self.context(&program, e))?;
                    self.inner.stdout(writer).stderr(writer2);
                    merged = Some(std::fs::File::from(reader));
                }
                Kind::Null => {
                    self.inner.stdout(std::process::Stdio::null());
                    self.inner.stderr(std::process::Stdio::null());
                }
                Kind::Inherit | Kind::Stdout => {
                    let out = io::stdout()
                        .as_fd()
                        .try_clone_to_owned()
                        .map_err(|e| self.context(&program, e))?;
                    self.inner.stdout(std::process::Stdio::inherit());
                    self.inner.stderr(std::process::Stdio::from(out));
                }
            }
        } else {
            self.inner.stdout(std_stdio(self.stdout));
            self.inner.stderr(std_stdio(self.stderr));
        }
        if let Some(pgid) = self.process_group {
            let pgid = i32::try_from(pgid).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("cannot spawn `{program}`: process group {pgid} out of range"),
                )
            })?;
            self.inner.process_group(pgid);
        }
        let spawned = self.inner.spawn();
        // The parent's copies of the merged pipe's write end must close now,
        // or the reader would never see end of file.
        self.inner
            .stdout(std::process::Stdio::inherit())
            .stderr(std::process::Stdio::inherit());
        let std_child = spawned.map_err(|e| self.context(&program, e))?;
        let pgid = self
            .process_group
            .map(|g| if g == 0 { std_child.id() } else { g });
        Child::new(std_child, merged, program, pgid, self.kill_on_drop)
    }

    /// Runs the child to completion with its stdout and stderr captured
    /// (unless set otherwise) and stdin from `/dev/null` (unless set).
    ///
    /// Equivalent to `create_subprocess_exec(..., stdout=PIPE, stderr=PIPE)`
    /// followed by `communicate()`; like `std::process::Command::output`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let output = corio::subprocess::Command::new("echo").arg("hello").output().await?;
    /// assert!(output.status.success());
    /// assert_eq!(output.stdout, b"hello\n");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn), or a failed read of the pipes.
    pub async fn output(&mut self) -> io::Result<Output> {
        let saved = (self.stdin, self.stdout, self.stderr);
        for (kind, default) in [
            (&mut self.stdin, Kind::Null),
            (&mut self.stdout, Kind::Piped),
            (&mut self.stderr, Kind::Piped),
        ] {
            if *kind == Kind::Inherit {
                *kind = default;
            }
        }
        let spawned = self.spawn();
        (self.stdin, self.stdout, self.stderr) = saved;
        let mut child = spawned?;
        let (stdout, stderr) = child.communicate(b"").await?;
        let status = child.wait().await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Runs the child to completion and returns how it ended.
    ///
    /// Equivalent to `create_subprocess_exec(...)` followed by `wait()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let status = corio::subprocess::shell("exit 3").status().await?;
    /// assert_eq!(status.code(), Some(3));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn).
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait().await
    }

    fn context(&self, program: &str, e: io::Error) -> io::Error {
        let place = match &self.cwd {
            Some(dir) => format!(" in `{}`", dir.display()),
            None => String::new(),
        };
        io::Error::new(e.kind(), format!("failed to spawn `{program}`{place}: {e}"))
    }
}

fn std_stdio(kind: Kind) -> std::process::Stdio {
    match kind {
        Kind::Inherit | Kind::Stdout => std::process::Stdio::inherit(),
        Kind::Null => std::process::Stdio::null(),
        Kind::Piped => std::process::Stdio::piped(),
    }
}
