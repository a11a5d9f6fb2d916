#!/usr/bin/env python3
"""Runs one simulator over many seeds in parallel: the random-layer and random-SIMD regressions.

Each seed is one co-simulation `SIM --test TEST --seed N --out OUT/N --quiet`; its exit code
classifies it (0 pass, 1 fail, 2 bad input, 3 cycle timeout) and a wall-clock limit catches hangs.
Writes OUT/junit.xml and OUT/results.csv, prints one progress line per finished run, the command
that reproduces every failure, and a one-line summary. Exit code 0 only if every run passed.
"""
import argparse
import os
import sys

from runner import Job, add_run_args, check_run_args, run_all, summary_line, write_csv, write_junit


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--name", default="regress-layers", help="name of the regression in the report")
    add_run_args(p, default_timeout=900)
    p.add_argument("--test", default="random", help="test the simulator draws from each seed: random or random_simd")
    p.add_argument("--count", type=int, default=100, help="number of seeds")
    p.add_argument("--first-seed", type=int, default=1, help="first seed; seeds are consecutive")
    a = p.parse_args()
    check_run_args(p, a)
    if a.count < 1 or a.first_seed < 0:
        p.error("--count must be at least 1, --first-seed non-negative")
    return a


def reproduce(a, seed):
    args = f' ARGS="{a.sim_args}"' if a.sim_args.strip() else ""
    return f"make sim TEST={a.test} CONFIG={a.config} SEED={seed}{args}"


def main():
    a = parse_args()
    seeds = range(a.first_seed, a.first_seed + a.count)
    jobs = [Job(key=str(s), label=f"{a.test} seed {s}", args=["--test", a.test, "--seed", str(s), "--quiet"] +
                a.sim_args.split(), reproduce=reproduce(a, s)) for s in seeds]
    title = f"{a.name} {a.config}"
    results, wall = run_all(a.sim, jobs, a.out, a.jobs, a.timeout, f"{title}: seeds from {a.first_seed}")
    junit = os.path.join(a.out, "junit.xml")
    write_junit(junit, f"{a.name}.{a.config}", results, wall, lambda r: f"seed {r['key']}: {r['name']}")
    write_csv(os.path.join(a.out, "results.csv"), results, "seed")
    for r in results:
        if r["status"] != "pass":
            print(f"{r['status'].upper()} seed {r['key']} {r['name']}: reproduce: {r['reproduce']} (verdict in {r['verdict']})")
    print(summary_line(title, results, wall, a.jobs, junit))
    return 0 if all(r["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
