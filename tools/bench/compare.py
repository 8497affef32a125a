#!/usr/bin/env python3
"""weft vs asio: run weft_runtime_bench and print the ratio per workload.

Benchmarks are named "<workload>/<runtime>[_<variant>]". Each weft entry is paired with
the asio entry of the same variant, else with the workload's only asio entry. Every
time is turned into nanoseconds per operation (real time / the "ops" counter), taken as
the median (or, with --stat min, the best) over repetitions. With several runs (--runs N,
or several --json files) times pool all repetitions, and the speedup is the median of the
per-run speedups with its range: on a shared machine that is steadier than any one run.

    tools/bench/compare.py                        # build/tools/bench/weft_runtime_bench
    tools/bench/compare.py --markdown             # a Markdown table for the README
    tools/bench/compare.py --json out.json        # reuse a saved --benchmark_format=json run
    tools/bench/compare.py --runs 4 --save run.json   # 4 runs, kept as run-1.json ... run-4.json
    tools/bench/compare.py -- --benchmark_min_time=0.5   # extra flags for the binary

Exit codes: 0 ok, 1 a target missed (only with --check), 2 bad usage or missing binary,
3 the benchmark failed or its output is not Google Benchmark JSON.
"""

import argparse
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys

DEFAULT_BINARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "tools", "bench",
                              "weft_runtime_bench")
DEFAULT_ARGS = ["--benchmark_min_time=0.2", "--benchmark_repetitions=3"]
NS_PER_UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# workload -> (what one op is, how to show it, minimum weft speedup over asio or None)
WORKLOADS = {
    "spawn_join": ("one task spawned + joined, 4-thread pool", "rate", 2.0),
    "await_chain": ("one level of a depth-1000 await chain, 1 thread", "ns", None),
    "ping_pong": ("one round trip between two single-thread executors", "ns", 2.0),
}
MEMORY_WORKLOAD = "spawn_memory"
MEMORY_OVERHEAD_TARGET_BYTES = 128


def fail(code, message):
    print(f"compare.py: {message}", file=sys.stderr)
    sys.exit(code)


def run_benchmark(binary, extra_args):
    if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
        fail(2, f"no benchmark binary at {binary} (build target weft_runtime_bench, or pass --binary)")
    cmd = [binary, "--benchmark_format=json"] + extra_args
    print("running: " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        fail(3, f"{os.path.basename(binary)} exited with {proc.returncode}")
    return proc.stdout


def parse(text, source):
    try:
        doc = json.loads(text)
        benchmarks = doc["benchmarks"]
    except (ValueError, KeyError, TypeError) as e:
        fail(3, f"{source} is not Google Benchmark JSON ({e})")
    runs = {}  # (workload, variant) -> list of entries, one per repetition
    for b in benchmarks:
        if b.get("run_type", "iteration") != "iteration" or "error_occurred" in b:
            continue
        parts = b.get("run_name", b["name"]).split("/")
        if len(parts) < 2:
            continue
        runs.setdefault((parts[0], parts[1]), []).append(b)
    if not runs:
        fail(3, f"{source} holds no workload/runtime benchmarks")
    return doc.get("context", {}), runs


def ns_per_op(entry):
    ops = entry.get("ops", 1.0) or 1.0
    return entry["real_time"] * NS_PER_UNIT.get(entry.get("time_unit", "ns"), 1.0) / ops


def summarise(entries, stat):
    values = [ns_per_op(e) for e in entries]
    return min(values) if stat == "min" else statistics.median(values)


def counter(entries, name):
    values = [e[name] for e in entries if name in e]
    return statistics.median(values) if values else None


def partner(workload, variant, variants):
    asio = sorted(v for v in variants if v.startswith("asio"))
    same = "asio" + variant[len("weft"):]
    if same in asio:
        return same
    return asio[0] if len(asio) == 1 else None


def show(ns, how):
    if how == "rate":
        return f"{1e3 / ns:.2f} M/s ({ns:.0f} ns)"
    return f"{ns / 1e3:.2f} µs" if ns >= 1e3 else f"{ns:.1f} ns"


def pooled(runs, key):
    return [e for run in runs for e in run.get(key, [])]


def build_rows(runs, stat):
    """runs: one dict per run, (workload, variant) -> entries."""
    keys = []
    for run in runs:
        keys += [k for k in run if k not in keys]  # in run order
    rows = []
    for workload, (what, how, target) in WORKLOADS.items():
        variants = [v for (w, v) in keys if w == workload]
        for variant in [v for v in variants if v.startswith("weft")]:
            other = partner(workload, variant, variants)
            weft_ns = summarise(pooled(runs, (workload, variant)), stat)
            asio_ns = summarise(pooled(runs, (workload, other)), stat) if other else None
            per_run = [summarise(r[(workload, other)], stat) / summarise(r[(workload, variant)], stat)
                       for r in runs if other and (workload, other) in r and (workload, variant) in r]
            speedup = statistics.median(per_run) if per_run else None
            shown = "-"
            if speedup:
                shown = f"{speedup:.2f}×"
                if len(per_run) > 1:
                    shown += f" ({min(per_run):.2f}–{max(per_run):.2f})"
            verdict = ""
            if target is not None and speedup is not None:
                verdict = f"≥{target:g}× " + ("met" if speedup >= target else "MISSED")
            rows.append({
                "workload": workload, "op": what, "weft": variant, "weft_value": show(weft_ns, how),
                "asio": other or "-", "asio_value": show(asio_ns, how) if asio_ns else "-",
                "speedup": shown, "target": verdict, "missed": verdict.endswith("MISSED"),
            })
    return rows


def num(x):
    return "?" if x is None else f"{x:.0f}"


def memory_rows(runs):
    weft = pooled(runs, (MEMORY_WORKLOAD, "weft"))
    asio = pooled(runs, (MEMORY_WORKLOAD, "asio"))
    rows = []
    if weft:
        frame = counter(weft, "frame_bytes")
        bare = counter(weft, "bare_frame_bytes")
        overhead = counter(weft, "overhead_bytes")
        promise = counter(weft, "sizeof_promise")
        allocated = counter(weft, "allocated_frame_bytes")
        heap = counter(weft, "heap_bytes_per_task")
        calls = counter(weft, "new_calls_per_task")

        def verdict(extra):
            ok = extra is not None and extra <= MEMORY_OVERHEAD_TARGET_BYTES
            return f"≤{MEMORY_OVERHEAD_TARGET_BYTES} B " + ("met" if ok else "MISSED")

        rows.append(("weft frame of a trivial spawned task (as the compiler asks)",
                     f"{num(frame)} B (promise {num(promise)} B)", ""))
        rows.append(("bare coroutine frame, same body", f"{num(bare)} B", ""))
        rows.append(("weft overhead beyond the bare frame", f"{num(overhead)} B", verdict(overhead)))
        if allocated is not None and bare is not None:
            rows.append(("weft frame as its allocator takes it (size-class rounding)",
                         f"{num(allocated)} B, {num(allocated - bare)} B beyond the bare frame",
                         verdict(allocated - bare)))
        rows.append(("weft heap per queued task", f"{num(heap)} B in {num(calls)} allocation(s)", ""))
    if asio:
        heap_asio = counter(asio, "heap_bytes_per_task")
        ratio = ""
        heap_weft = counter(weft, "heap_bytes_per_task") if weft else None
        if heap_weft and heap_asio:
            ratio = f"weft uses {heap_asio / heap_weft:.1f}× less"
        rows.append(("asio heap per queued co_spawn", f"{num(heap_asio)} B", ratio))
    return rows


def legend(stat, n_runs):
    runs = f" of {n_runs} runs" if n_runs > 1 else ""
    per_run = ", the median of the per-run values (range)" if n_runs > 1 else ""
    return f"{stat} time over the repetitions{runs}; speedup = asio time / weft time{per_run}"


def context_line(context):
    keys = [("num_cpus", "CPUs"), ("mhz_per_cpu", "MHz"), ("library_build_type", "libbenchmark build")]
    parts = [f"{context[k]} {label}" for k, label in keys if k in context]
    if "load_avg" in context:
        parts.append("load " + " ".join(f"{x:.2f}" for x in context["load_avg"]))
    return ", ".join(parts)


def print_text(rows, mem, context, stat, n_runs):
    print(f"weft vs asio: {legend(stat, n_runs)}")
    if context:
        print(context_line(context))
    header = ["workload", "weft", "time/op", "asio", "time/op", "speedup", "target"]
    table = [[r["workload"], r["weft"], r["weft_value"], r["asio"], r["asio_value"], r["speedup"], r["target"]]
             for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table)]
    for line in [header] + table:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip())
    if mem:
        print()
        w = max(len(m[0]) for m in mem)
        for name, value, note in mem:
            print(f"{name.ljust(w)}  {value}  {note}".rstrip())


def print_markdown(rows, mem, stat, n_runs):
    print("| workload: one op | weft | weft time/op | asio | asio time/op | weft speedup | target |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['workload']}: {r['op']} | `{r['weft']}` | {r['weft_value']} | `{r['asio']}` | "
              f"{r['asio_value']} | **{r['speedup']}** | {r['target']} |")
    if mem:
        print()
        print("| memory per spawned task | bytes | target / note |")
        print("|---|---|---|")
        for name, value, note in mem:
            print(f"| {name} | {value} | {note} |")
    print()
    print(f"_{legend(stat, n_runs)}; > 1 means weft is faster._")


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `compare.py | head` ends quietly
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=DEFAULT_BINARY, help="path to weft_runtime_bench")
    ap.add_argument("--json", metavar="FILE", nargs="+",
                    help="read saved --benchmark_format=json outputs (one per run) instead of running")
    ap.add_argument("--runs", type=int, default=1, help="run the binary this many times (default 1)")
    ap.add_argument("--save", metavar="FILE", help="also write the raw JSON here (FILE-k.json per run)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--stat", choices=["median", "min"], default="median", help="how to combine repetitions")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("bench_args", nargs="*", help="after --: flags for the benchmark binary")
    args = ap.parse_args()

    if args.runs < 1:
        fail(2, "--runs needs a positive count")
    texts = []  # (source, text)
    if args.json:
        for path in args.json:
            try:
                with open(path, encoding="utf-8") as f:
                    texts.append((path, f.read()))
            except OSError as e:
                fail(2, f"cannot read {path}: {e.strerror}")
    else:
        for k in range(args.runs):
            text = run_benchmark(os.path.normpath(args.binary), args.bench_args or DEFAULT_ARGS)
            texts.append((f"run {k + 1}", text))
    if args.save:
        root, ext = os.path.splitext(args.save)
        for k, (_, text) in enumerate(texts):
            path = args.save if len(texts) == 1 else f"{root}-{k + 1}{ext or '.json'}"
            try:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            except OSError as e:
                fail(2, f"cannot write {path}: {e.strerror}")

    parsed = [parse(text, source) for source, text in texts]
    context = parsed[-1][0]
    runs = [r for _, r in parsed]
    rows = build_rows(runs, args.stat)
    mem = memory_rows(runs)
    if args.markdown:
        print_markdown(rows, mem, args.stat, len(runs))
    else:
        print_text(rows, mem, context, args.stat, len(runs))
    missed = any(r["missed"] for r in rows) or any(m[2].endswith("MISSED") for m in mem)
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
