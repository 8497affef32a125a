#!/usr/bin/env python3
"""weft vs asio: run weft_runtime_bench and print the ratio per workload.

Benchmarks are named "<workload>/<runtime>[_<variant>]". Each weft entry is paired with
the asio entry of the same variant, else with the workload's only asio entry. Every
time is turned into nanoseconds per operation (real time / the "ops" counter), taken as
the median (or, with --stat min, the best) over repetitions.

    tools/bench/compare.py                        # build/tools/bench/weft_runtime_bench
    tools/bench/compare.py --markdown             # a Markdown table for the README
    tools/bench/compare.py --json out.json        # reuse a saved --benchmark_format=json run
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


def build_rows(runs, stat):
    rows = []
    for workload, (what, how, target) in WORKLOADS.items():
        variants = {v: e for (w, v), e in runs.items() if w == workload}
        for variant in [v for v in variants if v.startswith("weft")]:  # in run order
            weft_ns = summarise(variants[variant], stat)
            other = partner(workload, variant, variants)
            asio_ns = summarise(variants[other], stat) if other else None
            speedup = asio_ns / weft_ns if asio_ns else None
            verdict = ""
            if target is not None and speedup is not None:
                verdict = f"≥{target:g}× " + ("met" if speedup >= target else "MISSED")
            rows.append({
                "workload": workload, "op": what, "weft": variant, "weft_value": show(weft_ns, how),
                "asio": other or "-", "asio_value": show(asio_ns, how) if asio_ns else "-",
                "speedup": f"{speedup:.2f}×" if speedup else "-", "target": verdict,
                "missed": verdict.endswith("MISSED"),
            })
    return rows


def memory_rows(runs):
    weft = runs.get((MEMORY_WORKLOAD, "weft"))
    asio = runs.get((MEMORY_WORKLOAD, "asio"))
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
                     f"{frame:.0f} B (promise {promise:.0f} B)", ""))
        rows.append(("bare coroutine frame, same body", f"{bare:.0f} B", ""))
        rows.append(("weft overhead beyond the bare frame", f"{overhead:.0f} B", verdict(overhead)))
        if allocated is not None:
            rows.append(("weft frame as its allocator takes it (size-class rounding)",
                         f"{allocated:.0f} B, {allocated - bare:.0f} B beyond the bare frame",
                         verdict(allocated - bare)))
        rows.append(("weft heap per queued task", f"{heap:.0f} B in {calls:.0f} allocation(s)", ""))
    if asio:
        heap_asio = counter(asio, "heap_bytes_per_task")
        ratio = ""
        heap_weft = counter(weft, "heap_bytes_per_task") if weft else None
        if heap_weft and heap_asio:
            ratio = f"weft uses {heap_asio / heap_weft:.1f}× less"
        rows.append(("asio heap per queued co_spawn", f"{heap_asio:.0f} B", ratio))
    return rows


def context_line(context):
    keys = [("num_cpus", "CPUs"), ("mhz_per_cpu", "MHz"), ("library_build_type", "libbenchmark build")]
    parts = [f"{context[k]} {label}" for k, label in keys if k in context]
    if "load_avg" in context:
        parts.append("load " + " ".join(f"{x:.2f}" for x in context["load_avg"]))
    return ", ".join(parts)


def print_text(rows, mem, context, stat):
    print(f"weft vs asio ({stat} over repetitions; speedup = asio time / weft time)")
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


def print_markdown(rows, mem, stat):
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
    print(f"_{stat} over repetitions; speedup = asio time / weft time, > 1 means weft is faster._")


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `compare.py | head` ends quietly
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=DEFAULT_BINARY, help="path to weft_runtime_bench")
    ap.add_argument("--json", metavar="FILE", help="read a saved --benchmark_format=json output instead of running")
    ap.add_argument("--save", metavar="FILE", help="also write the raw JSON here")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--stat", choices=["median", "min"], default="median", help="how to combine repetitions")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("bench_args", nargs="*", help="after --: flags for the benchmark binary")
    args = ap.parse_args()

    if args.json:
        try:
            with open(args.json, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            fail(2, f"cannot read {args.json}: {e.strerror}")
        source = args.json
    else:
        text = run_benchmark(os.path.normpath(args.binary), args.bench_args or DEFAULT_ARGS)
        source = "the benchmark output"
    if args.save:
        try:
            with open(args.save, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            fail(2, f"cannot write {args.save}: {e.strerror}")

    context, runs = parse(text, source)
    rows = build_rows(runs, args.stat)
    mem = memory_rows(runs)
    if args.markdown:
        print_markdown(rows, mem, args.stat)
    else:
        print_text(rows, mem, context, args.stat)
    missed = any(r["missed"] for r in rows) or any(m[2].endswith("MISSED") for m in mem)
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
