#!/usr/bin/env python3
"""Sums the functional coverage bins of several runs (each run's <out>/func_cov.yaml) and reports
every bin with its count and every unhit bin with its reason (docs/coverage.md).

    func_cov.py [--reasons FILE] [--out DIR] [--expect GROUP.BIN=N ...] [--expect-unhit GROUP.BIN ...]
                [--strict] FILE_OR_FOLDER...

A folder stands for every func_cov.yaml below it. --reasons names a YAML map from bin to the test
that would hit it or the reason it cannot be hit (default tools/coverage/unhit_bins.yaml); a key
may be a pattern (simd_dtype.*_i16) for bins that share a reason.
Exit 1 when an --expect or --expect-unhit does not hold, or with --strict when an unhit bin has no
reason; exit 2 on bad input (one sentence on stderr).
"""
import argparse
import fnmatch
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REASONS = os.path.join(HERE, "unhit_bins.yaml")


class InputError(Exception):
    pass


def run_files(paths):
    """Every func_cov.yaml named or below a named folder, sorted."""
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, n) for n in names if n == "func_cov.yaml"]
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise InputError(f"{p} is neither a func_cov.yaml nor a folder.")
    if not files:
        raise InputError(f"no func_cov.yaml in {', '.join(paths)}.")
    return sorted(files)


def read_bins(path):
    """{group: {bin: count}} of one run, every count checked."""
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"{path} cannot be read as YAML: {str(e).splitlines()[0]}.")
    if not isinstance(doc, dict):
        raise InputError(f"{path} must be a map of groups.")
    for group, bins in doc.items():
        if not isinstance(bins, dict):
            raise InputError(f"{path}: group '{group}' must be a map of bins.")
        for name, n in bins.items():
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise InputError(f"{path}: bin {group}.{name} has count '{n}', not a count.")
    return doc


def merge(files):
    """The bins summed over the runs, in the order the first run declares them."""
    total = {}
    for path in files:
        for group, bins in read_bins(path).items():
            g = total.setdefault(group, {})
            for name, n in bins.items():
                g[str(name)] = g.get(str(name), 0) + n
    return total


def read_reasons(path):
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        doc = yaml.safe_load(f) or {}
    if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
        raise InputError(f"{path} must map each bin (group.bin) to a sentence.")
    return doc


def reason_of(reasons, b):
    """The reason given for bin b: its own entry, else the first pattern that matches it."""
    if b in reasons:
        return reasons[b]
    return next((r for k, r in reasons.items() if fnmatch.fnmatchcase(b, k)), None)


def report(total, reasons, runs):
    """The summary table, every bin with its count, and the unhit bins with their reasons."""
    lines = [f"functional coverage of {runs} run{'s' if runs != 1 else ''}", "",
             "| group | bins hit | bins |", "|---|---:|---:|"]
    hit_all = bins_all = 0
    for group, bins in total.items():
        hit = sum(1 for n in bins.values() if n)
        hit_all, bins_all = hit_all + hit, bins_all + len(bins)
        lines.append(f"| {group} | {hit} | {len(bins)} |")
    lines.append(f"| total | {hit_all} | {bins_all} |")
    lines += ["", "every bin and its count:"]
    for group, bins in total.items():
        lines.append(f"  {group}: " + ", ".join(f"{name} {n}" for name, n in bins.items()))
    unhit = [f"{g}.{name}" for g, bins in total.items() for name, n in bins.items() if n == 0]
    lines += ["", f"unhit bins ({len(unhit)}):"]
    for b in unhit:
        lines.append(f"  {b}: {reason_of(reasons, b) or 'NO REASON: add a test that hits it or its reason to unhit_bins.yaml'}")
    for k in reasons:
        if not any(fnmatch.fnmatchcase(b, k) for b in unhit):
            lines.append(f"  note: no unhit bin matches '{k}' of the reasons file: the entry is stale")
    return "\n".join(lines) + "\n", unhit


def count_of(total, spec):
    group, _, name = spec.partition(".")
    if group not in total or name not in total[group]:
        raise InputError(f"--expect names {spec}, which is not a bin.")
    return total[group][name]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("inputs", nargs="+", metavar="FILE_OR_FOLDER")
    p.add_argument("--reasons", default=DEFAULT_REASONS)
    p.add_argument("--out", help="folder for func_cov.yaml (the sums) and func_cov.md (the report)")
    p.add_argument("--expect", action="append", default=[], metavar="GROUP.BIN=N")
    p.add_argument("--expect-unhit", action="append", default=[], metavar="GROUP.BIN")
    p.add_argument("--strict", action="store_true", help="fail when an unhit bin has no reason")
    a = p.parse_args()
    try:
        files = run_files(a.inputs)
        total = merge(files)
        text, unhit = report(total, read_reasons(a.reasons), len(files))
        failures = []
        for e in a.expect:
            spec, sep, want = e.partition("=")
            if not sep or not want.isdigit():
                raise InputError(f"--expect {e} is not GROUP.BIN=COUNT.")
            if count_of(total, spec) != int(want):
                failures.append(f"bin {spec} counted {count_of(total, spec)}, expected {want}")
        for spec in a.expect_unhit:
            if count_of(total, spec) != 0:
                failures.append(f"bin {spec} counted {count_of(total, spec)}, expected unhit")
            elif f"\n  {spec}: " not in text.split("\nunhit bins")[1]:
                failures.append(f"bin {spec} is unhit but missing from the report")
    except InputError as e:
        print(f"func_cov: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "func_cov.yaml"), "w") as f:
            yaml.safe_dump(total, f, sort_keys=False)
        with open(os.path.join(a.out, "func_cov.md"), "w") as f:
            f.write(text)
    if a.strict:
        reasons = read_reasons(a.reasons)
        failures += [f"bin {b} is unhit and has no reason" for b in unhit if not reason_of(reasons, b)]
    for f in failures:
        print(f"func_cov: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
