"""CPython baseline for the corio bench suite.

Runs the scenarios the suite shares with Python's asyncio (spawn_many,
ping_pong, yield_many, timers) on asyncio's default event loop and, when
it is importable, on uvloop; prints a table and writes JSON of the form

    {"asyncio": {"spawn_many": ns_per_op, ...}, "uvloop": {...}}

with the median over a few runs of nanoseconds per operation. The batch
sizes and what counts as one operation match benches/src/lib.rs.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time

SPAWN_MANY_OPS = 10_000
YIELD_MANY_TASKS = 1_000
YIELD_MANY_YIELDS = 200
PING_PONG_OPS = 10_000
TIMERS_OPS = 10_000
TIMERS_MAX_SLEEP_US = 5_000
TIMERS_SEED = 0x0C0F_FEE0_D15E_A5E5

MASK = (1 << 64) - 1


def sleep_plan(count, max_us, seed):
    """The same SplitMix64 durations (in seconds) as the Rust suite."""
    state = seed
    plan = []
    for _ in range(count):
        state = (state + 0x9E37_79B9_7F4A_7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB) & MASK
        z ^= z >> 31
        plan.append((z % (max_us + 1)) / 1_000_000)
    return plan


async def trivial(i):
    return i


async def spawn_many():
    """Create and await SPAWN_MANY_OPS trivial tasks; ns per task."""
    start = time.perf_counter_ns()
    tasks = [asyncio.create_task(trivial(i)) for i in range(SPAWN_MANY_OPS)]
    for task in tasks:
        await task
    return (time.perf_counter_ns() - start) / SPAWN_MANY_OPS


async def yielder():
    for _ in range(YIELD_MANY_YIELDS):
        await asyncio.sleep(0)


async def yield_many():
    """YIELD_MANY_TASKS tasks each yielding YIELD_MANY_YIELDS times; ns per yield."""
    start = time.perf_counter_ns()
    tasks = [asyncio.create_task(yielder()) for _ in range(YIELD_MANY_TASKS)]
    for task in tasks:
        await task
    return (time.perf_counter_ns() - start) / (YIELD_MANY_TASKS * YIELD_MANY_YIELDS)


async def ping_pong():
    """Two tasks waking each other through asyncio.Event; ns per handoff."""
    rounds = PING_PONG_OPS // 2
    ping, pong = asyncio.Event(), asyncio.Event()

    async def echo():
        for _ in range(rounds):
            await ping.wait()
            ping.clear()
            pong.set()

    async def serve():
        for _ in range(rounds):
            ping.set()
            await pong.wait()
            pong.clear()

    start = time.perf_counter_ns()
    echoing = asyncio.create_task(echo())
    serving = asyncio.create_task(serve())
    await serving
    await echoing
    return (time.perf_counter_ns() - start) / PING_PONG_OPS


async def timers(plan=sleep_plan(TIMERS_OPS, TIMERS_MAX_SLEEP_US, TIMERS_SEED)):
    """Tasks sleeping 0-5 ms; (time to all done - longest sleep) per timer."""
    longest_ns = max(plan) * 1e9
    start = time.perf_counter_ns()
    tasks = [asyncio.create_task(asyncio.sleep(d)) for d in plan]
    for task in tasks:
        await task
    elapsed = time.perf_counter_ns() - start
    return max(elapsed - longest_ns, 0) / TIMERS_OPS


SCENARIOS = {
    "spawn_many": spawn_many,
    "ping_pong": ping_pong,
    "yield_many": yield_many,
    "timers": timers,
}


def measure(loop_factory, runs):
    """Median ns per operation of every scenario on loops from loop_factory."""
    results = {}
    loop = loop_factory()
    try:
        for name, scenario in SCENARIOS.items():
            loop.run_until_complete(scenario())  # warm-up
            samples = [loop.run_until_complete(scenario()) for _ in range(runs)]
            results[name] = round(statistics.median(samples), 1)
    finally:
        loop.close()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (median)")
    parser.add_argument("--out", help="write the JSON here as well as to stdout")
    args = parser.parse_args()

    loops = {"asyncio": asyncio.new_event_loop}
    try:
        import uvloop

        loops["uvloop"] = uvloop.new_event_loop
    except ImportError:
        print("uvloop is not installed: measuring asyncio only", file=sys.stderr)

    report = {}
    for loop_name, factory in loops.items():
        report[loop_name] = measure(factory, args.runs)
        cells = "  ".join(f"{k} {v:,.0f}" for k, v in report[loop_name].items())
        print(f"{loop_name:8} ns/op: {cells}", file=sys.stderr)

    text = json.dumps(report, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
