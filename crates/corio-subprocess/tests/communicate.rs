//! `communicate` with large inputs and outputs, and writes to a child that
//! stopped reading: no deadlock, no hang, contents intact.

use std::io;
use std::time::Duration;

use corio::subprocess::{Command, Stdio, shell};

const LIMIT: Duration = Duration::from_secs(40);
const TEN_MB: usize = 10 * 1024 * 1024;

fn run<T>(fut: impl Future<Output = io::Result<T>>) -> T {
    corio::run(async { corio::timeout(LIMIT, fut).await.expect("test timed out") }).unwrap()
}

#[test]
fn ten_mb_on_stdout_and_stderr_at_once() {
    run(async {
        // 10 MiB of 'o' on stdout and 10 MiB of 'e' on stderr, interleaved
        // in 1 MiB pieces so that either pipe fills while the other waits.
        let script = "for i in 1 2 3 4 5 6 7 8 9 10; do \
                      head -c 1048576 /dev/zero | tr '\\0' o; \
                      head -c 1048576 /dev/zero | tr '\\0' e >&2; done";
        let mut child = shell(script)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (out, err) = child.communicate(b"").await?;
        assert_eq!(out.len(), TEN_MB);
        assert_eq!(err.len(), TEN_MB);
        assert!(out.iter().all(|&b| b == b'o'));
        assert!(err.iter().all(|&b| b == b'e'));
        assert_eq!(child.returncode(), Some(0));
        Ok(())
    });
}

#[test]
fn ten_mb_through_cat() {
    run(async {
        let input: Vec<u8> = (0..TEN_MB).map(|i| (i % 251) as u8).collect();
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let (out, _) = child.communicate(&input).await?;
        assert!(out == input, "cat changed the data");
        assert_eq!(child.returncode(), Some(0));
        Ok(())
    });
}

#[test]
fn child_exiting_without_reading_stdin() {
    run(async {
        // `drain` reports the broken pipe...
        let mut child = shell("echo done")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().unwrap();
        assert_eq!(child.stdout.as_mut().unwrap().readline().await?, b"done\n");
        child.wait().await?;
        let mut failure = None;
        for _ in 0..64 {
            stdin.write(&[b'x'; 64 * 1024]);
            if let Err(e) = stdin.drain().await {
                failure = Some(e);
                break;
            }
        }
        let failure = failure.expect("drain never failed");
        assert_eq!(failure.kind(), io::ErrorKind::BrokenPipe, "{failure}");

        // ... while `communicate` still returns the output.
        let mut child = shell("echo ignored input")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let (out, _) = child.communicate(&vec![b'y'; TEN_MB]).await?;
        assert_eq!(out, b"ignored input\n");
        assert_eq!(child.returncode(), Some(0));
        Ok(())
    });
}

#[test]
fn killed_while_a_task_writes_to_its_full_stdin() {
    run(async {
        let mut child = Command::new("sleep")
            .arg("100")
            .stdin(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().unwrap();
        let writer = corio::spawn(async move {
            loop {
                stdin.write(&[b'z'; 64 * 1024]);
                stdin.drain().await?;
            }
            #[allow(unreachable_code, reason = "the loop ends with the error")]
            io::Result::Ok(())
        });
        // Let the pipe fill up and the writer block in `drain`.
        corio::sleep(Duration::from_millis(100)).await;
        child.kill()?;
        child.wait().await?;
        let result = writer.await.expect("writer task failed");
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        Ok(())
    });
}
