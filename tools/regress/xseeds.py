#!/usr/bin/env python3
"""Runs the planned co-simulations of one configuration under several seeds of Verilator's random
initial values (docs/regression.md, "Reset and X").

The simulators are verilated with --x-initial unique and --x-assign unique: every flop and memory
without a reset starts from a value drawn from the seed. A design that depends on such a value
(a missing reset, a read of an unwritten word) passes under one seed and fails under another.
Each run gets +verilator+seed+N +verilator+rand+reset+2 and must pass with the full scoreboard;
its verdict must name the seed (the plusargs reached Verilator), else the run fails.

  xseeds.py --sim build/tb/nna_sim_tiny --config tiny --seeds 1,2,3 --out build/xseeds-tiny
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import runner  # noqa: E402
import test_plan  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def parse_list(p, text, what, convert):
    try:
        items = [convert(t) for t in text.split(",") if t]
    except ValueError:
        p.error(f"--{what} must be a comma-separated list (got '{text[:80]}')")
    if not items:
        p.error(f"--{what} is empty")
    return items


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    runner.add_run_args(p, default_timeout=900)
    p.add_argument("--seeds", default="1,2,3", help="Verilator seeds, comma separated (each at least 1)")
    p.add_argument("--tests", default="", help="only these planned names, comma separated (default: all)")
    p.add_argument("--vectors", default=os.path.join(ROOT, "vectors"), help="folder of the test descriptions")
    a = p.parse_args()
    runner.check_run_args(p, a)
    seeds = parse_list(p, a.seeds, "seeds", int)
    if any(s < 1 or s >= 2**31 for s in seeds):
        p.error(f"--seeds must be between 1 and 2^31-1 (got {a.seeds}): 0 would mean a new seed every run")
    try:
        entries = [e for e in test_plan.load(ROOT) if e.config == a.config]
    except test_plan.PlanError as e:
        p.error(str(e))
    if a.tests:
        wanted = parse_list(p, a.tests, "tests", str)
        unknown = sorted(set(wanted) - {e.name for e in entries})
        if unknown:
            p.error(f"--tests: {', '.join(unknown)} not planned on {a.config} (tests/plan.yaml)")
        entries = [e for e in entries if e.name in wanted]

    jobs = []
    for seed in seeds:
        for e in entries:
            # The layer tests with the plan's performance check; networks without (tb/CMakeLists.txt).
            check = ["--max-perf-error", "2"] if e.kind == "test" else []
            plus = [f"+verilator+seed+{seed}", "+verilator+rand+reset+2"]
            args = e.run + ["--config", a.config, "--vectors", a.vectors, "--quiet"] + check + a.sim_args.split() + plus
            jobs.append(runner.Job(key=f"{e.name}-seed{seed}", label=f"{e.name} seed {seed}", args=args,
                                   reproduce=f"{a.sim} {' '.join(args)}"))
    results, wall = runner.run_all(a.sim, jobs, a.out, a.jobs, a.timeout, f"xseeds {a.config}")
    for r, job in zip(results, jobs):
        seed = job.args[-2].rsplit("+", 1)[1]
        if r["status"] == "pass" and f"+verilator+seed+{seed} " not in r["text"]:
            r["status"] = "fail"
            r["text"] += f"\nxseeds: the verdict does not name +verilator+seed+{seed}: the seed did not reach Verilator\n"
    junit = os.path.join(a.out, "junit.xml")
    runner.write_junit(junit, f"xseeds-{a.config}", results, wall)
    runner.write_csv(os.path.join(a.out, "results.csv"), results, "run")
    for r in results:
        if r["status"] != "pass":
            print(f"{r['status'].upper()}: {r['key']}; reproduce: {r['reproduce']}")
    print(runner.summary_line(f"xseeds {a.config} seeds {','.join(map(str, seeds))}", results, wall, a.jobs, junit))
    return 0 if all(r["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
