//! Child processes, asyncio's `create_subprocess_exec` pattern: a two-stage
//! pipeline whose output is streamed line by line, a captured command, and
//! a timeout that kills a hung child. Run it with
//! `cargo run --example subprocess`.
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use std::io;
use std::time::Duration;

use corio::subprocess::{Command, Stdio, shell};

async fn pipeline() -> io::Result<()> {
    // `seq 1 5 | sed s/^/item-/`, wired by hand: a task copies the first
    // child's stdout into the second child's stdin, line by line.
    let mut producer = Command::new("seq")
        .args(["1", "5"])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut consumer = Command::new("sed")
        .arg("s/^/item-/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let (Some(mut from), Some(to)) = (producer.stdout.take(), consumer.stdin.take()) else {
        return Err(io::Error::other("pipes missing"));
    };
    let copier = corio::spawn(async move {
        loop {
            let line = from.readline().await?;
            if line.is_empty() {
                break;
            }
            to.write(&line);
            to.drain().await?;
        }
        // End of the consumer's input: it finishes once it read everything.
        to.close();
        to.wait_closed().await
    });

    // Stream the consumer's output as it comes.
    let Some(mut out) = consumer.stdout.take() else {
        return Err(io::Error::other("stdout missing"));
    };
    loop {
        let line = out.readline().await?;
        if line.is_empty() {
            break;
        }
        print!("   pipeline: {}", String::from_utf8_lossy(&line));
    }
    copier
        .await
        .map_err(|e| io::Error::other(e.to_string()))??;
    println!(
        "   exit codes: producer {:?}, consumer {:?}",
        producer.wait().await?.code(),
        consumer.wait().await?.code()
    );
    Ok(())
}

async fn captured() -> io::Result<()> {
    let output = shell("echo to stdout; echo to stderr >&2; exit 3")
        .output()
        .await?;
    println!(
        "   captured: stdout {:?}, stderr {:?}, exit {:?}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        output.status.code()
    );
    Ok(())
}

async fn with_timeout() -> io::Result<()> {
    let mut child = Command::new("sleep").arg("30").spawn()?;
    match corio::timeout(Duration::from_millis(300), child.wait()).await {
        Ok(status) => println!("   finished in time: {:?}", status?),
        Err(_) => {
            child.kill()?;
            child.wait().await?;
            println!(
                "   `sleep 30` timed out after 300 ms and was killed: returncode {:?}",
                child.returncode()
            );
        }
    }
    Ok(())
}

fn main() -> io::Result<()> {
    corio::run(async {
        println!("a pipeline, streamed line by line:");
        pipeline().await?;
        println!("a captured command:");
        captured().await?;
        println!("a timeout:");
        with_timeout().await
    })
}
