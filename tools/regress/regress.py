#!/usr/bin/env python3
"""Runs one simulator over many seeds in parallel: the random-layer and random-SIMD regressions.

Each seed is one co-simulation `SIM --test TEST --seed N --out OUT/N --quiet`; its exit code
classifies it (0 pass, 1 fail, 2 bad input, 3 cycle timeout) and a wall-clock limit catches hangs.
Writes OUT/junit.xml and OUT/results.csv, prints one progress line per finished run, the command
that reproduces every failure, and a one-line summary. Exit code 0 only if every run passed.
"""
import argparse
import concurrent.futures
import csv
import os
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

EXIT_STATUS = {0: "pass", 1: "fail", 2: "bad input", 3: "timeout"}
VERDICT_TEST = re.compile(r"^nna sim\s+test (\S+)", re.M)
VERDICT_CYCLES = re.compile(r"^\s+cycles (\d+)\s+mac-active \d+ \([\d.]+%\)\s+MAC utilization ([\d.]+)%", re.M)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--name", default="regress-layers", help="name of the regression in the report")
    p.add_argument("--sim", required=True, help="simulator binary (build/tb/nna_sim_<config>)")
    p.add_argument("--config", required=True, help="hardware configuration the simulator is built for")
    p.add_argument("--test", default="random", help="test the simulator draws from each seed: random or random_simd")
    p.add_argument("--count", type=int, default=100, help="number of seeds")
    p.add_argument("--first-seed", type=int, default=1, help="first seed; seeds are consecutive")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs in parallel")
    p.add_argument("--timeout", type=float, default=900, help="wall-clock seconds per run before it counts as a hang")
    p.add_argument("--out", required=True, help="folder for the runs, junit.xml and results.csv")
    p.add_argument("--sim-args", default="", help="extra simulator arguments, space separated")
    a = p.parse_args()
    if a.count < 1 or a.jobs < 1 or a.timeout <= 0 or a.first_seed < 0:
        p.error("--count and --jobs must be at least 1, --timeout positive, --first-seed non-negative")
    if not os.access(a.sim, os.X_OK):
        p.error(f"the simulator {a.sim} does not exist or is not executable (build it first)")
    return a


def run_one(a, seed):
    out = os.path.join(a.out, "runs", str(seed))
    os.makedirs(out, exist_ok=True)
    cmd = [a.sim, "--test", a.test, "--seed", str(seed), "--out", out, "--quiet"] + a.sim_args.split()
    t0 = time.monotonic()
    # A process group of its own, so a hang is killed with everything it started.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        text, _ = proc.communicate(timeout=a.timeout)
        status = EXIT_STATUS.get(proc.returncode, f"exit {proc.returncode}")
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        text, _ = proc.communicate()
        text += f"\nkilled after {a.timeout:.0f} s of wall clock (--timeout)\n"
        status = "hang"
    seconds = time.monotonic() - t0
    with open(os.path.join(out, "verdict.txt"), "w") as f:
        f.write(text)
    name = VERDICT_TEST.search(text)
    cycles = VERDICT_CYCLES.search(text)
    return {
        "seed": seed,
        "status": status,
        "name": name.group(1) if name else f"{a.test} seed {seed}",
        "cycles": int(cycles.group(1)) if cycles else "",
        "utilization": float(cycles.group(2)) if cycles else "",
        "seconds": seconds,
        "text": text,
    }


def reproduce(a, seed):
    args = f' ARGS="{a.sim_args}"' if a.sim_args.strip() else ""
    return f"make sim TEST={a.test} CONFIG={a.config} SEED={seed}{args}"


def write_junit(a, results, wall):
    suite = ET.Element("testsuite", name=f"{a.name}.{a.config}", tests=str(len(results)),
                       failures=str(sum(r["status"] == "fail" for r in results)),
                       errors=str(sum(r["status"] not in ("pass", "fail") for r in results)),
                       skipped="0", time=f"{wall:.1f}")
    for r in sorted(results, key=lambda r: r["seed"]):
        case = ET.SubElement(suite, "testcase", classname=f"{a.name}.{a.config}",
                             name=f"seed {r['seed']}: {r['name']}", time=f"{r['seconds']:.2f}")
        if r["status"] != "pass":
            tag = "failure" if r["status"] == "fail" else "error"
            node = ET.SubElement(case, tag, type=r["status"],
                                 message=f"{r['status']}; reproduce: {reproduce(a, r['seed'])}")
            node.text = r["text"][-4000:]
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(os.path.join(a.out, "junit.xml"), encoding="utf-8", xml_declaration=True)


def write_csv(a, results):
    with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seed", "status", "test", "cycles", "mac_utilization_pct", "wall_s"])
        for r in sorted(results, key=lambda r: r["seed"]):
            w.writerow([r["seed"], r["status"], r["name"], r["cycles"], r["utilization"], f"{r['seconds']:.2f}"])


def fmt_time(s):
    return f"{int(s // 60)}m{int(s % 60):02d}s"


def main():
    a = parse_args()
    os.makedirs(a.out, exist_ok=True)
    seeds = range(a.first_seed, a.first_seed + a.count)
    results, lock, t0 = [], threading.Lock(), time.monotonic()
    width = len(str(a.count))
    print(f"{a.name} {a.config}: {a.count} seeds from {a.first_seed}, {a.jobs} in parallel, "
          f"{a.timeout:.0f} s limit each -> {a.out}", file=sys.stderr, flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for fut in concurrent.futures.as_completed([pool.submit(run_one, a, s) for s in seeds]):
            r = fut.result()
            with lock:
                results.append(r)
                done, elapsed = len(results), time.monotonic() - t0
                eta = elapsed / done * (a.count - done)
                extra = f"  reproduce: {reproduce(a, r['seed'])}" if r["status"] != "pass" else ""
                print(f"[{done:>{width}}/{a.count}] {r['status'].upper():<7} seed {r['seed']:<6} {r['name']}  "
                      f"{r['seconds']:.1f} s  (eta {fmt_time(eta)}){extra}", file=sys.stderr, flush=True)
    wall = time.monotonic() - t0
    write_junit(a, results, wall)
    write_csv(a, results)
    bad = sorted((r for r in results if r["status"] != "pass"), key=lambda r: r["seed"])
    for r in bad:
        print(f"{r['status'].upper()} seed {r['seed']} {r['name']}: reproduce: {reproduce(a, r['seed'])} "
              f"(verdict in {os.path.join(a.out, 'runs', str(r['seed']), 'verdict.txt')})")
    counts = {s: sum(r["status"] == s for r in results) for s in ("pass", "fail", "timeout", "hang", "bad input")}
    other = len(results) - sum(counts.values())
    # Passing runs only: a run stopped early by an error reports a meaningless utilization.
    util = [r["utilization"] for r in results if r["utilization"] != "" and r["status"] == "pass"]
    mean_util = f", mean MAC utilization {sum(util) / len(util):.1f}%" if util else ""
    print(f"{a.name} {a.config}: {len(results)} run, {counts['pass']} pass, {counts['fail']} fail, "
          f"{counts['timeout'] + counts['hang']} timeout, {counts['bad input'] + other} error{mean_util}; "
          f"{fmt_time(wall)} wall on {a.jobs} jobs; report {os.path.join(a.out, 'junit.xml')}")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
