#!/usr/bin/env python3
"""Simulation benchmark: how long the simulator takes to build and how fast it co-simulates.

1. Build (unless --no-build): configures a fresh build folder for one configuration only (no
   mutant simulators, ccache off) and builds its simulator, timing the configure and
   the build separately and recording the compiler's peak memory.
2. Runs, one at a time so that each has a core to itself: every named layer test the test plan
   (tests/plan.yaml) runs on the configuration in CTest (cosim.<config>.<vector>) and the networks
   given, each with the full scoreboard.
Writes OUT/summary.md (a table per part, and the speed over all named tests together: their
simulated cycles over their RTL seconds) and OUT/results.csv; prints the summary. Timing belongs
here, never in a test: the exit code says only whether every run passed.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

from runner import Job, fmt_time, run_all, write_csv
from test_plan import PlanError, layer_tests


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="fsd", help="hardware configuration (spec/configs/<name>.yaml)")
    p.add_argument("--source", default=".", help="the project's root")
    p.add_argument("--out", required=True, help="folder for the fresh build, the runs and the reports")
    p.add_argument("--no-build", action="store_true", help="do not build: use --sim as it is")
    p.add_argument("--sim", help="with --no-build: the simulator binary")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="compile jobs for the build")
    p.add_argument("--networks", default="resnet50", help="comma-separated networks to run too ('none' for none)")
    p.add_argument("--tests", default="", help="comma-separated tests instead of every named one")
    p.add_argument("--timeout", type=float, default=3600, help="wall-clock seconds per run")
    a = p.parse_args()
    if a.no_build and not a.sim:
        p.error("--no-build needs --sim")
    return a


def timed(cmd, log, env=None):
    """Runs cmd with its output in log; returns its wall seconds, or exits with the log's tail."""
    t0 = time.monotonic()
    with open(log, "w") as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env).returncode
    if rc != 0:
        with open(log) as f:
            tail = f.read()[-3000:]
        sys.exit(f"bench-sim: `{' '.join(cmd)}` failed (exit {rc}); the end of {log}:\n{tail}")
    return time.monotonic() - t0


def build(a, build_dir):
    """A fresh configure and build of nna_sim_<config>; returns the build's figures."""
    env = dict(os.environ, CCACHE_DISABLE="1")
    subprocess.run(["rm", "-rf", build_dir], check=True)
    print(f"bench-sim: building nna_sim_{a.config} from nothing in {build_dir} ({a.jobs} jobs)", file=sys.stderr,
          flush=True)
    configure_s = timed(["cmake", "-S", a.source, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                         f"-DNNA_CONFIGS={a.config}", "-DNNA_MUTANTS=OFF"],
                        os.path.join(a.out, "configure.log"), env)
    build_s = timed(["cmake", "--build", build_dir, "-j", str(a.jobs), "--target", f"nna_sim_{a.config}"],
                    os.path.join(a.out, "build.log"), env)
    vdir = os.path.join(build_dir, "tb", "CMakeFiles", f"nna_sim_{a.config}.dir")
    cpp_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(vdir) for f in fs
                    if f.endswith((".cpp", ".h")))
    return {"configure_s": configure_s, "build_s": build_s,
            "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0,
            "generated_mb": cpp_bytes / 1e6}


def write_summary(a, built, tests, nets, wall, path):
    def rate(rs):
        cycles, secs = sum(r.get("cycles", 0) for r in rs), sum(r.get("sim_s", 0) for r in rs)
        return cycles, secs, (cycles / secs if secs else 0)

    with open(path, "w") as f:
        f.write(f"# Simulation benchmark on {a.config}, {fmt_time(wall)} of runs\n\n")
        if built:
            f.write("| build (fresh folder, ccache off) | configure | build | total | peak memory | generated C++ |\n")
            f.write("|---|---|---|---|---|---|\n")
            f.write(f"| `nna_sim_{a.config}`, {a.jobs} jobs | {built['configure_s']:.0f} s | {built['build_s']:.0f} s | "
                    f"{fmt_time(built['configure_s'] + built['build_s'])} | {built['peak_mb']:.0f} MB | "
                    f"{built['generated_mb']:.1f} MB |\n\n")
        f.write("| run | status | cycles | sim cycles/s | RTL seconds | wall | peak memory |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        for r in tests + nets:
            f.write(f"| `{r['key']}` | {r['status']} | {r.get('cycles', 0):,} | {r.get('cycles_per_s', 0):,} | "
                    f"{r.get('sim_s', 0):.2f} | {r['seconds']:.1f} s | {r['peak_mb']:.0f} MB |\n")
        if tests:
            cycles, secs, speed = rate(tests)
            f.write(f"\nAll {len(tests)} named tests together: {cycles:,} cycles in {secs:.1f} s of RTL simulation, "
                    f"**{speed:,.0f} cycles/s**; {sum(r['seconds'] for r in tests):.0f} s of wall time.\n")
        bad = [r for r in tests + nets if r["status"] != "pass"]
        for r in bad:
            f.write(f"\n- `{r['key']}`: {r['status']}; reproduce: `{r['reproduce']}` (verdict: {r['verdict']})\n")


def main():
    a = parse_args()
    os.makedirs(a.out, exist_ok=True)
    try:  # a bad plan before the build, not after it
        names = [t for t in a.tests.split(",") if t] or layer_tests(a.source, a.config)
    except PlanError as e:
        sys.exit(f"bench-sim: {e}")
    built, sim = None, a.sim
    if not a.no_build:
        build_dir = os.path.join(a.out, "build")
        built = build(a, build_dir)
        sim = os.path.join(build_dir, "tb", f"nna_sim_{a.config}")
    nets = [] if a.networks == "none" else [n for n in a.networks.split(",") if n]
    vectors = os.path.join(a.source, "vectors")
    jobs = [Job(key=t, label=t, args=["--test", t, "--vectors", vectors, "--quiet"],
                reproduce=f"make sim TEST={t} CONFIG={a.config}") for t in names]
    jobs += [Job(key=n, label=f"network {n}", args=["--network", n, "--vectors", vectors, "--quiet"],
                 reproduce=f"make sim TEST={n} CONFIG={a.config}") for n in nets]
    # One run at a time: a run sharing the cores with another measures the machine, not the simulator.
    results, wall = run_all(sim, jobs, a.out, 1, a.timeout, f"bench-sim {a.config}")
    write_csv(os.path.join(a.out, "results.csv"), results, "run")
    summary = os.path.join(a.out, "summary.md")
    write_summary(a, built, [r for r in results if r["key"] in names], [r for r in results if r["key"] in nets],
                  wall, summary)
    with open(summary) as f:
        print(f.read())
    return 0 if all(r["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
