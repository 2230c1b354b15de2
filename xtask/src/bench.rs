//! `cargo xtask bench [FILTER] [--quick] [--report-only]`: runs the criterion
//! suite of `corio-benches`, the memory binary and the Python baseline, then
//! writes one report.
//!
//! Criterion's own output is read as it streams: a line per scenario when it
//! starts, a line per runtime when its median is known. The report is built
//! from criterion's files on disk, limited to the benchmarks this run saw.

use std::error::Error;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::chart;
use crate::estimates::{fill_elements, parse_ops_constants, read_all};
use crate::metadata::Metadata;
use crate::report::{Report, parse_memory, parse_python};

/// The package that holds the suite.
const PACKAGE: &str = "corio-benches";

/// Criterion settings of `--quick`: the whole suite (about 250 functions)
/// in under three minutes on a 2-core machine.
const QUICK: &[&str] = &[
    "--warm-up-time",
    "0.2",
    "--measurement-time",
    "0.4",
    "--sample-size",
    "10",
    "--noplot",
];

/// Criterion settings of a full run: long enough for stable medians, short
/// enough for the suite to finish in under 20 minutes.
const FULL: &[&str] = &["--warm-up-time", "1", "--measurement-time", "2", "--noplot"];

/// What the command line asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) filter: Option<String>,
    pub(crate) quick: bool,
    pub(crate) report_only: bool,
}

pub(crate) const HELP: &str = "\
cargo xtask bench [FILTER] [--quick] [--report-only]

  Runs the criterion suite of corio-benches (every bench file), the memory
  binary and the Python baseline, then prints scenario x runtime medians with
  the ratio corio / fastest peer of the same threading class, and writes
  target/corio-bench/report.md and report.svg.

  FILTER         passed to criterion (a regex over `scenario/runtime`);
                 with a filter, the memory and Python runs are skipped
  --quick        short warm-up and measurement (the suite in minutes)
  --report-only  run nothing; rebuild the report from the last results";

impl Options {
    pub(crate) fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options::default();
        for arg in args {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--report-only" => options.report_only = true,
                flag if flag.starts_with('-') => {
                    return Err(format!("unknown flag `{flag}`\n\n{HELP}"));
                }
                filter if options.filter.is_none() => options.filter = Some(filter.to_owned()),
                extra => return Err(format!("unexpected argument `{extra}`\n\n{HELP}")),
            }
        }
        Ok(options)
    }
}

/// Runs the suite and writes the report.
pub(crate) fn run(root: &Path, options: &Options) -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let metadata = Metadata::load(root)?;
    let package = metadata
        .package(PACKAGE)
        .ok_or_else(|| format!("the workspace has no `{PACKAGE}` package"))?;
    let criterion_dir = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| metadata.target_directory.join("criterion"));
    let out_dir = metadata.target_directory.join("corio-bench");
    fs::create_dir_all(&out_dir)?;

    let mut seen = Vec::new();
    if !options.report_only {
        let benches = package.targets_of("bench");
        if benches.is_empty() {
            return Err(format!("`{PACKAGE}` has no bench targets yet").into());
        }
        build(root)?;
        for (index, bench) in benches.iter().enumerate() {
            println!("[{}/{}] bench file `{bench}`", index + 1, benches.len());
            seen.extend(run_criterion(root, bench, options)?);
        }
        if options.filter.is_none() {
            if package.targets_of("bin").contains(&"memory") {
                run_memory(root, &out_dir)?;
            } else {
                println!("(no `memory` binary in {PACKAGE} yet: skipping memory per task)");
            }
            run_python(root, &out_dir, options.quick);
        }
    }

    let mut measurements = read_all(&criterion_dir)?;
    if !seen.is_empty() {
        measurements.retain(|m| seen.contains(&m.full_id));
    }
    if let Ok(source) = fs::read_to_string(root.join("benches/src/lib.rs")) {
        fill_elements(&mut measurements, &parse_ops_constants(&source));
    }
    let memory = fs::read_to_string(out_dir.join("memory.txt"))
        .map(|text| parse_memory(&text))
        .unwrap_or_default();
    let python = match fs::read_to_string(out_dir.join("python.json")) {
        Ok(text) => parse_python(&text).unwrap_or_else(|error| {
            eprintln!("warning: ignoring python.json: {error}");
            Vec::new()
        }),
        Err(_) => Vec::new(),
    };
    let report = Report {
        measurements,
        memory,
        python,
        machine: machine_line(),
    };
    println!("\n{}", report.to_text());
    let markdown = out_dir.join("report.md");
    let svg = out_dir.join("report.svg");
    fs::write(&markdown, report.to_markdown())?;
    fs::write(&svg, chart::render(&report))?;
    println!(
        "wrote {} and {} ({:.0} s)",
        markdown.display(),
        svg.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Builds every bench once, so compile time and errors come before any
/// measurement.
fn build(root: &Path) -> Result<(), Box<dyn Error>> {
    println!("building the suite (release profile)...");
    let status = Command::new(crate::cargo())
        .current_dir(root)
        .args(["bench", "-p", PACKAGE, "--no-run"])
        .status()?;
    if !status.success() {
        return Err(format!("building {PACKAGE} failed ({status})").into());
    }
    Ok(())
}

/// A line of the running bench, from stdout or stderr.
enum Line {
    Out(String),
    Err(String),
}

/// Runs one bench file and returns the ids criterion measured.
fn run_criterion(
    root: &Path,
    bench: &str,
    options: &Options,
) -> Result<Vec<String>, Box<dyn Error>> {
    let mut command = Command::new(crate::cargo());
    command
        .current_dir(root)
        .args(["bench", "-p", PACKAGE, "--bench", bench, "--"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(filter) = &options.filter {
        command.arg(filter);
    }
    command.args(if options.quick { QUICK } else { FULL });
    let mut child = command.spawn()?;
    let (sender, receiver) = mpsc::channel();
    let readers = [
        forward(child.stdout.take(), sender.clone(), Line::Out),
        forward(child.stderr.take(), sender, Line::Err),
    ];
    let mut progress = Progress::default();
    let mut tail: Vec<String> = Vec::new();
    for line in receiver {
        let text = match &line {
            Line::Out(text) | Line::Err(text) => text.clone(),
        };
        if let Some(message) = progress.feed(&line) {
            println!("{message}");
        } else if let Line::Err(text) = &line {
            if text.starts_with("warning")
                || text.starts_with("Warning")
                || text.starts_with("error")
            {
                eprintln!("    {}", text.trim());
            }
        }
        tail.push(text);
        if tail.len() > 40 {
            tail.remove(0);
        }
    }
    for reader in readers {
        let _ = reader.join();
    }
    let status = child.wait()?;
    if !status.success() {
        for line in &tail {
            eprintln!("  | {line}");
        }
        return Err(format!("`cargo bench --bench {bench}` failed ({status})").into());
    }
    Ok(progress.seen)
}

/// Sends each line of a pipe (split on `\n` and `\r`) to the channel.
fn forward(
    pipe: Option<impl Read + Send + 'static>,
    sender: mpsc::Sender<Line>,
    wrap: fn(String) -> Line,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let Some(pipe) = pipe else { return };
        for line in BufReader::new(pipe).split(b'\n').map_while(Result::ok) {
            for part in String::from_utf8_lossy(&line).split('\r') {
                if !part.trim().is_empty() && sender.send(wrap(part.to_owned())).is_err() {
                    return;
                }
            }
        }
    })
}

/// Turns criterion's output into progress lines.
#[derive(Debug, Default)]
struct Progress {
    scenario: Option<String>,
    /// An id printed on its own line, awaiting its `time:` line.
    pending_id: Option<String>,
    seen: Vec<String>,
}

impl Progress {
    /// Returns a line to print, if this output line starts a scenario or
    /// reports a median.
    fn feed(&mut self, line: &Line) -> Option<String> {
        match line {
            // "Benchmarking spawn_many/corio: Warming up for 3.0000 s"
            Line::Err(text) => {
                let rest = text.strip_prefix("Benchmarking ")?;
                let id = rest.split(": ").next()?.trim();
                let scenario = id.split('/').next()?.to_owned();
                if !self.seen.iter().any(|seen| seen == id) {
                    self.seen.push(id.to_owned());
                }
                if self.scenario.as_deref() != Some(scenario.as_str()) {
                    self.scenario = Some(scenario.clone());
                    return Some(format!("  scenario {scenario}"));
                }
                None
            }
            // "spawn_many/corio        time:   [1.2 ms 1.3 ms 1.4 ms]", or the
            // id alone on one line and "time:" indented on the next.
            Line::Out(text) => {
                let Some(at) = text.find("time:") else {
                    if !text.starts_with(' ') && !text.contains(':') {
                        self.pending_id = Some(text.trim().to_owned());
                    }
                    return None;
                };
                let (head, values) = text.split_at(at);
                let id = match head.trim() {
                    "" => self.pending_id.take()?,
                    id => id.to_owned(),
                };
                // Only the first time line after an id is the estimate; the
                // "change:" block repeats "time:" for the difference.
                if head.trim().is_empty() && text.contains("(p =") {
                    return None;
                }
                let words: Vec<&str> = values
                    .trim_start_matches("time:")
                    .trim()
                    .trim_matches(|c| c == '[' || c == ']')
                    .split_whitespace()
                    .collect();
                let median = match words.as_slice() {
                    [_, _, value, unit, _, _] => format!("{value} {unit}"),
                    _ => values.to_owned(),
                };
                let runtime = id.split_once('/').map_or(id.as_str(), |(_, r)| r);
                Some(format!("    {runtime:<24} {median}"))
            }
        }
    }
}

/// Runs the memory binary and keeps its output for the report.
fn run_memory(root: &Path, out_dir: &Path) -> Result<(), Box<dyn Error>> {
    println!("memory per idle task (bin `memory`)");
    let output = Command::new(crate::cargo())
        .current_dir(root)
        .args(["run", "--release", "-p", PACKAGE, "--bin", "memory"])
        .stderr(Stdio::inherit())
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        eprintln!(
            "warning: the memory binary failed ({}); its numbers are left out",
            output.status
        );
        let _ = fs::remove_file(out_dir.join("memory.txt"));
        return Ok(());
    }
    for (runtime, bytes) in parse_memory(&text) {
        println!("    {runtime:<24} {bytes:.0} B");
    }
    fs::write(out_dir.join("memory.txt"), text.as_bytes())?;
    Ok(())
}

/// Runs the Python baseline when the suite has one. It writes
/// `$CORIO_BENCH_DIR/python.json`; its failure is reported, not fatal.
fn run_python(root: &Path, out_dir: &Path, quick: bool) {
    let dir = root.join("benches/python");
    let mut command = if dir.join("run.sh").is_file() {
        let mut command = Command::new("bash");
        command.arg(dir.join("run.sh"));
        command
    } else if dir.join("bench.py").is_file() {
        let mut command = Command::new("python3");
        command.arg(dir.join("bench.py"));
        command
    } else {
        println!("(no benches/python/run.sh or bench.py yet: skipping the CPython baseline)");
        return;
    };
    println!("CPython baseline (benches/python)");
    command
        .current_dir(root)
        .env("CORIO_BENCH_DIR", out_dir)
        .env("CORIO_BENCH_QUICK", if quick { "1" } else { "0" });
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!("warning: the Python baseline failed ({status})"),
        Err(error) => eprintln!("warning: could not start the Python baseline: {error}"),
    }
}

/// "Measured on N cores (CPU model), Linux, on YYYY-MM-DD (UTC)."
fn machine_line() -> String {
    let cores = thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let (year, month, day) = civil_date(days as i64);
    format!(
        "Measured on {cores} cores ({cpu}), {}, on {year:04}-{month:02}-{day:02} (UTC).",
        std::env::consts::OS
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_parse() {
        assert_eq!(Options::parse(&[]).unwrap(), Options::default());
        let options = Options::parse(&args(&["spawn", "--quick"])).unwrap();
        assert_eq!(options.filter.as_deref(), Some("spawn"));
        assert!(options.quick && !options.report_only);
        assert!(
            Options::parse(&args(&["--report-only"]))
                .unwrap()
                .report_only
        );
        assert!(
            Options::parse(&args(&["--fast"]))
                .unwrap_err()
                .starts_with("unknown flag `--fast`")
        );
        assert!(
            Options::parse(&args(&["a", "b"]))
                .unwrap_err()
                .starts_with("unexpected argument `b`")
        );
    }

    #[test]
    fn progress_follows_criterion_output() {
        let mut progress = Progress::default();
        let mut printed = Vec::new();
        let lines = [
            Line::Err("Benchmarking spawn_many/corio".into()),
            Line::Err("Benchmarking spawn_many/corio: Warming up for 500.00 ms".into()),
            Line::Err("Benchmarking spawn_many/corio: Collecting 10 samples in estimated 1.0 s (550 iterations)".into()),
            Line::Out("spawn_many/corio        time:   [1.7711 ms 1.7802 ms 1.7950 ms]".into()),
            Line::Out("                        change: [-1.2% +0.3% +2.0%] (p = 0.71 > 0.05)".into()),
            Line::Out("                        time:   [-1.2% +0.3% +2.0%] (p = 0.71 > 0.05)".into()),
            Line::Err("Benchmarking spawn_many/tokio-sync/tokio-ct: Analyzing".into()),
            Line::Out("spawn_many/tokio-sync/tokio-ct".into()),
            Line::Out("                        time:   [2.0 µs 2.1 µs 2.2 µs]".into()),
            Line::Out("Found 1 outliers among 10 measurements (10.00%)".into()),
            Line::Err("Benchmarking ping_pong/corio-1w: Warming up for 500.00 ms".into()),
        ];
        for line in &lines {
            printed.extend(progress.feed(line));
        }
        assert_eq!(
            printed,
            [
                "  scenario spawn_many",
                "    corio                    1.7802 ms",
                "    tokio-sync/tokio-ct      2.1 µs",
                "  scenario ping_pong",
            ]
        );
        assert_eq!(
            progress.seen,
            [
                "spawn_many/corio",
                "spawn_many/tokio-sync/tokio-ct",
                "ping_pong/corio-1w"
            ]
        );
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(11_016), (2000, 2, 29));
        assert_eq!(civil_date(11_017), (2000, 3, 1));
        assert_eq!(civil_date(20_454), (2026, 1, 1));
        assert_eq!(civil_date(19_782), (2024, 2, 29));
    }

    #[test]
    fn machine_line_names_cores_and_date() {
        let line = machine_line();
        assert!(line.starts_with("Measured on "), "{line}");
        assert!(line.contains(" cores ("), "{line}");
        assert!(line.ends_with(" (UTC)."), "{line}");
    }
}
