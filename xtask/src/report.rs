//! The bench report: one table of scenario × runtime medians with corio's
//! ratio to its best peer (and to the epoll floor, where one ran), memory
//! per idle task and the factor over CPython, rendered for the terminal and
//! as Markdown.

use std::error::Error;
use std::fmt::Write as _;

use crate::estimates::{
    Class, Measurement, Ratio, class_of, floor_ratios, is_corio, is_epoll_floor, is_floor, ratios,
};
use crate::json::Json;

/// Scenarios in the order the suite presents them; others follow by name.
const SCENARIO_ORDER: &[&str] = &[
    "spawn_many",
    "spawn_remote",
    "yield_many",
    "ping_pong",
    "chained_spawn",
    "timers",
    "timeout_ready",
    "to_thread",
];

/// Runtimes in column order: the single-threaded class, then the multi.
const RUNTIME_ORDER: &[&str] = &[
    "corio-1w",
    "tokio-ct",
    "smol-local",
    "corio",
    "tokio-mt",
    "smol",
    "corio-per-core",
    "tokio-per-core",
    "smol-per-core",
];

/// Everything one report shows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Report {
    pub(crate) measurements: Vec<Measurement>,
    /// `(runtime, bytes per idle task)` from the memory binary.
    pub(crate) memory: Vec<(String, f64)>,
    /// The Python implementations' numbers from `python.json`.
    pub(crate) python: Vec<Baseline>,
    /// Where and when it was measured, one line.
    pub(crate) machine: String,
}

/// One Python implementation's results (`asyncio`, `uvloop`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Baseline {
    pub(crate) implementation: String,
    /// `(scenario, ns per operation)`.
    pub(crate) ns_per_op: Vec<(String, f64)>,
}

/// A rendered table: a header row and body rows of equal length.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Report {
    /// Scenario names in presentation order.
    pub(crate) fn scenarios(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .measurements
            .iter()
            .map(|m| m.scenario.as_str())
            .collect();
        names.sort_by_key(|name| (rank(SCENARIO_ORDER, name), *name));
        names.dedup();
        names
    }

    /// Runtime names in column order: single-threaded first, known names
    /// first within a class, floors last.
    pub(crate) fn runtimes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .measurements
            .iter()
            .map(|m| m.runtime.as_str())
            .collect();
        names.sort_by_key(|name| {
            (
                class_of(name),
                is_floor(name),
                rank(RUNTIME_ORDER, name),
                *name,
            )
        });
        names.dedup();
        names
    }

    /// The measurements of one scenario.
    pub(crate) fn runs_of(&self, scenario: &str) -> Vec<&Measurement> {
        self.measurements
            .iter()
            .filter(|m| m.scenario == scenario)
            .collect()
    }

    /// Whether any floor ran (`epoll-raw*`, `syscalls*`).
    pub(crate) fn has_floors(&self) -> bool {
        self.measurements.iter().any(|m| is_floor(&m.runtime))
    }

    /// Whether an epoll floor ran, which gives the table its floor columns.
    fn has_epoll_floor(&self) -> bool {
        self.measurements.iter().any(|m| is_epoll_floor(&m.runtime))
    }

    /// The ratio rule, with the floors' when any ran.
    fn rule(&self) -> String {
        if self.has_floors() {
            format!("{RATIO_RULE} {FLOOR_RULE}")
        } else {
            RATIO_RULE.to_owned()
        }
    }

    /// The main table: medians per operation, both ratios, both floor ratios
    /// when an epoll floor ran and, when the Python baseline ran, the factor
    /// over each Python implementation.
    pub(crate) fn table(&self) -> Table {
        let runtimes = self.runtimes();
        let floors = self.has_epoll_floor();
        let mut header = vec!["scenario".to_owned(), "per".to_owned()];
        header.extend(runtimes.iter().map(|r| (*r).to_owned()));
        header.push("corio / best, 1 thread".to_owned());
        header.push("corio / best, multi".to_owned());
        if floors {
            header.push("corio / epoll floor, 1 thread".to_owned());
            header.push("corio / epoll floor, multi".to_owned());
        }
        for baseline in &self.python {
            header.push(format!("× {}", baseline.implementation));
        }
        let mut rows = Vec::new();
        for scenario in self.scenarios() {
            let runs = self.runs_of(scenario);
            let per = if runs.iter().all(|m| m.elements.is_some()) {
                "op"
            } else {
                "iter"
            };
            let mut row = vec![scenario.to_owned(), per.to_owned()];
            for runtime in &runtimes {
                row.push(match runs.iter().find(|m| m.runtime == *runtime) {
                    Some(m) => human_time(m.per_op_ns()),
                    None => "–".to_owned(),
                });
            }
            row.extend(ratio_cells(&ratios(&runs)));
            if floors {
                row.extend(ratio_cells(&floor_ratios(&runs)));
            }
            for baseline in &self.python {
                row.push(python_factor(&runs, scenario, &baseline.ns_per_op));
            }
            rows.push(row);
        }
        Table { header, rows }
    }

    /// The table aligned with spaces, for the terminal.
    pub(crate) fn to_text(&self) -> String {
        let table = self.table();
        let mut widths: Vec<usize> = table.header.iter().map(|h| h.chars().count()).collect();
        for row in &table.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
                let pad = width - cell.chars().count();
                if i < 2 {
                    let _ = write!(out, "{cell}{}  ", " ".repeat(pad));
                } else {
                    let _ = write!(out, "{}{cell}  ", " ".repeat(pad));
                }
            }
            out.trim_end().to_owned() + "\n"
        };
        let mut out = line(&table.header);
        for row in &table.rows {
            out += &line(row);
        }
        out += &format!("\n{}\n", self.rule());
        if !self.memory.is_empty() {
            out += "\nmemory per idle task:\n";
            for (runtime, bytes) in &self.memory {
                let _ = writeln!(out, "  {runtime:<14} {bytes:>8.0} B");
            }
            if let Some(line) = self.memory_ratio() {
                let _ = writeln!(out, "  {line}");
            }
        }
        out
    }

    /// The whole report as a Markdown document.
    pub(crate) fn to_markdown(&self) -> String {
        let table = self.table();
        let mut out = String::from("# corio bench report\n\n");
        let _ = writeln!(out, "{}\n", self.machine);
        let _ = writeln!(
            out,
            "Median time per operation (`per` = `iter`: per iteration, where the scenario \
             declares no element count). {}\n",
            self.rule()
        );
        let escape = |cell: &String| cell.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {} |",
            table
                .header
                .iter()
                .map(escape)
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let align: Vec<&str> = (0..table.header.len())
            .map(|i| if i < 2 { "---" } else { "---:" })
            .collect();
        let _ = writeln!(out, "|{}|", align.join("|"));
        for row in &table.rows {
            let _ = writeln!(
                out,
                "| {} |",
                row.iter().map(escape).collect::<Vec<_>>().join(" | ")
            );
        }
        if !self.memory.is_empty() {
            out += "\n## Memory per idle task\n\n| runtime | bytes |\n|---|---:|\n";
            for (runtime, bytes) in &self.memory {
                let _ = writeln!(out, "| {runtime} | {bytes:.0} |");
            }
            if let Some(line) = self.memory_ratio() {
                let _ = writeln!(out, "\n{line}");
            }
        }
        out
    }

    /// corio's bytes per idle task over the leanest peer's.
    fn memory_ratio(&self) -> Option<String> {
        let best = |want_corio: bool| {
            self.memory
                .iter()
                .filter(|(runtime, _)| is_corio(runtime) == want_corio)
                .min_by(|a, b| a.1.total_cmp(&b.1))
        };
        let (corio, peer) = (best(true)?, best(false)?);
        Some(format!(
            "corio / leanest peer: {:.2} ({} {:.0} B vs {} {:.0} B)",
            corio.1 / peer.1,
            corio.0,
            corio.1,
            peer.0,
            peer.1
        ))
    }
}

#[cfg(test)]
impl Report {
    /// Three scenarios, memory and an asyncio baseline, with round numbers.
    pub(crate) fn fake() -> Report {
        let mut measurements = Vec::new();
        for (scenario, runs) in [
            (
                "spawn_many",
                &[
                    ("corio-1w", 90.0),
                    ("tokio-ct", 446.0),
                    ("smol-local", 129.0),
                    ("corio", 250.0),
                    ("tokio-mt", 471.0),
                    ("smol", 318.0),
                ][..],
            ),
            (
                "ping_pong",
                &[
                    ("tokio-ct", 94.0),
                    ("corio-1w", 120.0),
                    ("tokio-sync/tokio-ct", 101.0),
                ][..],
            ),
            ("zz_custom", &[("corio", 2.5e6), ("smol", 1.2e6)][..]),
        ] {
            for (runtime, ns) in runs {
                let mut m = Measurement::fake(scenario, runtime, ns * 10_000.0);
                m.elements = (scenario != "zz_custom").then_some(10_000);
                if scenario == "zz_custom" {
                    m.median_ns = *ns;
                }
                measurements.push(m);
            }
        }
        Report {
            measurements,
            memory: vec![
                ("corio".into(), 96.0),
                ("tokio".into(), 315.0),
                ("smol".into(), 102.0),
            ],
            python: vec![Baseline {
                implementation: "asyncio".into(),
                ns_per_op: vec![("spawn_many".into(), 5499.0), ("ping_pong".into(), 5026.0)],
            }],
            machine: "Measured on 2 cores (Test CPU) on 2026-01-02.".into(),
        }
    }

    /// A TCP echo scenario with the three floors, and one without them.
    pub(crate) fn fake_with_floors() -> Report {
        let mut measurements = Vec::new();
        for (scenario, runs) in [
            (
                "tcp_echo_1conn",
                &[
                    ("corio-1w", 10.4),
                    ("tokio-ct", 12.0),
                    ("epoll-raw-1w", 10.0),
                    ("syscalls-1w", 4.0),
                    ("corio", 13.0),
                    ("tokio-mt", 15.0),
                    ("epoll-raw", 11.0),
                ][..],
            ),
            ("spawn_many", &[("corio-1w", 90.0), ("tokio-ct", 446.0)][..]),
        ] {
            for (runtime, ns) in runs {
                let mut m = Measurement::fake(scenario, runtime, ns * 1000.0);
                m.elements = Some(1000);
                measurements.push(m);
            }
        }
        Report {
            measurements,
            ..Report::default()
        }
    }
}

const RATIO_RULE: &str = "Ratio = corio / fastest peer of the same threading class \
    (1 thread: corio-1w vs tokio-ct, smol-local; multi: corio vs tokio-mt, smol, and \
    where they ran corio-per-core vs tokio-per-core, smol-per-core: one single-threaded \
    runtime per thread, each with its own share of the connections); below 1.0 corio is \
    faster. × asyncio = how many times faster than CPython.";

/// Added to [`RATIO_RULE`] when floors ran.
const FLOOR_RULE: &str = "Floors (epoll-raw-1w, epoll-raw, syscalls-1w) are \
    hand-written loops without a runtime, not peers: what the kernel and a bare \
    event loop cost. corio / epoll floor = corio / fastest epoll-raw loop usable \
    in the class (1 thread: epoll-raw-1w; multi: either, since one thread is also \
    a valid multi-thread program); the target is 1.05 or less. syscalls-1w has no \
    event loop at all: the kernel's own cost of a round trip, for information.";

/// One cell per class: `value vs other side`, or `–` where the class has
/// no ratio.
fn ratio_cells(found: &[Ratio]) -> impl Iterator<Item = String> + '_ {
    [Class::Single, Class::Multi].into_iter().map(|class| {
        match found.iter().find(|r| r.class == class) {
            Some(ratio) => format!("{:.2} vs {}", ratio.value, ratio.peer),
            None => "–".to_owned(),
        }
    })
}

fn rank(order: &[&str], name: &str) -> usize {
    order.iter().position(|n| *n == name).unwrap_or(order.len())
}

/// How many times faster corio is than a Python implementation on one
/// scenario: single-threaded corio when it ran (asyncio is single-threaded).
pub(crate) fn python_factor(
    runs: &[&Measurement],
    scenario: &str,
    numbers: &[(String, f64)],
) -> String {
    let Some((_, python_ns)) = numbers.iter().find(|(name, _)| name == scenario) else {
        return "–".to_owned();
    };
    let corio = runs
        .iter()
        .find(|m| m.runtime == "corio-1w")
        .or_else(|| runs.iter().find(|m| m.runtime == "corio"));
    match corio {
        Some(m) if m.elements.is_some() => {
            // Small factors keep a decimal: 2.6× and 2× are not the same claim.
            let factor = python_ns / m.per_op_ns();
            if factor < 10.0 {
                format!("{factor:.1}×")
            } else {
                format!("{factor:.0}×")
            }
        }
        Some(_) => "n/a (no element count)".to_owned(),
        None => "–".to_owned(),
    }
}

/// A duration in ns written with three significant digits and its unit.
pub(crate) fn human_time(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else if value >= 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.2} {unit}")
    }
}

/// Reads the memory binary's output: lines `runtime bytes_per_task`. Other
/// lines (headers, notes) are skipped; a unit suffix (`102B`, `102 B`,
/// `bytes`) is tolerated.
pub(crate) fn parse_memory(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let runtime = words.next()?;
            let number = words.next()?;
            let number = number.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let bytes: f64 = number.parse().ok()?;
            let rest: Vec<&str> = words.collect();
            let unit_only = rest
                .iter()
                .all(|w| matches!(*w, "B" | "bytes" | "bytes/task"));
            (bytes.is_finite() && bytes >= 0.0 && unit_only).then(|| (runtime.to_owned(), bytes))
        })
        .collect()
}

/// Reads `python.json`: `{"asyncio": {"spawn_many": ns_per_op, ..}, "uvloop": {..}}`.
/// Implementations with no numbers are left out.
pub(crate) fn parse_python(text: &str) -> Result<Vec<Baseline>, Box<dyn Error>> {
    let doc = Json::parse(text)?;
    if !matches!(doc, Json::Object(_)) {
        return Err("python.json must be an object of implementations".into());
    }
    Ok(doc
        .as_object()
        .iter()
        .map(|(implementation, scenarios)| {
            let numbers = scenarios
                .as_object()
                .iter()
                .filter_map(|(scenario, ns)| Some((scenario.clone(), ns.as_f64()?)))
                .collect::<Vec<_>>();
            Baseline {
                implementation: implementation.clone(),
                ns_per_op: numbers,
            }
        })
        .filter(|baseline| !baseline.ns_per_op.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_time_picks_the_unit() {
        assert_eq!(human_time(4.25), "4.25 ns");
        assert_eq!(human_time(129.4), "129 ns");
        assert_eq!(human_time(1534.0), "1.53 µs");
        assert_eq!(human_time(25_300.0), "25.3 µs");
        assert_eq!(human_time(2.5e6), "2.50 ms");
        assert_eq!(human_time(3.2e9), "3.20 s");
    }

    #[test]
    fn orders_scenarios_and_runtimes() {
        let report = Report::fake();
        assert_eq!(report.scenarios(), ["spawn_many", "ping_pong", "zz_custom"]);
        assert_eq!(
            report.runtimes(),
            [
                "corio-1w",
                "tokio-ct",
                "smol-local",
                "tokio-sync/tokio-ct",
                "corio",
                "tokio-mt",
                "smol"
            ]
        );
    }

    #[test]
    fn table_rows_hold_medians_ratios_and_python_factors() {
        let table = Report::fake().table();
        assert_eq!(table.header.len(), 2 + 7 + 2 + 1);
        assert_eq!(table.header[9], "corio / best, 1 thread");
        assert_eq!(table.header[11], "× asyncio");
        let spawn = &table.rows[0];
        assert_eq!(&spawn[..3], ["spawn_many", "op", "90.0 ns"]);
        assert_eq!(spawn[9], "0.70 vs smol-local");
        assert_eq!(spawn[10], "0.79 vs smol");
        assert_eq!(spawn[11], "61×");
        let ping = &table.rows[1];
        assert_eq!(ping[9], "1.28 vs tokio-ct");
        assert_eq!(ping[10], "–");
        assert_eq!(ping[4], "–");
        assert_eq!(ping[5], "101 ns");
        let custom = &table.rows[2];
        assert_eq!(custom[1], "iter");
        assert_eq!(custom[6], "2.50 ms");
        assert_eq!(custom[7], "–");
        assert_eq!(custom[10], "2.08 vs smol");
        assert_eq!(custom[11], "–");
    }

    #[test]
    fn floors_sort_last_within_their_class() {
        assert_eq!(
            Report::fake_with_floors().runtimes(),
            [
                "corio-1w",
                "tokio-ct",
                "epoll-raw-1w",
                "syscalls-1w",
                "corio",
                "tokio-mt",
                "epoll-raw"
            ]
        );
    }

    #[test]
    fn floors_add_two_ratio_columns() {
        let table = Report::fake_with_floors().table();
        assert_eq!(table.header.len(), 2 + 7 + 2 + 2);
        assert_eq!(table.header[9], "corio / best, 1 thread");
        assert_eq!(table.header[10], "corio / best, multi");
        assert_eq!(table.header[11], "corio / epoll floor, 1 thread");
        assert_eq!(table.header[12], "corio / epoll floor, multi");
        let echo = &table.rows[1];
        assert_eq!(echo[0], "tcp_echo_1conn");
        assert_eq!(echo[9], "0.87 vs tokio-ct");
        assert_eq!(echo[10], "0.87 vs tokio-mt");
        assert_eq!(echo[11], "1.04 vs epoll-raw-1w");
        assert_eq!(echo[12], "1.30 vs epoll-raw-1w");
        let spawn = &table.rows[0];
        assert_eq!(spawn[0], "spawn_many");
        assert_eq!(spawn[11..], ["–", "–"]);
        assert!(
            !Report::fake()
                .table()
                .header
                .iter()
                .any(|h| h.contains("floor"))
        );
    }

    #[test]
    fn the_floor_rule_shows_only_with_floors() {
        let with = Report::fake_with_floors();
        assert!(with.to_text().contains("not peers"));
        assert!(with.to_markdown().contains(
            "| corio / best, multi | corio / epoll floor, 1 thread | corio / epoll floor, multi |"
        ));
        let without = Report::fake();
        assert!(!without.to_text().contains("floor"));
        assert!(!without.to_markdown().contains("floor"));
    }

    #[test]
    fn python_factor_needs_a_per_operation_time() {
        let corio = Measurement::fake("timers", "corio-1w", 5.0e6);
        let numbers = [("timers".to_owned(), 18_423.0)];
        assert_eq!(
            python_factor(&[&corio], "timers", &numbers),
            "n/a (no element count)"
        );
    }

    #[test]
    fn small_python_factors_keep_a_decimal() {
        let mut corio = Measurement::fake("tcp_echo_1conn", "corio-1w", 11_800.0);
        corio.elements = Some(1);
        let factor = |python_ns: f64| {
            python_factor(
                &[&corio],
                "tcp_echo_1conn",
                &[("tcp_echo_1conn".to_owned(), python_ns)],
            )
        };
        assert_eq!(factor(26_600.0), "2.3×");
        assert_eq!(factor(118_000.0 * 1.5), "15×");
    }

    #[test]
    fn markdown_has_the_table_memory_and_rule() {
        let md = Report::fake().to_markdown();
        assert!(md.starts_with("# corio bench report\n\nMeasured on 2 cores"));
        assert!(md.contains(
            "| scenario | per | corio-1w | tokio-ct | smol-local | tokio-sync/tokio-ct | corio | tokio-mt | smol | corio / best, 1 thread | corio / best, multi | × asyncio |"
        ));
        assert!(md.contains("|---|---|---:|"));
        assert!(md.contains("| spawn_many | op | 90.0 ns | 446 ns | 129 ns | – | 250 ns | 471 ns | 318 ns | 0.70 vs smol-local | 0.79 vs smol | 61× |"), "{md}");
        assert!(md.contains("## Memory per idle task"));
        assert!(md.contains("| corio | 96 |"));
        assert!(md.contains("corio / leanest peer: 0.94 (corio 96 B vs smol 102 B)"));
        assert!(md.contains("below 1.0 corio is faster"));
    }

    #[test]
    fn text_is_aligned() {
        let text = Report::fake().to_text();
        let lines: Vec<&str> = text.lines().take(4).collect();
        let column = |line: &str| line.find("ns").unwrap_or(0);
        assert!(lines[0].starts_with("scenario    per   corio-1w"), "{text}");
        assert_eq!(column(lines[1]), column(lines[2]), "{text}");
        assert!(text.contains("memory per idle task:\n  corio"));
    }

    #[test]
    fn memory_output_is_parsed_defensively() {
        let text = "runtime bytes_per_task\ncorio 96\ntokio 315.5 B\nsmol 102B\n\nnote: rss from statm\nbad line here\n";
        assert_eq!(
            parse_memory(text),
            [
                ("corio".to_owned(), 96.0),
                ("tokio".to_owned(), 315.5),
                ("smol".to_owned(), 102.0)
            ]
        );
    }

    #[test]
    fn python_json_is_parsed() {
        let parsed = parse_python(
            r#"{"asyncio": {"spawn_many": 5499, "timers": 18423.5}, "uvloop": {}, "note": "x"}"#,
        )
        .unwrap();
        assert_eq!(
            parsed,
            [Baseline {
                implementation: "asyncio".to_owned(),
                ns_per_op: vec![
                    ("spawn_many".to_owned(), 5499.0),
                    ("timers".to_owned(), 18423.5)
                ]
            }]
        );
        assert!(parse_python("[1, 2]").is_err());
        assert!(parse_python("{").is_err());
    }
}
