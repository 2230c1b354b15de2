//! Criterion's results on disk, and the comparison rule of the report.
//!
//! Criterion writes, for each benchmark, `<criterion>/<group>/<function>/new/`
//! with `benchmark.json` (the ids as written in the bench, the throughput)
//! and `estimates.json` (the statistics, in ns per iteration). The suite's
//! naming rule is group = scenario, function = runtime. Directory names are
//! sanitized by criterion (`tokio-sync/tokio-ct` becomes `tokio-sync_tokio-ct`),
//! so the names are taken from `benchmark.json`, not from the path.

use std::error::Error;
use std::fs;
use std::path::Path;

use crate::json::Json;

/// One benchmark's median.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measurement {
    /// The criterion group.
    pub(crate) scenario: String,
    /// The function id, with the parameter when there is one (`a/b`).
    pub(crate) runtime: String,
    /// Criterion's full id, as printed while it runs.
    pub(crate) full_id: String,
    /// Median time of one iteration, in nanoseconds.
    pub(crate) median_ns: f64,
    /// Operations per iteration, when the bench declares
    /// `Throughput::Elements(n)`.
    pub(crate) elements: Option<u64>,
}

impl Measurement {
    /// The median per operation when the element count is known, else per
    /// iteration.
    pub(crate) fn per_op_ns(&self) -> f64 {
        match self.elements {
            Some(n) if n > 0 => self.median_ns / n as f64,
            _ => self.median_ns,
        }
    }
}

#[cfg(test)]
impl Measurement {
    /// A measurement of `median_ns` per iteration, one operation each.
    pub(crate) fn fake(scenario: &str, runtime: &str, median_ns: f64) -> Measurement {
        Measurement {
            scenario: scenario.to_owned(),
            runtime: runtime.to_owned(),
            full_id: format!("{scenario}/{runtime}"),
            median_ns,
            elements: None,
        }
    }
}

/// The threading class a runtime variant belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// One thread: `corio-1w`, `tokio-ct`, `smol-local`.
    Single,
    /// Several workers: `corio`, `tokio-mt`, `smol`.
    Multi,
}

impl Class {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Class::Single => "1 thread",
            Class::Multi => "multi-thread",
        }
    }
}

/// A name ending in `-1w`, `-ct` or `-local` is single-threaded.
pub(crate) fn class_of(runtime: &str) -> Class {
    if ["-1w", "-ct", "-local"]
        .iter()
        .any(|suffix| runtime.ends_with(suffix))
    {
        Class::Single
    } else {
        Class::Multi
    }
}

/// Whether a runtime name is one of corio's variants (`corio`, `corio-1w`,
/// `corio-sync/corio-1w`).
pub(crate) fn is_corio(runtime: &str) -> bool {
    runtime
        .split('/')
        .any(|part| part == "corio" || part.starts_with("corio-"))
}

/// Whether a runtime name is a floor: a hand-written baseline with no
/// runtime at all, which shows what the kernel and a bare event loop cost.
/// `epoll-raw-1w` and `epoll-raw` are an edge-triggered epoll loop on one
/// and on two threads (`epoll-raw-shared`: two threads on one epoll set);
/// `syscalls-1w` is plain non-blocking send/recv with no
/// event loop, the kernel's own cost of a round trip. Floors are never
/// peers: corio is held against them separately, by [`floor_ratios`].
pub(crate) fn is_floor(runtime: &str) -> bool {
    runtime.starts_with("epoll-raw") || runtime.starts_with("syscalls")
}

/// Whether a runtime name is an epoll floor, the only floors corio is held
/// against (`syscalls*` has no event loop: it is shown for information).
pub(crate) fn is_epoll_floor(runtime: &str) -> bool {
    runtime.starts_with("epoll-raw")
}

/// corio against its best peer, or against a floor, within one scenario and
/// class.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ratio {
    pub(crate) class: Class,
    pub(crate) corio: String,
    /// The fastest peer, or for [`floor_ratios`] the fastest usable floor.
    pub(crate) peer: String,
    /// corio's median / the other side's median: below 1.0 corio wins.
    pub(crate) value: f64,
}

/// The measurement with the lowest time per operation among those `keep`
/// accepts by runtime name.
fn fastest<'a>(runs: &[&'a Measurement], keep: impl Fn(&str) -> bool) -> Option<&'a Measurement> {
    runs.iter()
        .copied()
        .filter(|m| keep(&m.runtime))
        .min_by(|a, b| a.per_op_ns().total_cmp(&b.per_op_ns()))
}

/// `corio` over `other`, when both ran.
fn ratio(class: Class, corio: Option<&Measurement>, other: Option<&Measurement>) -> Option<Ratio> {
    let (corio, other) = (corio?, other?);
    Some(Ratio {
        class,
        corio: corio.runtime.clone(),
        peer: other.runtime.clone(),
        value: corio.per_op_ns() / other.per_op_ns(),
    })
}

/// corio's fastest variant of `class`.
fn fastest_corio<'a>(runs: &[&'a Measurement], class: Class) -> Option<&'a Measurement> {
    fastest(runs, |r| {
        is_corio(r) && !is_floor(r) && class_of(r) == class
    })
}

/// For each class present in `runs` (one scenario), corio's fastest variant
/// over the fastest peer of the same class. Floors are not peers.
pub(crate) fn ratios(runs: &[&Measurement]) -> Vec<Ratio> {
    [Class::Single, Class::Multi]
        .into_iter()
        .filter_map(|class| {
            let peer = fastest(runs, |r| {
                !is_corio(r) && !is_floor(r) && class_of(r) == class
            });
            ratio(class, fastest_corio(runs, class), peer)
        })
        .collect()
}

/// For each class present in `runs` (one scenario), corio's fastest variant
/// over the fastest epoll floor usable in that class: a single-threaded one
/// for the single class, any for the multi class (a one-thread program is
/// also a valid multi-thread program, and with one connection the one-thread
/// loop is the real floor). `syscalls*` is never the epoll floor.
pub(crate) fn floor_ratios(runs: &[&Measurement]) -> Vec<Ratio> {
    [Class::Single, Class::Multi]
        .into_iter()
        .filter_map(|class| {
            let floor = fastest(runs, |r| {
                is_epoll_floor(r) && (class == Class::Multi || class_of(r) == class)
            });
            ratio(class, fastest_corio(runs, class), floor)
        })
        .collect()
}

/// The median point estimate of an `estimates.json`, in ns.
pub(crate) fn parse_estimates(text: &str) -> Result<f64, Box<dyn Error>> {
    Json::parse(text)?
        .path(&["median", "point_estimate"])
        .and_then(Json::as_f64)
        .ok_or_else(|| "estimates.json has no median.point_estimate".into())
}

/// The names and throughput criterion records in `benchmark.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BenchmarkId {
    pub(crate) group: String,
    pub(crate) function: String,
    pub(crate) full_id: String,
    pub(crate) elements: Option<u64>,
}

/// Reads a `benchmark.json`.
pub(crate) fn parse_benchmark(text: &str) -> Result<BenchmarkId, Box<dyn Error>> {
    let doc = Json::parse(text)?;
    let string = |key: &str| doc.get(key).and_then(Json::as_str).map(str::to_owned);
    let group = string("group_id").ok_or("benchmark.json has no group_id")?;
    let function = match (string("function_id"), string("value_str")) {
        (Some(function), Some(value)) => format!("{function}/{value}"),
        (Some(function), None) => function,
        (None, Some(value)) => value,
        (None, None) => group.clone(),
    };
    let full_id = string("full_id").unwrap_or_else(|| format!("{group}/{function}"));
    let throughput = doc.get("throughput");
    let elements = throughput
        .and_then(|t| {
            t.get("Elements")
                .or_else(|| t.path(&["ElementsAndBytes", "elements"]))
        })
        .and_then(Json::as_f64)
        .map(|n| n as u64);
    Ok(BenchmarkId {
        group,
        function,
        full_id,
        elements,
    })
}

/// Reads the suite's `pub const <SCENARIO>_OPS: u64 = <n>;` lines (in
/// `benches/src/lib.rs`) as `(scenario, operations per iteration)`, the
/// fallback for results whose `benchmark.json` has no throughput.
pub(crate) fn parse_ops_constants(source: &str) -> Vec<(String, u64)> {
    source
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("pub const ")?;
            let (name, rest) = rest.split_once(':')?;
            let scenario = name.trim().strip_suffix("_OPS")?.to_lowercase();
            let value = rest.split_once('=')?.1.split_once(';')?.0.trim();
            let ops = value.replace('_', "").parse().ok()?;
            Some((scenario, ops))
        })
        .collect()
}

/// Fills in the element count of measurements that lack one.
pub(crate) fn fill_elements(measurements: &mut [Measurement], ops: &[(String, u64)]) {
    for m in measurements.iter_mut().filter(|m| m.elements.is_none()) {
        m.elements = ops
            .iter()
            .find(|(scenario, _)| *scenario == m.scenario)
            .map(|(_, n)| *n);
    }
}

/// Every measurement under criterion's output directory, sorted by scenario
/// and runtime. A missing directory means nothing has run yet: empty.
pub(crate) fn read_all(criterion_dir: &Path) -> Result<Vec<Measurement>, Box<dyn Error>> {
    let mut found = Vec::new();
    visit(criterion_dir, 0, &mut found)?;
    found.sort_by(|a, b| (&a.scenario, &a.runtime).cmp(&(&b.scenario, &b.runtime)));
    Ok(found)
}

fn visit(dir: &Path, depth: usize, found: &mut Vec<Measurement>) -> Result<(), Box<dyn Error>> {
    // group/function/parameter/new is the deepest layout criterion writes.
    if depth > 5 {
        return Ok(());
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if entry.file_name() == "new" {
            let benchmark = path.join("benchmark.json");
            let estimates = path.join("estimates.json");
            if benchmark.is_file() && estimates.is_file() {
                let read =
                    |p: &Path| fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
                let id = parse_benchmark(&read(&benchmark)?)
                    .map_err(|e| format!("{}: {e}", benchmark.display()))?;
                let median_ns = parse_estimates(&read(&estimates)?)
                    .map_err(|e| format!("{}: {e}", estimates.display()))?;
                found.push(Measurement {
                    scenario: id.group,
                    runtime: id.function,
                    full_id: id.full_id,
                    median_ns,
                    elements: id.elements,
                });
            }
        } else if entry.file_name() != "report" {
            visit(&path, depth + 1, found)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement(scenario: &str, runtime: &str, median_ns: f64) -> Measurement {
        Measurement::fake(scenario, runtime, median_ns)
    }

    #[test]
    fn classes_follow_the_name_suffix() {
        for single in ["corio-1w", "tokio-ct", "smol-local", "tokio-sync/tokio-ct"] {
            assert_eq!(class_of(single), Class::Single, "{single}");
        }
        for multi in ["corio", "tokio-mt", "smol", "async-lock/smol", "ct-helper"] {
            assert_eq!(class_of(multi), Class::Multi, "{multi}");
        }
    }

    #[test]
    fn corio_variants_are_recognised() {
        assert!(is_corio("corio"));
        assert!(is_corio("corio-1w"));
        assert!(is_corio("corio-sync/tokio-ct"));
        assert!(!is_corio("tokio-ct"));
        assert!(!is_corio("coriolis"));
    }

    #[test]
    fn ratios_compare_within_each_class() {
        let runs = [
            measurement("s", "corio-1w", 80.0),
            measurement("s", "tokio-ct", 100.0),
            measurement("s", "smol-local", 120.0),
            measurement("s", "corio", 300.0),
            measurement("s", "tokio-mt", 200.0),
            measurement("s", "smol", 250.0),
        ];
        let refs: Vec<_> = runs.iter().collect();
        let found = ratios(&refs);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].class, Class::Single);
        assert_eq!(
            (found[0].corio.as_str(), found[0].peer.as_str()),
            ("corio-1w", "tokio-ct")
        );
        assert!((found[0].value - 0.8).abs() < 1e-9);
        assert_eq!(found[1].class, Class::Multi);
        assert_eq!(found[1].peer, "tokio-mt");
        assert!((found[1].value - 1.5).abs() < 1e-9);
    }

    #[test]
    fn per_core_layouts_join_the_multi_thread_class() {
        let runs = [
            measurement("s", "corio", 6.4),
            measurement("s", "tokio-mt", 6.3),
            measurement("s", "corio-per-core", 5.7),
            measurement("s", "tokio-per-core", 6.1),
            measurement("s", "epoll-raw", 5.6),
        ];
        for r in ["corio-per-core", "tokio-per-core", "smol-per-core"] {
            assert_eq!(class_of(r), Class::Multi, "{r}");
        }
        let refs: Vec<_> = runs.iter().collect();
        let found = ratios(&refs);
        assert_eq!(
            (found[0].corio.as_str(), found[0].peer.as_str()),
            ("corio-per-core", "tokio-per-core")
        );
        let floor = floor_ratios(&refs);
        assert_eq!(
            (floor[0].corio.as_str(), floor[0].peer.as_str()),
            ("corio-per-core", "epoll-raw")
        );
    }

    #[test]
    fn a_class_without_corio_or_without_peers_has_no_ratio() {
        let runs = [
            measurement("s", "tokio-ct", 1.0),
            measurement("s", "corio", 1.0),
        ];
        let refs: Vec<_> = runs.iter().collect();
        assert_eq!(ratios(&refs), []);
    }

    #[test]
    fn ratios_use_per_operation_times() {
        let mut corio = measurement("s", "corio-1w", 1000.0);
        corio.elements = Some(10);
        let peer = measurement("s", "tokio-ct", 200.0);
        let found = ratios(&[&corio, &peer]);
        assert!((found[0].value - 0.5).abs() < 1e-9);
    }

    #[test]
    fn floors_are_recognised() {
        for floor in [
            "epoll-raw",
            "epoll-raw-1w",
            "epoll-raw-shared",
            "syscalls-1w",
        ] {
            assert!(is_floor(floor), "{floor}");
            assert!(!is_corio(floor), "{floor}");
        }
        assert_eq!(class_of("epoll-raw-1w"), Class::Single);
        assert_eq!(class_of("epoll-raw"), Class::Multi);
        assert!(is_epoll_floor("epoll-raw-1w"));
        assert!(is_epoll_floor("epoll-raw-shared"));
        assert_eq!(class_of("epoll-raw-shared"), Class::Multi);
        assert!(!is_epoll_floor("syscalls-1w"));
        for runtime in ["corio", "corio-1w", "tokio-ct", "smol", "raw-epoll"] {
            assert!(!is_floor(runtime), "{runtime}");
        }
    }

    #[test]
    fn ratios_ignore_floors_even_when_fastest() {
        let runs = [
            measurement("s", "corio-1w", 100.0),
            measurement("s", "tokio-ct", 200.0),
            measurement("s", "epoll-raw-1w", 50.0),
            measurement("s", "syscalls-1w", 40.0),
            measurement("s", "corio", 150.0),
            measurement("s", "tokio-mt", 300.0),
            measurement("s", "epoll-raw", 60.0),
        ];
        let refs: Vec<_> = runs.iter().collect();
        let found = ratios(&refs);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].corio.as_str(), found[0].peer.as_str()),
            ("corio-1w", "tokio-ct")
        );
        assert_eq!(
            (found[1].corio.as_str(), found[1].peer.as_str()),
            ("corio", "tokio-mt")
        );
        let only_floors = [
            measurement("s", "corio", 1.0),
            measurement("s", "epoll-raw", 1.0),
        ];
        let refs: Vec<_> = only_floors.iter().collect();
        assert_eq!(ratios(&refs), []);
    }

    #[test]
    fn floor_ratios_pick_the_usable_epoll_floor() {
        let runs = [
            measurement("s", "corio-1w", 104.0),
            measurement("s", "tokio-ct", 90.0),
            measurement("s", "epoll-raw-1w", 100.0),
            measurement("s", "syscalls-1w", 20.0),
            measurement("s", "corio", 130.0),
            measurement("s", "epoll-raw", 120.0),
        ];
        let refs: Vec<_> = runs.iter().collect();
        let found = floor_ratios(&refs);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].class, Class::Single);
        assert_eq!(
            (found[0].corio.as_str(), found[0].peer.as_str()),
            ("corio-1w", "epoll-raw-1w")
        );
        assert!((found[0].value - 1.04).abs() < 1e-9);
        // The one-thread loop is faster, and valid for the multi class too.
        assert_eq!(found[1].class, Class::Multi);
        assert_eq!(
            (found[1].corio.as_str(), found[1].peer.as_str()),
            ("corio", "epoll-raw-1w")
        );
        assert!((found[1].value - 1.3).abs() < 1e-9);
    }

    #[test]
    fn the_single_class_has_no_multi_thread_floor() {
        let runs = [
            measurement("s", "corio-1w", 100.0),
            measurement("s", "syscalls-1w", 20.0),
            measurement("s", "corio", 100.0),
            measurement("s", "epoll-raw", 80.0),
        ];
        let refs: Vec<_> = runs.iter().collect();
        let found = floor_ratios(&refs);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].class, Class::Multi);
        assert_eq!(found[0].peer, "epoll-raw");
        assert!((found[0].value - 1.25).abs() < 1e-9);
        let no_epoll = [
            measurement("s", "corio-1w", 100.0),
            measurement("s", "syscalls-1w", 20.0),
        ];
        let refs: Vec<_> = no_epoll.iter().collect();
        assert_eq!(floor_ratios(&refs), []);
    }

    #[test]
    fn estimates_give_the_median() {
        let text = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.0,"standard_error":0.1},
                      "median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1534.25,"standard_error":0.2},
                      "median_abs_dev":null,"slope":null,"std_dev":{"point_estimate":1.0}}"#;
        assert_eq!(parse_estimates(text).unwrap(), 1534.25);
        assert!(parse_estimates(r#"{"mean":{}}"#).is_err());
        assert!(parse_estimates("not json").is_err());
    }

    #[test]
    fn benchmark_json_gives_names_and_throughput() {
        let text = r#"{"group_id":"ping_pong","function_id":"tokio-sync","value_str":"tokio-ct",
                      "throughput":{"Elements":10000},"full_id":"ping_pong/tokio-sync/tokio-ct",
                      "directory_name":"ping_pong/tokio-sync_tokio-ct","title":"ping_pong/tokio-sync/tokio-ct"}"#;
        let id = parse_benchmark(text).unwrap();
        assert_eq!(id.group, "ping_pong");
        assert_eq!(id.function, "tokio-sync/tokio-ct");
        assert_eq!(id.full_id, "ping_pong/tokio-sync/tokio-ct");
        assert_eq!(id.elements, Some(10000));
        let plain =
            r#"{"group_id":"timers","function_id":"smol","value_str":null,"throughput":null}"#;
        assert_eq!(
            parse_benchmark(plain).unwrap(),
            BenchmarkId {
                group: "timers".into(),
                function: "smol".into(),
                full_id: "timers/smol".into(),
                elements: None,
            }
        );
    }

    #[test]
    fn ops_constants_fill_missing_element_counts() {
        let source = "/// Docs.\npub const SPAWN_MANY_OPS: u64 = 10_000;\n\
                      pub const TIMERS_OPS: u64 = 1000; // per batch\n\
                      pub const NOT_OPS_COUNT: u64 = 1;\npub const OPS_PER_ITERATION: &[u64] = &[];\n";
        let ops = parse_ops_constants(source);
        assert_eq!(
            ops,
            [
                ("spawn_many".to_owned(), 10_000),
                ("timers".to_owned(), 1000)
            ]
        );
        let mut found = vec![
            Measurement::fake("spawn_many", "corio", 1.0),
            Measurement::fake("other", "corio", 1.0),
        ];
        found[0].elements = None;
        fill_elements(&mut found, &ops);
        assert_eq!(found[0].elements, Some(10_000));
        assert_eq!(found[1].elements, None);
    }

    #[test]
    fn reads_a_criterion_directory() {
        let dir = std::env::temp_dir().join(format!("xtask-criterion-{}", std::process::id()));
        let write = |rel: &str, text: &str| {
            let path = dir.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        let estimates = |ns: f64| format!(r#"{{"median":{{"point_estimate":{ns}}}}}"#);
        write(
            "spawn_many/corio/new/benchmark.json",
            r#"{"group_id":"spawn_many","function_id":"corio","throughput":{"Elements":100}}"#,
        );
        write("spawn_many/corio/new/estimates.json", &estimates(5000.0));
        write("spawn_many/corio/base/estimates.json", &estimates(1.0));
        write(
            "spawn_many/tokio-sync_tokio-ct/new/benchmark.json",
            r#"{"group_id":"spawn_many","function_id":"tokio-sync/tokio-ct"}"#,
        );
        write(
            "spawn_many/tokio-sync_tokio-ct/new/estimates.json",
            &estimates(7.5),
        );
        write("spawn_many/report/index.html", "<html/>");
        let found = read_all(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].runtime, "corio");
        assert_eq!(found[0].per_op_ns(), 50.0);
        assert_eq!(found[1].runtime, "tokio-sync/tokio-ct");
        assert_eq!(found[1].median_ns, 7.5);
        assert!(read_all(&dir).unwrap().is_empty());
    }
}
