//! Running one scenario on every runtime as a criterion group.

use criterion::measurement::WallTime;
use criterion::{Bencher, BenchmarkGroup, Criterion, SamplingMode, Throughput};

use crate::{Runtime, RuntimeVisitor, visit_runtimes};

/// The criterion runner every bench file uses: command-line options as usual,
/// but without criterion's own plots unless `--plotting-backend plotters` (or
/// `gnuplot`) asks for them.
///
/// The plots cost about two seconds per benchmark, more than a quick
/// measurement, and the suite's report draws its own chart from the
/// `estimates.json` files, which criterion writes either way.
pub fn criterion() -> Criterion {
    Criterion::default().without_plots().configure_from_args()
}

/// One bench scenario: the same work, written once for every runtime.
pub trait Scenario {
    /// The criterion group name, which the report shows as the scenario.
    const NAME: &'static str;

    /// Operations in one measured iteration (one of the `*_OPS` constants).
    const OPS: u64;

    /// Whether one iteration takes milliseconds: such scenarios sample with
    /// a fixed iteration count, so a quick run stays quick.
    const SLOW: bool = false;

    /// Whether the group also measures corio with eager task start
    /// (`corio-eager`, `corio-eager-1w`), for scenarios that spawn.
    const EAGER: bool = false;

    /// Measures one batch of the scenario per iteration on `runtime`.
    fn bench<R: Runtime>(runtime: &R, bencher: &mut Bencher<'_>);
}

/// Runs scenario `S` on every runtime, as the criterion group `S::NAME`
/// with one function per runtime.
pub fn bench_scenario<S: Scenario>(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group(S::NAME);
    group.throughput(Throughput::Elements(S::OPS));
    if S::SLOW {
        group.sampling_mode(SamplingMode::Flat);
    }
    let mut visitor = OnEveryRuntime::<S> {
        group: &mut group,
        scenario: std::marker::PhantomData,
    };
    visit_runtimes(&mut visitor);
    if S::EAGER {
        visitor.visit("corio-eager", || {
            crate::Corio::start_eager("corio-eager", 2)
        });
        visitor.visit("corio-eager-1w", || {
            crate::Corio::start_eager("corio-eager-1w", 1)
        });
    }
    group.finish();
}

/// Adds one benchmark function per runtime to a group.
struct OnEveryRuntime<'g, 'c, S> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    scenario: std::marker::PhantomData<S>,
}

impl<S: Scenario> RuntimeVisitor for OnEveryRuntime<'_, '_, S> {
    fn visit<R: Runtime>(&mut self, name: &'static str, start: fn() -> R) {
        // Started on first use, so a filtered-out function starts nothing,
        // and dropped (threads stopped) before the next runtime starts.
        let mut runtime: Option<R> = None;
        self.group.bench_function(name, |bencher| {
            let runtime = runtime.get_or_insert_with(start);
            S::bench(runtime, bencher);
        });
    }
}
