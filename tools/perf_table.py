#!/usr/bin/env python3
"""Runs co-simulations and prints the per-instruction rows of docs/performance.md.

    python3 tools/perf_table.py --sim build/tb/nna_sim_tiny --vectors vectors --out /tmp/pt \
        --jobs 2 conv3x3 conv1x1_small ...

One markdown row per compute instruction: measured and predicted cycles, the difference, MAC
utilization, the measured cycles by cause, then the whole program's cycles and utilization and
the SRAM bank-conflict stalls (when the verdict reports them). A test that fails is reported on
stderr and the exit code is 1.
"""
import argparse
import concurrent.futures
import pathlib
import re
import subprocess
import sys

INSTR = re.compile(r"^\s+(\d+) (\w+)\s+\d+\.\.\d+\s+measured\s+(\d+)\s+([\d.]+)%\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)")
PRED = re.compile(r"^\s+predicted\s+(\d+)\s+([+-][\d.]+)%")
PROGRAM = re.compile(r"^\s+cycles (\d+)\s.*MAC utilization ([\d.]+)%")
STALLS = re.compile(r"conflict stalls\s+(\d+)")


def run(sim, vectors, out, test, extra):
    cmd = [sim, "--test", test, "--vectors", vectors, "--out", str(pathlib.Path(out) / test), "--quiet"] + extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    return test, p.returncode, p.stdout + p.stderr


def rows(test, text):
    lines = text.splitlines()
    program = next((m for m in map(PROGRAM.match, lines) if m), None)
    stalls = next((m for m in map(STALLS.search, lines) if m), None)
    instrs = sum(1 for l in lines if INSTR.match(l))
    out = []
    for i, line in enumerate(lines):
        m = INSTR.match(line)
        if not m:
            continue
        p = PRED.match(lines[i + 1]) if i + 1 < len(lines) else None
        idx, op, meas, util, fill, mac, w_unload, w_acts, w_wts, drain = m.groups()
        name = f"`{test}`" + (f" #{idx}" if instrs > 1 else "")
        cells = [name, f"{int(meas):,}", f"{int(p.group(1)):,}" if p else "-", (p.group(2) + "%") if p else "-",
                 util + "%", fill, f"{int(mac):,}", w_unload, f"{int(w_acts):,}", f"{int(w_wts):,}", drain]
        cells += [f"{int(program.group(1)):,}", program.group(2) + "%"] if program else ["-", "-"]
        cells += [f"{int(stalls.group(1)):,}"] if stalls else []
        out.append("| " + " | ".join(cells) + " |")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sim-args", default="", help="extra simulator arguments, one string")
    ap.add_argument("tests", nargs="+")
    a = ap.parse_args()
    extra = a.sim_args.split()
    failed = False
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        results = list(pool.map(lambda t: run(a.sim, a.vectors, a.out, t, extra), a.tests))
    for test, rc, text in results:
        if rc != 0:
            failed = True
            print(f"perf_table: {test} failed (exit {rc}):\n{text}", file=sys.stderr)
            continue
        for r in rows(test, text):
            print(r, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
