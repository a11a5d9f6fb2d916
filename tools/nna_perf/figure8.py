#!/usr/bin/env python3
"""The paper's figure 8 from the compiler and the performance model: MAC utilization against the
MAC array's height (96 columns) and width (96 rows) for each workload, by nna_sweep, one process per
workload in parallel. Writes <out>/<workload>.{md,dat,log}, <out>/summary.md and, with gnuplot,
<out>/figure8.png (docs/performance.md, "Array shape")."""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import time

# (key, network, input HxW or None): the networks of issue 18's figure.
WORKLOADS = [
    ("resnet50", "resnet50", None),
    ("inception_v4", "inception_v4", None),
    ("inception_v4_540x960", "inception_v4", "540x960"),
]
SIZES = [32, 64, 96, 128, 160, 192]


def read_dat(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            r, c, macs, terms, cycles, bound, pred = line.split()
            rows.append((int(r), int(c), int(macs), int(terms), int(cycles), float(bound), float(pred)))
    return rows


def run(tool, out, key, network, size):
    shapes = ",".join([f"{h}x96" for h in SIZES] + [f"96x{w}" for w in SIZES if w != 96])
    cmd = [tool, "--network", network, "--shapes", shapes, "--dat", os.path.join(out, key + ".dat")]
    if size:
        cmd += ["--input", size]
    start = time.monotonic()
    with open(os.path.join(out, key + ".md"), "w") as md, open(os.path.join(out, key + ".log"), "w") as log:
        rc = subprocess.run(cmd, stdout=md, stderr=log).returncode
    return key, rc, time.monotonic() - start


def plot(out, keys):
    if not shutil.which("gnuplot"):
        print("figure8: no gnuplot, no figure (the tables are in summary.md)", file=sys.stderr)
        return
    png = os.path.join(out, "figure8.png")
    lines = {"rows": [], "cols": []}
    for colour, k in enumerate(keys, start=1):
        for axis, fixed_col in (("rows", 1), ("cols", 0)):
            dat = os.path.join(out, f"{k}.{axis}.dat")
            with open(dat, "w") as f:
                points = [r for r in read_dat(os.path.join(out, k + ".dat")) if r[fixed_col] == 96]
                for r in sorted(points, key=lambda r: r[1 - fixed_col]):
                    f.write(f"{r[1 - fixed_col]} {100 * r[6]:.2f} {100 * r[5]:.2f}\n")
            lines[axis].append(f"'{dat}' using 1:2 with linespoints linecolor {colour} pointtype 7 "
                               f"title '{k} predicted', '{dat}' using 1:3 with lines linecolor {colour} "
                               f"dashtype 2 title '{k} tiling bound'")
    script = f"""
set terminal pngcairo size 1200,480 noenhanced
set output '{png}'
set multiplot layout 1,2 title "MAC utilization against the array's shape (compiler + performance model)"
set yrange [0:100]
set grid
set key bottom left font ",8"
set ylabel "MAC utilization (%)"
set xtics 32
set xlabel "array height (rows = output channels per tile), 96 columns"
plot {", ".join(lines["rows"])}
set xlabel "array width (columns = output pixels per section), 96 rows"
plot {", ".join(lines["cols"])}
unset multiplot
"""
    res = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if res.returncode != 0:
        res = subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png"), text=True, capture_output=True)
    if res.returncode != 0:
        print(f"figure8: gnuplot failed: {res.stderr.strip()}", file=sys.stderr)
    else:
        print(f"figure8: {png}")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tool", default="build/tools/nna_perf/nna_sweep")
    p.add_argument("--out", default="build/figure8")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(run, a.tool, a.out, *w) for w in WORKLOADS]
        for f in concurrent.futures.as_completed(futures):
            key, rc, seconds = f.result()
            print(f"figure8: {key} {'done' if rc == 0 else 'FAILED'} in {seconds:.0f} s", flush=True)
            if rc != 0:
                failed.append(key)
    if failed:
        for key in failed:
            with open(os.path.join(a.out, key + ".log")) as log:
                sys.stderr.write(log.read())
        return 1
    with open(os.path.join(a.out, "summary.md"), "w") as s:
        for key, _, _ in WORKLOADS:
            with open(os.path.join(a.out, key + ".md")) as md:
                s.write(md.read() + "\n")
    print(f"figure8: {os.path.join(a.out, 'summary.md')}")
    plot(a.out, [w[0] for w in WORKLOADS])
    return 0


if __name__ == "__main__":
    sys.exit(main())
