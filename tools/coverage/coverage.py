#!/usr/bin/env python3
"""`make coverage` (docs/coverage.md): runs the tiny co-simulation tests on the coverage build,
then merges what each run wrote: the RTL's line, branch and toggle coverage (<out>/coverage.dat,
Verilator) into an lcov file, an HTML report and annotated sources, and the functional coverage
bins (<out>/func_cov.yaml) into one list.

    coverage.py --build build-cov [--jobs N] [--tests REGEX] [--exclude REGEX] [--no-run]

Writes BUILD/coverage/: merged.dat, coverage.info, html/index.html, annotated/, rtl_summary.md,
func_cov.md, func_cov.yaml. Exit 1 when a test failed (the coverage is still written).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# Every tiny co-simulation of the plan, the error classes and program queue tests, and the random
# layers and SIMD programs that `make test` runs on tiny.
DEFAULT_TESTS = r"^(cosim|regress)\.tiny\."
RUN_FILES = ("coverage.dat", "func_cov.yaml")
# Verilator's coverage point kinds, by the page key of each point in coverage.dat.
KINDS = ("line", "branch", "toggle")


def found(build, name):
    """Every file called name under the folders the tests write their runs to."""
    paths = []
    for sub in ("runs", "regress"):
        for root, _, names in os.walk(os.path.join(build, sub)):
            paths += [os.path.join(root, n) for n in names if n == name]
    return sorted(paths)


def records(dat):
    """(fields, count) of every point of a Verilator coverage.dat."""
    for text in open(dat, errors="replace"):
        if not text.startswith("C '"):
            continue
        key, count = text[3:].rsplit("' ", 1)
        yield dict(f.split("\x02", 1) for f in key.split("\x01") if "\x02" in f), int(count)


def points(dat):
    """(file, kind, line, count) of every point of a Verilator coverage.dat; kind is line, branch
    or toggle, from the point's page (v_line/..., v_branch/..., v_toggle/...)."""
    for fields, count in records(dat):
        kind = fields.get("page", "").split("/")[0][2:]
        if kind in KINDS:
            yield fields.get("f", "?"), kind, int(fields.get("l", 0)), count


def toggle_unhit(dat):
    """Markdown: the unhit toggle points split into the bits above the highest bit their signal
    ever toggled (a wide field or counter holding small values) and the gaps below it, per file,
    then every signal with unhit bits. The split says where to look, not what is unreachable."""
    bits = defaultdict(dict)  # (file, signal) -> bit -> count
    for fields, count in records(dat):
        if not fields.get("page", "").startswith("v_toggle"):
            continue
        m = re.match(r"(.*)\[(\d+)\]$", fields.get("o", ""))
        sig, bit = (m.group(1), int(m.group(2))) if m else (fields.get("o", ""), 0)
        f = os.path.relpath(fields.get("f", "?"), ROOT) if os.path.isabs(fields.get("f", "?")) else fields.get("f", "?")
        bits[(f, sig)][bit] = bits[(f, sig)].get(bit, 0) + count
    per, rows = defaultdict(lambda: [0, 0, 0, 0]), []
    for (f, sig), counts in sorted(bits.items()):
        top = max((b for b, n in counts.items() if n), default=-1)
        above = sum(1 for b, n in counts.items() if not n and b > top)
        gaps = sum(1 for b, n in counts.items() if not n and b < top)
        p = per[f]
        p[0] += len(counts)
        p[1] += len(counts) - above - gaps
        p[2] += above
        p[3] += gaps
        if above or gaps:
            rows.append(f"| {f} | `{sig}` | {len(counts)} | {top} | {above} | {gaps} |")
    out = ["| file | toggle points | hit | unhit above the top toggled bit | unhit below it |",
           "|---|---:|---:|---:|---:|"]
    for f, (n, h, a, g) in sorted(per.items()):
        out.append(f"| {f} | {n} | {h} | {a} | {g} |")
    t = [sum(p[i] for p in per.values()) for i in range(4)]
    out.append(f"| **total** | {t[0]} | {t[1]} | {t[2]} | {t[3]} |")
    out += ["", "| file | signal | bits | top toggled bit | unhit above it | unhit below it |",
            "|---|---|---:|---:|---:|---:|"] + rows
    return "\n".join(out) + "\n"


def summary(dat):
    """Markdown table per RTL file: hit/total points of each kind, and the total."""
    per = defaultdict(lambda: {k: [0, 0] for k in KINDS})
    for f, kind, _, n in points(dat):
        rel = os.path.relpath(f, ROOT) if os.path.isabs(f) else f
        per[rel][kind][0] += n > 0
        per[rel][kind][1] += 1
    total = {k: [sum(p[k][0] for p in per.values()), sum(p[k][1] for p in per.values())] for k in KINDS}

    def cell(hit, all_):
        return f"{100.0 * hit / all_:.1f}% ({hit}/{all_})" if all_ else "-"
    rows = ["| file | line | branch | toggle |", "|---|---:|---:|---:|"]
    for f in sorted(per):
        rows.append(f"| {f} | " + " | ".join(cell(*per[f][k]) for k in KINDS) + " |")
    rows.append("| **total** | " + " | ".join(cell(*total[k]) for k in KINDS) + " |")
    return "\n".join(rows) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="build-cov", help="the coverage build (cmake -DNNA_COVERAGE=ON)")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--tests", default=DEFAULT_TESTS, help="CTest regex of the runs (default: %(default)s)")
    p.add_argument("--exclude", help="CTest regex of runs to leave out (ctest -E)")
    p.add_argument("--no-run", action="store_true", help="merge what earlier runs wrote, run nothing")
    a = p.parse_args()
    build = os.path.abspath(a.build)
    out = os.path.join(build, "coverage")
    failed = False
    if not a.no_run:
        for name in RUN_FILES:  # a stale run must not count
            for f in found(build, name):
                os.remove(f)
        exclude = ["-E", a.exclude] if a.exclude else []
        rc = subprocess.call(["ctest", "-R", a.tests, "-j", str(a.jobs), "--timeout", "3600"] + exclude, cwd=build)
        failed = rc != 0
    dats = found(build, "coverage.dat")
    if not dats:
        print(f"coverage: no coverage.dat under {build}: is it a coverage build (-DNNA_COVERAGE=ON)?",
              file=sys.stderr)
        return 2
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    merged = os.path.join(out, "merged.dat")
    info = os.path.join(out, "coverage.info")
    subprocess.check_call(["verilator_coverage", "--write", merged] + dats, stdout=subprocess.DEVNULL)
    subprocess.check_call(["verilator_coverage", "--write-info", info, merged], stdout=subprocess.DEVNULL)
    # Annotated sources: every point hit fewer than once (never) is marked.
    subprocess.check_call(["verilator_coverage", "--annotate-min", "1", "--annotate",
                           os.path.join(out, "annotated"), merged], stdout=subprocess.DEVNULL)
    subprocess.check_call(["genhtml", "--quiet", "--branch-coverage", "--prefix", ROOT, "--output-directory",
                           os.path.join(out, "html"), info])
    table = summary(merged)
    with open(os.path.join(out, "rtl_summary.md"), "w") as f:
        f.write(table)
    with open(os.path.join(out, "toggle_unhit.md"), "w") as f:
        f.write(toggle_unhit(merged))
    print(f"RTL coverage of {len(dats)} runs (points hit/total; report {out}/html/index.html)\n")
    print(table)
    run_dirs = [d for d in (os.path.join(build, "runs"), os.path.join(build, "regress")) if os.path.isdir(d)]
    rc = subprocess.call([sys.executable, os.path.join(HERE, "func_cov.py"), "--out", out] + run_dirs)
    if failed:
        print("coverage: some tests failed (see the ctest output above); the coverage above counts them too",
              file=sys.stderr)
    return 1 if failed or rc else 0


if __name__ == "__main__":
    sys.exit(main())
