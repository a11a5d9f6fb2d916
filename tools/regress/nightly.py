#!/usr/bin/env python3
"""The nightly regression: every network of vectors/networks and a sample of random layers.

Each network is one co-simulation `SIM --network NAME` with the full scoreboard (named layer
tests with --tests instead, or as well); random layers are `SIM --test random --seed N`. They run
in parallel with a wall-clock limit each (a run past it is killed and reported as a timeout).
Writes into OUT:
  junit.xml, results.csv      one case per run
  summary.md                  per network: instructions, cycles, MAC utilization, frames per second
                              at 2 GHz, simulated cycles per second, wall time, peak memory, and
                              the whole-program performance model's cycles (nna_perf) with their
                              error against the RTL's
  <name>_layers.dat/.png      per compute instruction of each network: cycles and MAC
                              utilization, the plot drawn with gnuplot
  causes.dat/.png             per network: its cycles by cause (the table in summary.md), a
                              stacked bar each
Exit code 0 only if every run passed.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

from runner import CAUSES, Job, add_run_args, check_run_args, fmt_time, run_all, summary_line, write_csv, write_junit

CLOCK_HZ = 2e9  # the paper's NNA clock


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_args(p, default_timeout=7200)
    p.add_argument("--vectors", default="vectors", help="folder of test descriptions (networks in <vectors>/networks)")
    p.add_argument("--networks", default=None,
                   help="comma-separated networks; default every <vectors>/networks/*.yaml, 'none' for none")
    p.add_argument("--tests", default="", help="comma-separated named layer tests to run as well")
    p.add_argument("--random", type=int, default=0, help="random layers (TEST=random), seeds 1..N")
    p.add_argument("--perf", default=None,
                   help="nna_perf, for the whole-program model's column (default: tools/nna_perf/nna_perf of the "
                        "simulator's build folder)")
    a = p.parse_args()
    check_run_args(p, a)
    if a.random < 0:
        p.error("--random must be non-negative")
    return a


def make_jobs(a):
    extra = a.sim_args.split()
    if a.networks is None:
        nets = sorted(os.path.splitext(os.path.basename(f))[0] for f in glob.glob(os.path.join(a.vectors, "networks", "*.yaml")))
    else:
        nets = [] if a.networks == "none" else [n for n in a.networks.split(",") if n]
    args = f' ARGS="{a.sim_args}"' if extra else ""
    jobs = [Job(key=n, label=n, args=["--network", n, "--vectors", a.vectors, "--quiet"] + extra,
                reproduce=f"make sim TEST={n} CONFIG={a.config}{args}") for n in nets]
    jobs += [Job(key=t, label=t, args=["--test", t, "--vectors", a.vectors, "--quiet"] + extra,
                 reproduce=f"make sim TEST={t} CONFIG={a.config}{args}") for t in a.tests.split(",") if t]
    jobs += [Job(key=f"random_{s}", label=f"random seed {s}",
                 args=["--test", "random", "--seed", str(s), "--quiet", "--max-perf-error", "2"] + extra,
                 reproduce=f"make sim TEST=random SEED={s} CONFIG={a.config}{args}") for s in range(1, a.random + 1)]
    return jobs


WHOLE_PROGRAM = re.compile(r"^whole program: (\d+) cycles", re.M)


def perf_path(a):
    return a.perf or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(a.sim))), "tools", "nna_perf", "nna_perf")


def model_cycles(a, r):
    """The whole-program performance model's cycles for the run's bundle (nna_perf --bundle), with the
    run's DRAM latency, or a short reason why there are none."""
    extra = a.sim_args.split()
    if "--dram-bandwidth" in extra:
        return "no model: DRAM bandwidth limit"
    bundle = os.path.join(os.path.dirname(r["verdict"]), "bundle")
    perf = perf_path(a)
    if not os.path.isdir(bundle) or not os.path.exists(perf):
        return "no model: " + ("no bundle" if not os.path.isdir(bundle) else "no nna_perf")
    cmd = [perf, "--bundle", bundle]
    if "--dram-latency" in extra:
        cmd += ["--dram-latency", extra[extra.index("--dram-latency") + 1]]
    res = subprocess.run(cmd, text=True, capture_output=True)
    m = WHOLE_PROGRAM.search(res.stdout)
    if res.returncode != 0 or not m:
        return "no model: nna_perf failed"
    return int(m.group(1))


def model_columns(r):
    """The summary's model cycles and error (model - RTL) / RTL."""
    m = r.get("model_cycles")
    if isinstance(m, int) and r.get("cycles"):
        return f"{m:,} | {100 * (m - r['cycles']) / r['cycles']:+.2f}%"
    return f"{m or ''} | "


def layer_names(run_dir):
    """Instruction index -> the name the bundle gives it (program.lst's second column)."""
    names = {}
    for path in glob.glob(os.path.join(run_dir, "bundle*", "program.lst")):
        with open(path) as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if len(cols) >= 2 and cols[0].isdigit():
                    names.setdefault(int(cols[0]), cols[1])
    return names


def plot_layers(a, r):
    """<out>/<key>_layers.dat and, when gnuplot is there, <key>_layers.png."""
    if not r.get("instrs"):
        return None
    names = layer_names(os.path.dirname(r["verdict"]))
    dat = os.path.join(a.out, f"{r['key']}_layers.dat")
    with open(dat, "w") as f:
        f.write("# instr\tname\top\tcycles\tmac_utilization_pct\n")
        for i in r["instrs"]:
            name = names.get(i["index"], "")
            f.write(f"{i['index']}\t{i['index']} {i['op']} {name}\t{i['op']}\t{i['cycles']}\t{i['utilization']}\n")
    if not shutil.which("gnuplot"):
        return dat
    png = os.path.join(a.out, f"{r['key']}_layers.png")
    width = max(800, 14 * len(r["instrs"]) + 200)
    script = f"""
set terminal pngcairo size {width},480 noenhanced
set datafile separator "\\t"
set output '{png}'
set title "{r['key']} on {a.config}: MAC utilization per compute instruction ({r.get('utilization', 0):.1f}% over the run)"
set ylabel "MAC utilization (%)"
set yrange [0:100]
set style fill solid 0.6
set boxwidth 0.8
set xtics rotate by 90 right font ",8"
set grid ytics
plot '{dat}' using 0:5:xtic(2) with boxes notitle
"""
    res = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if res.returncode != 0:  # no cairo: the plain png terminal
        res = subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png"), text=True, capture_output=True)
    if res.returncode != 0:
        print(f"nightly: gnuplot failed for {r['key']}: {res.stderr.strip()}", file=sys.stderr)
        return dat
    return png


# The columns of the cause table: what a network's cycles went to, from the RTL's counters.
CAUSE_COLUMNS = (("ideal", "ideal: useful MACs / (M*N)"),
                 ("idle_macs", "MAC cycles beyond ideal (partial tiles, ELTWISE)"),
                 ("w_acts", "waiting for activations"),
                 ("w_wts", "waiting for weights"),
                 ("w_unload", "waiting to unload"),
                 ("fill_drain", "fill and drain"),
                 ("outside", "no compute instruction running"))


def causes(r):
    """A network's cycles split by CAUSE_COLUMNS (they sum to its cycles), or None without the
    per-instruction counters. Inside compute instructions the RTL's columns (runner.CAUSES);
    outside them, the cycles in which none ran (DMA and flag waits, the program load)."""
    instrs = r.get("instrs") or []
    if not r.get("cycles") or not instrs or any(c not in i for i in instrs for c in CAUSES):
        return None
    # The network's useful MACs (the bundle's, which leave out the array's work for pools and
    # adds); summed over the instructions only where the verdict does not give them.
    ideal = (r["macs"] / r["cells"] if "macs" in r and "cells" in r else
             sum(i["cycles"] * i["utilization"] / 100 for i in instrs))
    sums = {c: sum(i[c] for i in instrs) for c in CAUSES}
    return {"bound": sums["mac"], "ideal": ideal, "idle_macs": sums["mac"] - ideal, "w_acts": sums["w_acts"], "w_wts": sums["w_wts"],
            "w_unload": sums["w_unload"], "fill_drain": sums["fill"] + sums["drain"],
            "outside": r["cycles"] - sum(i["cycles"] for i in instrs)}


def plot_causes(a, rows):
    """<out>/causes.dat and, with gnuplot, causes.png: a stacked bar of cycles by cause per network."""
    rows = [(r["key"], c) for r in rows if (c := causes(r))]
    if not rows:
        return None
    dat = os.path.join(a.out, "causes.dat")
    with open(dat, "w") as f:
        f.write("network\t" + "\t".join(k for k, _ in CAUSE_COLUMNS) + "\n")
        for key, c in rows:
            f.write(key + "\t" + "\t".join(f"{c[k] / 1e6:.6f}" for k, _ in CAUSE_COLUMNS) + "\n")
    if not shutil.which("gnuplot"):
        return dat
    png = os.path.join(a.out, "causes.png")
    n = len(CAUSE_COLUMNS)
    script = f"""
set terminal pngcairo size 1000,520 noenhanced
set datafile separator "\\t"
set output '{png}'
set title "Cycles by cause on {a.config} (RTL counters)"
set ylabel "million cycles"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set key outside right top vertical
set xtics rotate by 30 right
set grid ytics
plot for [col=2:{n + 1}] '{dat}' using col:xtic(1) title columnheader(col)
"""
    res = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if res.returncode != 0:
        res = subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png"), text=True, capture_output=True)
    if res.returncode != 0:
        print(f"nightly: gnuplot failed for the causes plot: {res.stderr.strip()}", file=sys.stderr)
        return dat
    return png


def write_causes(f, a, rows):
    table = [(r["key"], r["cycles"], c) for r in rows if (c := causes(r))]
    if not table:
        return
    plot = plot_causes(a, rows)
    f.write("\nCycles by cause (from the RTL's counters of each compute instruction; the causes sum to the "
            "cycles; the tiling bound is the cycles the array computes, ideal + MAC cycles beyond it, and its "
            "utilization the best the program's tiling allows; plot: " + os.path.basename(plot or "") + "):\n\n")
    f.write("| run | cycles | tiling bound (utilization) | " + " | ".join(title for _, title in CAUSE_COLUMNS) + " |\n")
    f.write("|---|---:|---:|" + "---:|" * len(CAUSE_COLUMNS) + "\n")
    for key, cyc, c in table:
        bound = f"{c['bound']:,} ({100 * c['ideal'] / c['bound']:.1f}%)" if c["bound"] else "0"
        f.write(f"| `{key}` | {cyc:,} | {bound} | "
                + " | ".join(f"{c[k]:,.0f} ({100 * c[k] / cyc:.1f}%)" for k, _ in CAUSE_COLUMNS) + " |\n")


def write_summary(a, results, wall, path):
    rows = [r for r in results if not r["key"].startswith("random_")]
    randoms = [r for r in results if r["key"].startswith("random_")]
    with open(path, "w") as f:
        f.write(f"# Nightly on {a.config}: {sum(r['status'] == 'pass' for r in results)} of {len(results)} runs pass, "
                f"{fmt_time(wall)} wall on {a.jobs} jobs\n\n")
        f.write("| run | status | instructions | cycles | model cycles | model error | MAC utilization | frames/s at 2 GHz "
                "| sim cycles/s | wall | peak memory | plot |\n")
        f.write("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            cyc = r.get("cycles")
            fps = f"{CLOCK_HZ / cyc:,.0f}" if cyc else ""
            plot = os.path.basename(r["plot"]) if r.get("plot") else ""
            f.write(f"| `{r['key']}` | {r['status']} | {r.get('instructions', '')} | {cyc:,} | {model_columns(r)} | "
                    f"{r.get('utilization', '')}% | {fps} | {r.get('cycles_per_s', 0):,} | {r['seconds']:.1f} s | "
                    f"{r['peak_mb']:.0f} MB | {plot} |\n"
                    if cyc else
                    f"| `{r['key']}` | {r['status']} | | | | | | | | {r['seconds']:.1f} s | {r['peak_mb']:.0f} MB | |\n")
        write_causes(f, a, rows)
        if randoms:
            ok = [r for r in randoms if r["status"] == "pass" and "utilization" in r]
            mean = sum(r["utilization"] for r in ok) / len(ok) if ok else 0
            f.write(f"\nRandom layers: {len(ok)} of {len(randoms)} pass, mean MAC utilization {mean:.1f}%, "
                    f"{sum(r['seconds'] for r in randoms):.1f} s of runs.\n")
        bad = [r for r in results if r["status"] != "pass"]
        if bad:
            f.write("\nNot passing:\n\n")
            for r in bad:
                f.write(f"- `{r['key']}`: {r['status']}; reproduce: `{r['reproduce']}` (verdict: {r['verdict']})\n")


def main():
    a = parse_args()
    jobs = make_jobs(a)
    if not jobs:
        print("nightly: nothing to run (no networks, tests or random layers)", file=sys.stderr)
        return 2
    title = f"nightly {a.config}"
    results, wall = run_all(a.sim, jobs, a.out, a.jobs, a.timeout, title)
    for r in results:
        if not r["key"].startswith("random_") and r["status"] == "pass":
            r["plot"] = plot_layers(a, r)
            r["model_cycles"] = model_cycles(a, r)
    junit = os.path.join(a.out, "junit.xml")
    write_junit(junit, f"nightly.{a.config}", results, wall)
    write_csv(os.path.join(a.out, "results.csv"), results, "run")
    summary = os.path.join(a.out, "summary.md")
    write_summary(a, results, wall, summary)
    with open(summary) as f:
        print(f.read())
    print(summary_line(title, results, wall, a.jobs, junit))
    return 0 if all(r["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
