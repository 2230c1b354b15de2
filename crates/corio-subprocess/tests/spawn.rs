//! Spawning: output captured through `Command` and `shell`, exit codes,
//! death by signal, stream routing, and spawn errors that name the program.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use corio::subprocess::{Command, Stdio, shell};

const LIMIT: Duration = Duration::from_secs(30);

fn run<T>(fut: impl Future<Output = io::Result<T>>) -> T {
    corio::run(async { corio::timeout(LIMIT, fut).await.expect("test timed out") }).unwrap()
}

#[test]
fn echo_via_command_and_shell() {
    run(async {
        let mut child = Command::new("echo")
            .arg("hello")
            .stdout(Stdio::piped())
            .spawn()?;
        let (out, err) = child.communicate(b"").await?;
        assert_eq!(out, b"hello\n");
        assert!(err.is_empty());
        assert_eq!(child.returncode(), Some(0));

        let mut child = shell("echo hello").stdout(Stdio::piped()).spawn()?;
        let (out, _) = child.communicate(b"").await?;
        assert_eq!(out, b"hello\n");
        assert_eq!(child.returncode(), Some(0));
        Ok(())
    });
}

#[test]
fn exit_codes_and_death_by_signal() {
    run(async {
        let ok = shell("exit 0").status().await?;
        assert_eq!((ok.code(), ok.signal()), (Some(0), None));

        let mut three = shell("exit 3").spawn()?;
        let status = three.wait().await?;
        assert_eq!((status.code(), status.signal()), (Some(3), None));
        assert_eq!(three.returncode(), Some(3));

        let mut killed = Command::new("sleep").arg("100").spawn()?;
        assert_eq!(killed.returncode(), None);
        killed.kill()?;
        let status = killed.wait().await?;
        assert_eq!(
            (status.code(), status.signal()),
            (None, Some(libc::SIGKILL))
        );
        assert_eq!(killed.returncode(), Some(-libc::SIGKILL));
        // Waiting again, and signalling a finished child, are harmless.
        assert_eq!(killed.wait().await?, status);
        killed.terminate()?;
        Ok(())
    });
}

#[test]
fn stderr_into_stdout_and_separate() {
    run(async {
        let mut merged = shell("echo a; echo b >&2; echo c")
            .stdout(Stdio::piped())
            .stderr(Stdio::stdout())
            .spawn()?;
        assert!(merged.stderr.is_none());
        let (out, err) = merged.communicate(b"").await?;
        assert_eq!(out, b"a\nb\nc\n");
        assert!(err.is_empty());

        let output = shell("echo out; echo err >&2; exit 2").output().await?;
        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, b"err\n");
        assert_eq!(output.status.code(), Some(2));

        let quiet = shell("echo gone; echo gone >&2")
            .stdout(Stdio::null())
            .stderr(Stdio::stdout())
            .output()
            .await?;
        assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty());
        Ok(())
    });
}

#[test]
fn environment_and_directory() {
    run(async {
        let output = shell("echo \"$A-$B-$HOME\"; pwd")
            .env_clear()
            .env("A", "1")
            .envs([("B", "2")])
            .current_dir("/tmp")
            .output()
            .await?;
        assert_eq!(output.stdout, b"1-2-\n/tmp\n");
        Ok(())
    });
}

#[test]
fn spawn_errors_name_the_program() {
    run(async {
        let err = Command::new("no-such-program-corio").spawn().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("no-such-program-corio"), "{err}");

        let err = Command::new("ls")
            .current_dir("/no/such/dir")
            .spawn()
            .unwrap_err();
        assert!(err.to_string().contains("`ls`"), "{err}");
        assert!(err.to_string().contains("/no/such/dir"), "{err}");

        let err = Command::new("/proc/self/stat").spawn().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert!(err.to_string().contains("/proc/self/stat"), "{err}");

        let err = Command::new("true")
            .stdout(Stdio::stdout())
            .spawn()
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        Ok(())
    });
}

#[test]
fn readline_while_the_child_runs() {
    run(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        for i in 0..5 {
            stdin.write(format!("line {i}\n").as_bytes());
            stdin.drain().await?;
            assert_eq!(stdout.readline().await?, format!("line {i}\n").as_bytes());
            assert_eq!(child.try_wait()?, None);
        }
        stdin.close();
        assert!(child.wait().await?.success());
        Ok(())
    });
}

#[test]
fn wait_closes_stdin_first() {
    run(async {
        // `cat` reads until end of input: `wait` alone must end it.
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        child.stdin.as_ref().unwrap().write(b"some input\n");
        assert!(child.wait().await?.success());
        assert!(child.stdin.is_none());
        Ok(())
    });
}

#[test]
fn process_group_and_kill_tree() {
    run(async {
        // The shell starts a grandchild in its group and reports its pid.
        let mut child = shell("sleep 100 & echo $!; wait")
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()?;
        let line = child.stdout.as_mut().unwrap().readline().await?;
        let grandchild: i32 = String::from_utf8_lossy(&line).trim().parse().unwrap();
        child.kill_tree()?;
        child.wait().await?;
        assert_eq!(child.returncode(), Some(-libc::SIGKILL));
        // The grandchild died too (it is reparented and reaped by init; at
        // most a zombie may linger a moment).
        let gone = async {
            loop {
                match std::fs::read_to_string(format!("/proc/{grandchild}/stat")) {
                    Err(_) => break,
                    Ok(stat)
                        if stat
                            .rsplit(')')
                            .next()
                            .unwrap_or("")
                            .trim_start()
                            .starts_with('Z') =>
                    {
                        break;
                    }
                    Ok(_) => corio::sleep(Duration::from_millis(10)).await,
                }
            }
        };
        corio::timeout(Duration::from_secs(10), gone)
            .await
            .expect("the grandchild survived kill_tree");

        let mut lone = Command::new("true").spawn()?;
        assert_eq!(
            lone.kill_tree().unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        lone.wait().await?;
        Ok(())
    });
}
