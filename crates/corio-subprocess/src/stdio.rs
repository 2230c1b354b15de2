//! [`Stdio`]: where a child's standard stream goes.

/// Where a child's stdin, stdout or stderr goes: a pipe, `/dev/null`, the
/// parent's own stream, or (for stderr) wherever stdout goes.
///
/// Equivalent to asyncio's `subprocess.PIPE`, `DEVNULL`, `None` and
/// `STDOUT`. The default for all three streams is [`inherit`](Self::inherit),
/// as in asyncio.
///
/// # Examples
///
/// ```
/// use corio::subprocess::{Command, Stdio};
///
/// # corio::run(async {
/// let mut child = Command::new("echo")
///     .arg("hi")
///     .stdout(Stdio::piped())
///     .stderr(Stdio::null())
///     .spawn()?;
/// let (out, _) = child.communicate(b"").await?;
/// assert_eq!(out, b"hi\n");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stdio(pub(crate) Kind);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Inherit,
    Null,
    Piped,
    Stdout,
}

impl Stdio {
    /// A pipe to the parent: the child's `stdin`, `stdout` or `stderr`
    /// field holds the other end.
    ///
    /// Equivalent to `asyncio.subprocess.PIPE`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::subprocess::{Command, Stdio};
    ///
    /// # corio::run(async {
    /// let mut child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
    /// let (out, _) = child.communicate(b"through a pipe").await?;
    /// assert_eq!(out, b"through a pipe");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn piped() -> Stdio {
        Stdio(Kind::Piped)
    }

    /// `/dev/null`: nothing to read, and whatever is written is discarded.
    ///
    /// Equivalent to `asyncio.subprocess.DEVNULL`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::subprocess::{Command, Stdio};
    ///
    /// # corio::run(async {
    /// let status = Command::new("cat").stdin(Stdio::null()).status().await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn null() -> Stdio {
        Stdio(Kind::Null)
    }

    /// The parent's own stream (the default).
    ///
    /// Equivalent to passing `None` in asyncio.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::subprocess::{Command, Stdio};
    ///
    /// # corio::run(async {
    /// let status = Command::new("true").stderr(Stdio::inherit()).status().await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn inherit() -> Stdio {
        Stdio(Kind::Inherit)
    }

    /// For stderr only: the same destination as stdout (both into one pipe
    /// when stdout is piped), like `2>&1` in a shell.
    ///
    /// Equivalent to `asyncio.subprocess.STDOUT`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio::subprocess::{shell, Stdio};
    ///
    /// # corio::run(async {
    /// let mut child = shell("echo out; echo err >&2")
    ///     .stdout(Stdio::piped())
    ///     .stderr(Stdio::stdout())
    ///     .spawn()?;
    /// let (out, err) = child.communicate(b"").await?;
    /// assert_eq!(out, b"out\nerr\n");
    /// assert!(err.is_empty());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// Given for stdin or stdout, `spawn` fails with `InvalidInput`.
    #[doc(alias = "STDOUT")]
    pub fn stdout() -> Stdio {
        Stdio(Kind::Stdout)
    }
}
