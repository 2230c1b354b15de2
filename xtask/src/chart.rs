//! The report as an SVG bar chart, written by hand (no plotting dependency).
//!
//! One block per scenario, one horizontal bar per runtime, one color per
//! runtime with a legend at the top. Bars are scaled linearly per scenario
//! (the slowest runtime of the scenario spans the full width), because
//! scenarios differ by orders of magnitude and what a reader compares is
//! the runtimes within one scenario. Each bar carries its value, and each
//! scenario its ratios.

use std::fmt::Write as _;

use crate::estimates::{Class, class_of, floor_ratios, is_floor, ratios};
use crate::report::{Report, human_time, python_factor};

const WIDTH: f64 = 980.0;
const LABEL_RIGHT: f64 = 180.0;
const BAR_LEFT: f64 = 188.0;
const BAR_MAX: f64 = 620.0;
const ROW: f64 = 20.0;
const BAR_HEIGHT: f64 = 15.0;
const SCENARIO_TITLE: f64 = 28.0;
const SCENARIO_GAP: f64 = 16.0;
const CLASS_GAP: f64 = 6.0;
const FONT: &str = "font-family=\"Helvetica, Arial, sans-serif\"";

/// Colors of the known runtimes: corio in oranges, tokio in blues, smol in
/// greens; the darker shade is the single-threaded variant.
const KNOWN_COLORS: &[(&str, &str)] = &[
    ("corio-1w", "#d9480f"),
    ("corio", "#fd7e14"),
    ("tokio-ct", "#1864ab"),
    ("tokio-mt", "#4dabf7"),
    ("smol-local", "#2b8a3e"),
    ("smol", "#8ce99a"),
    ("corio-per-core", "#ffc078"),
    ("tokio-per-core", "#a5d8ff"),
    ("smol-per-core", "#d3f9d8"),
];

/// The color of every floor (`epoll-raw*`, `syscalls*`): a neutral grey, as
/// they are no runtime.
const FLOOR_COLOR: &str = "#adb5bd";

/// How far above its floor corio may be and still be drawn green: the
/// target is within 5 % of the epoll floor.
const FLOOR_TARGET: f64 = 1.05;

/// Colors for any other runtime name, in order of appearance.
const OTHER_COLORS: &[&str] = &[
    "#862e9c", "#c2255c", "#5f3dc4", "#e67700", "#0b7285", "#495057", "#a61e4d", "#364fc7",
];

/// Renders the report's timings as a standalone SVG document.
pub(crate) fn render(report: &Report) -> String {
    let runtimes = report.runtimes();
    let colors = palette(&runtimes);
    let color_of = |runtime: &str| {
        colors
            .iter()
            .find(|(name, _)| *name == runtime)
            .map_or("#868e96", |(_, color)| *color)
    };

    let mut body = String::new();
    let mut y = 20.0;
    let _ = writeln!(
        body,
        r#"<text x="16" y="{}" {FONT} font-size="20" font-weight="bold">corio vs tokio and smol: median time per operation</text>"#,
        y + 10.0
    );
    y += 30.0;
    let _ = writeln!(
        body,
        r##"<text x="16" y="{y}" {FONT} font-size="12" fill="#495057">Shorter is faster. Bars are scaled per scenario. Ratio = corio / fastest peer of the same threading class; below 1.0 corio wins.</text>"##
    );
    y += 16.0;
    if report.has_floors() {
        let _ = writeln!(
            body,
            r##"<text x="16" y="{y}" {FONT} font-size="12" fill="#495057">Grey bars are floors, hand-written loops without a runtime, not peers. Floor = corio / fastest epoll-raw loop usable in the class; green within 5 %.</text>"##
        );
        y += 16.0;
    }
    if !report.machine.is_empty() {
        let _ = writeln!(
            body,
            r##"<text x="16" y="{y}" {FONT} font-size="12" fill="#495057">{}</text>"##,
            escape(&report.machine)
        );
        y += 16.0;
    }

    // Legend: wraps onto as many rows as needed.
    y += 8.0;
    let mut x = 16.0;
    for (runtime, color) in &colors {
        let width = 30.0 + 7.5 * runtime.chars().count() as f64;
        if x + width > WIDTH - 16.0 {
            x = 16.0;
            y += 20.0;
        }
        let _ = writeln!(
            body,
            r#"<rect x="{x}" y="{}" width="14" height="14" fill="{color}"/><text x="{}" y="{}" {FONT} font-size="13">{}</text>"#,
            y - 11.0,
            x + 20.0,
            y,
            escape(runtime)
        );
        x += width + 12.0;
    }
    y += 18.0;

    for scenario in report.scenarios() {
        let runs = report.runs_of(scenario);
        y += SCENARIO_TITLE;
        let _ = write!(
            body,
            r#"<text x="16" y="{y}" {FONT} font-size="15" font-weight="bold">{}</text>"#,
            escape(scenario)
        );
        let mut summary = Vec::new();
        for ratio in ratios(&runs) {
            // Each part after the first is set apart by `dx`: SVG collapses spaces.
            let dx = if summary.is_empty() { "0" } else { "18" };
            let color = if ratio.value <= 1.0 {
                "#2b8a3e"
            } else {
                "#c92a2a"
            };
            summary.push(format!(
                r#"<tspan dx="{dx}" fill="{color}">{}: {:.2} vs {}</tspan>"#,
                ratio.class.label(),
                ratio.value,
                escape(&ratio.peer)
            ));
        }
        for ratio in floor_ratios(&runs) {
            let dx = if summary.is_empty() { "0" } else { "18" };
            let color = if ratio.value <= FLOOR_TARGET {
                "#2b8a3e"
            } else {
                "#c92a2a"
            };
            summary.push(format!(
                r#"<tspan dx="{dx}" fill="{color}">{} floor: {:.2}</tspan>"#,
                ratio.class.label(),
                ratio.value
            ));
        }
        for baseline in &report.python {
            let factor = python_factor(&runs, scenario, &baseline.ns_per_op);
            if factor.ends_with('×') {
                let dx = if summary.is_empty() { "0" } else { "18" };
                summary.push(format!(
                    r##"<tspan dx="{dx}" fill="#495057">{factor} faster than {}</tspan>"##,
                    escape(&baseline.implementation)
                ));
            }
        }
        let _ = writeln!(
            body,
            r#"<text x="{BAR_LEFT}" y="{y}" {FONT} font-size="13">{}</text>"#,
            summary.concat()
        );
        y += 8.0;
        let slowest = runs.iter().map(|m| m.per_op_ns()).fold(0.0_f64, f64::max);
        let mut previous_class: Option<Class> = None;
        for runtime in &runtimes {
            let Some(run) = runs.iter().find(|m| m.runtime == *runtime) else {
                continue;
            };
            let class = class_of(runtime);
            if previous_class.is_some_and(|c| c != class) {
                y += CLASS_GAP;
            }
            previous_class = Some(class);
            let value = run.per_op_ns();
            let length = if slowest > 0.0 {
                (value / slowest * BAR_MAX).max(1.5)
            } else {
                1.5
            };
            let per = if run.elements.is_some() {
                ""
            } else {
                " / iter"
            };
            let _ = writeln!(
                body,
                r##"<text x="{LABEL_RIGHT}" y="{}" {FONT} font-size="13" text-anchor="end" fill="#212529">{}</text><rect x="{BAR_LEFT}" y="{}" width="{length:.1}" height="{BAR_HEIGHT}" fill="{}"/><text x="{:.1}" y="{}" {FONT} font-size="12" fill="#212529">{}{per}</text>"##,
                y + 12.0,
                escape(runtime),
                y + 1.0,
                color_of(runtime),
                BAR_LEFT + length + 6.0,
                y + 12.0,
                human_time(value),
            );
            y += ROW;
        }
        y += SCENARIO_GAP - 8.0;
    }
    if report.measurements.is_empty() {
        y += 24.0;
        let _ = writeln!(
            body,
            r##"<text x="16" y="{y}" {FONT} font-size="14" fill="#c92a2a">No criterion results found: run `cargo xtask bench` first.</text>"##
        );
    }
    let height = y + 20.0;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n{body}</svg>\n"
    )
}

/// Each runtime with its color: floors grey, known runtimes their own, the
/// others the next free one of [`OTHER_COLORS`].
fn palette<'a>(runtimes: &[&'a str]) -> Vec<(&'a str, &'static str)> {
    let mut others = 0;
    runtimes
        .iter()
        .map(|runtime| {
            if is_floor(runtime) {
                return (*runtime, FLOOR_COLOR);
            }
            let color = KNOWN_COLORS
                .iter()
                .find(|(name, _)| name == runtime)
                .map(|(_, color)| *color)
                .unwrap_or_else(|| {
                    others += 1;
                    OTHER_COLORS[(others - 1) % OTHER_COLORS.len()]
                });
            (*runtime, color)
        })
        .collect()
}

/// Escapes text for an XML text node or attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b> & \"c\""), "a&lt;b&gt; &amp; &quot;c&quot;");
    }

    #[test]
    fn draws_one_bar_per_measurement_with_legend_and_labels() {
        let report = Report::fake();
        let svg = render(&report);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        let bars = svg.matches(&format!("height=\"{BAR_HEIGHT}\"")).count();
        assert_eq!(bars, report.measurements.len());
        // Each runtime appears in the legend with its color.
        for runtime in report.runtimes() {
            assert!(svg.contains(&format!(">{runtime}</text>")), "{runtime}");
        }
        assert!(svg.contains("fill=\"#d9480f\""));
        assert!(svg.contains(">spawn_many</text>"));
        assert!(svg.contains("1 thread: 0.70 vs smol-local"));
        assert!(
            svg.contains(r##"<tspan dx="18" fill="#2b8a3e">multi-thread: 0.79 vs smol</tspan>"##)
        );
        assert!(svg.contains(">61× faster than asyncio</tspan>"));
        assert!(svg.contains(">90.0 ns</text>"));
        assert!(svg.contains(">2.50 ms / iter</text>"));
    }

    #[test]
    fn the_slowest_runtime_spans_the_full_width() {
        let svg = render(&Report::fake());
        // spawn_many's slowest is tokio-mt at 471 ns.
        assert!(svg.contains(&format!("width=\"{BAR_MAX:.1}\"")));
        let corio_1w = 90.0 / 471.0 * BAR_MAX;
        assert!(svg.contains(&format!("width=\"{corio_1w:.1}\"")), "{svg}");
    }

    #[test]
    fn an_empty_report_says_what_to_do() {
        let svg = render(&Report::default());
        assert!(svg.contains("No criterion results found"));
        assert!(svg.contains("</svg>"));
    }

    #[test]
    fn floors_are_grey_and_summarised() {
        assert_eq!(
            palette(&[
                "epoll-raw-1w",
                "corio",
                "syscalls-1w",
                "custom",
                "epoll-raw"
            ]),
            [
                ("epoll-raw-1w", FLOOR_COLOR),
                ("corio", "#fd7e14"),
                ("syscalls-1w", FLOOR_COLOR),
                ("custom", OTHER_COLORS[0]),
                ("epoll-raw", FLOOR_COLOR)
            ]
        );
        let svg = render(&Report::fake_with_floors());
        for floor in ["epoll-raw-1w", "syscalls-1w", "epoll-raw"] {
            let bar = svg
                .lines()
                .find(|line| line.contains(&format!(">{floor}</text><rect")))
                .unwrap_or_else(|| panic!("no bar for {floor}"));
            assert!(bar.contains(&format!("fill=\"{FLOOR_COLOR}\"")), "{bar}");
        }
        assert!(svg.contains("Grey bars are floors"));
        assert!(svg.contains(r##"fill="#2b8a3e">1 thread floor: 1.04</tspan>"##));
        assert!(svg.contains(r##"fill="#c92a2a">multi-thread floor: 1.30</tspan>"##));
        let plain = render(&Report::fake());
        assert!(!plain.contains(FLOOR_COLOR));
        assert!(!plain.contains("floor"));
    }

    #[test]
    fn is_well_formed_xml_by_tag_balance() {
        let svg = render(&Report::fake());
        for tag in ["text", "tspan", "svg"] {
            let opens =
                svg.matches(&format!("<{tag} ")).count() + svg.matches(&format!("<{tag}>")).count();
            let closes = svg.matches(&format!("</{tag}>")).count();
            assert_eq!(opens, closes, "{tag}");
        }
    }
}
