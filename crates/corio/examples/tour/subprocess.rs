//! Child processes and their pipes: create_subprocess_exec/_shell, lines
//! read as they come, exit codes.

use corio::subprocess::{Command, Stdio, shell};

pub(crate) async fn section() {
    match Command::new("echo").arg("hello from echo").output().await {
        Ok(out) => println!(
            "   Command::new(\"echo\") -> {:?}",
            String::from_utf8_lossy(&out.stdout).trim_end()
        ),
        Err(e) => println!("   echo failed: {e}"),
    }

    match shell("for i in 1 2 3; do echo line $i; sleep 0.05; done")
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            if let Some(mut out) = child.stdout.take() {
                while let Ok(line) = out.readline().await {
                    if line.is_empty() {
                        break;
                    }
                    println!(
                        "   read while running: {:?}",
                        String::from_utf8_lossy(&line).trim_end()
                    );
                }
            }
            let _ = child.wait().await;
        }
        Err(e) => println!("   sh failed: {e}"),
    }

    for cmdline in ["exit 0", "exit 3", "kill -9 $$"] {
        match shell(cmdline).spawn() {
            Ok(mut child) => {
                let _ = child.wait().await;
                println!(
                    "   sh -c {cmdline:?} -> returncode {:?}",
                    child.returncode()
                );
            }
            Err(e) => println!("   sh failed: {e}"),
        }
    }

    match Command::new("no-such-program").spawn() {
        Ok(_) => println!("   no-such-program started?"),
        Err(e) => println!("   a missing program is an error: {e}"),
    }
}
