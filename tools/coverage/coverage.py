#!/usr/bin/env python3
"""`make coverage` (docs/coverage.md): runs the tiny co-simulation tests on the coverage build,
then merges what each run wrote: the RTL's line, branch and toggle coverage (<out>/coverage.dat,
Verilator) into an lcov file, an HTML report and annotated sources, and the functional coverage
bins (<out>/func_cov.yaml) into one list.

    coverage.py --build build-cov [--jobs N] [--tests REGEX] [--exclude REGEX] [--no-run]

Writes BUILD/coverage/: merged.dat, coverage.info, html/index.html, annotated/, rtl_summary.md,
toggle_unhit.md, toggle_exclusions.md, func_cov.md, func_cov.yaml. Toggle coverage is reported as
measured and after the exclusions of tools/coverage/toggle_exclusions.yaml (bits that no legal
stimulus can change on the measured configuration, each rule with its reason). Exit 1 when a test
failed or an excluded bit toggled (the rule is wrong); the coverage is still written.
"""
import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# Every tiny co-simulation of the plan, the error classes and program queue tests, and the random
# layers and SIMD programs that `make test` runs on tiny.
DEFAULT_TESTS = r"^(cosim|regress)\.tiny\."
RUN_FILES = ("coverage.dat", "func_cov.yaml")
# Verilator's coverage point kinds, by the page key of each point in coverage.dat.
KINDS = ("line", "branch", "toggle")
EXCLUSIONS = os.path.join(HERE, "toggle_exclusions.yaml")


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


def toggle_records(dat):
    """(fields, count) of every toggle point of a Verilator coverage.dat."""
    return ((fields, count) for fields, count in records(dat) if fields.get("page", "").startswith("v_toggle"))


def rel(fields):
    """A point's file relative to the project (generated files: under the build folder)."""
    f = fields.get("f", "?")
    return os.path.relpath(f, ROOT) if os.path.isabs(f) else f


def toggle_bit(fields):
    """(file basename, signal, bit) of a toggle point: `o` is the signal with its bit, `sig[3]`."""
    m = re.match(r"(.*)\[(\d+)\]$", fields.get("o", ""))
    sig, bit = (m.group(1), int(m.group(2))) if m else (fields.get("o", ""), 0)
    return os.path.basename(fields.get("f", "?")), sig, bit


def config_values(config):
    """The measured configuration's values for the rules' expressions: every number of
    spec/configs/<config>.yaml by its dotted path with `_` (sram.bytes -> sram_bytes)."""
    values = {}

    def walk(prefix, node):
        for k, v in node.items():
            name = f"{prefix}_{k}" if prefix else k
            if isinstance(v, dict):
                walk(name, v)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                values[name] = v
    walk("", yaml.safe_load(open(os.path.join(ROOT, "spec", "configs", f"{config}.yaml"))))
    return values


def isa_field_bits():
    """format.field -> width in bits, from spec/isa.yaml (formats and records), and enum -> its
    largest value."""
    isa = yaml.safe_load(open(os.path.join(ROOT, "spec", "isa.yaml")))
    widths = {}
    for group in ("formats", "records"):
        for fmt in isa.get(group, []):
            for field in fmt.get("fields", []):
                widths[f"{fmt['name']}.{field['name']}"] = field["bits"]
    enum_max = {e["name"]: max(v["value"] for v in e["values"]) for e in isa.get("enums", [])}
    return widths, enum_max


class Exclusions:
    """tools/coverage/toggle_exclusions.yaml (its header says how a rule is written): per rule, the
    (file, signal pattern, excluded bits) of its entries; the bits are the first excluded one (every
    bit from it up, an int) or a frozenset."""

    def __init__(self, path, config):
        doc = yaml.safe_load(open(path))
        widths, enums = isa_field_bits()

        def bits(name):
            if name not in widths:
                raise SystemExit(f"{path}: bits('{name}') names no field of spec/isa.yaml")
            return widths[name]

        def enum_max(name):
            if name not in enums:
                raise SystemExit(f"{path}: enum_max('{name}') names no enum of spec/isa.yaml")
            return enums[name]
        env = dict(config_values(config), clog2=lambda v: max(0, (int(v) - 1).bit_length()),
                   width=lambda v: int(v).bit_length(), max=max, min=min, bits=bits, enum_max=enum_max)
        self.rules = []
        for rule in doc["rules"]:
            for key in ("name", "why", "signals"):
                if key not in rule:
                    raise SystemExit(f"{path}: rule {rule.get('name', '?')} has no '{key}'")
            entries = []
            for f, sigs in rule["signals"].items():
                for entry in sigs:
                    if isinstance(entry, dict):
                        pattern, expr = next(iter(entry.items()))
                    elif ": " in entry:
                        pattern, expr = entry.split(": ", 1)
                    else:
                        pattern, expr = entry, rule.get("from", 0)
                    try:
                        first = eval(str(expr), dict(env, __builtins__={}, range=range, list=list))
                        first = frozenset(first) if isinstance(first, (list, range, set)) else int(first)
                    except Exception as e:
                        raise SystemExit(f"{path}: rule {rule['name']}, {f} {pattern}: from '{expr}': {e}")
                    entries.append((f, pattern, first))
            self.rules.append((rule["name"], entries))

    def rule_of(self, f, sig, bit):
        """The name of the rule that excludes this bit, or None."""
        for name, entries in self.rules:
            for ef, pattern, first in entries:
                hit = bit in first if isinstance(first, frozenset) else bit >= first
                if ef == f and hit and fnmatch.fnmatchcase(sig, pattern):
                    return name
        return None

    def unused(self, seen):
        """(rule, file, pattern) of every entry that matches no toggle point (a stale or mistyped one)."""
        return [(name, f, p) for name, entries in self.rules for f, p, _ in entries
                if not any(sf == f and fnmatch.fnmatchcase(ss, p) for sf, ss in seen)]


def toggle_exclusions(dat, excl):
    """Markdown: per rule, the toggle points it excludes; and every excluded point that toggled
    (the rule is wrong). Returns (markdown, violations, stale entries)."""
    per = defaultdict(lambda: defaultdict(int))
    violations, seen = [], set()
    for fields, count in toggle_records(dat):
        f, sig, bit = toggle_bit(fields)
        seen.add((f, sig))
        rule = excl.rule_of(f, sig, bit)
        if rule:
            per[rule][f] += 1
            if count:
                violations.append(f"{rule}: {f} {sig}[{bit}] toggled {count} times")
    out = ["| rule | file | points excluded |", "|---|---|---:|"]
    for name, _ in excl.rules:
        for f, n in sorted(per[name].items()):
            out.append(f"| {name} | {f} | {n} |")
    out.append(f"| **total** | | {sum(sum(v.values()) for v in per.values())} |")
    stale = excl.unused(seen)
    if violations:
        out += ["", "Excluded points that toggled (the rule is wrong):", ""] + [f"- {v}" for v in violations]
    if stale:
        out += ["", "Entries that match no toggle point:", ""] + [f"- {r}: {f} {p}" for r, f, p in stale]
    return "\n".join(out) + "\n", violations, stale


def toggle_unhit(dat, excl=None):
    """Markdown: the unhit toggle points split into the bits above the highest bit their signal
    ever toggled (a wide field or counter holding small values) and the gaps below it, per file,
    then every signal with unhit bits. The split says where to look, not what is unreachable.
    Points the exclusions name are left out."""
    bits = defaultdict(dict)  # (file, signal) -> bit -> count
    for fields, count in toggle_records(dat):
        base, sig, bit = toggle_bit(fields)
        if excl and excl.rule_of(base, sig, bit):
            continue
        f = rel(fields)
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


def summary(dat, excl=None):
    """Markdown table per RTL file: hit/total points of each kind, toggle also without the points
    the exclusions name, and the total."""
    kinds = KINDS + (("toggle_kept",) if excl else ())
    per = defaultdict(lambda: {k: [0, 0] for k in kinds})
    for fields, n in records(dat):
        kind = fields.get("page", "").split("/")[0][2:]
        if kind not in KINDS:
            continue
        p = per[rel(fields)]
        p[kind][0] += n > 0
        p[kind][1] += 1
        if kind == "toggle" and excl and not excl.rule_of(*toggle_bit(fields)):
            p["toggle_kept"][0] += n > 0
            p["toggle_kept"][1] += 1
    total = {k: [sum(p[k][0] for p in per.values()), sum(p[k][1] for p in per.values())] for k in kinds}

    def cell(hit, all_):
        return f"{100.0 * hit / all_:.1f}% ({hit}/{all_})" if all_ else "-"
    head = "| file | line | branch | toggle |" + (" toggle after exclusions |" if excl else "")
    rows = [head, "|---|" + "---:|" * len(kinds)]
    for f in sorted(per):
        rows.append(f"| {f} | " + " | ".join(cell(*per[f][k]) for k in kinds) + " |")
    rows.append("| **total** | " + " | ".join(cell(*total[k]) for k in kinds) + " |")
    return "\n".join(rows) + "\n"


def self_test():
    """The rules of toggle_exclusions.yaml parse for every configuration, and on a made-up
    coverage.dat an exclusion is counted, an excluded bit that toggled is reported, and an entry
    matching no signal is reported stale (so that coverage.py's checks can fail)."""
    import tempfile
    for cfg in sorted(os.listdir(os.path.join(ROOT, "spec", "configs"))):
        Exclusions(EXCLUSIONS, cfg[:-len(".yaml")])
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "rules.yaml")
        with open(rules, "w") as f:
            f.write("rules:\n"
                    "  - {name: wide, why: test, signals: {m.sv: ['cnt: clog2(sram_bytes + 1)', 'pair: [1, 3]']}}\n"
                    "  - {name: gone, why: test, from: 0, signals: {m.sv: [no_such_signal]}}\n")
        dat = os.path.join(tmp, "cov.dat")
        bits = int(config_values("tiny")["sram_bytes"]).bit_length()  # clog2(sram_bytes + 1)
        with open(dat, "w") as f:
            f.write("# SystemC::Coverage-3\n")
            for sig, bit, n in (("cnt", bits - 1, 3), ("cnt", bits, 0), ("cnt", bits + 1, 7),
                                ("pair", 0, 1), ("pair", 1, 0), ("pair", 3, 0)):
                f.write(f"C '\x01f\x02/x/m.sv\x01l\x021\x01page\x02v_toggle/m\x01o\x02{sig}[{bit}]' {n}\n")
        excl = Exclusions(rules, "tiny")
        md, violations, stale = toggle_exclusions(dat, excl)
        want_md = "| wide | m.sv | 4 |"
        checks = [(want_md in md, f"4 points excluded by rule wide ({want_md!r})"),
                  (violations == [f"wide: m.sv cnt[{bits + 1}] toggled 7 times"], f"one violation, got {violations}"),
                  (stale == [("gone", "m.sv", "no_such_signal")], f"one stale entry, got {stale}"),
                  ("| 50.0% (3/6) | 100.0% (2/2) |" in summary(dat, excl), "toggle 3 of 6, after exclusions 2 of 2")]
        failed = [what for ok, what in checks if not ok]
        for what in failed:
            print(f"coverage.py self-test: expected {what}", file=sys.stderr)
        if not failed:
            print("coverage.py self-test: exclusions counted, a toggled excluded bit and a stale entry reported")
        return 1 if failed else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="build-cov", help="the coverage build (cmake -DNNA_COVERAGE=ON)")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--tests", default=DEFAULT_TESTS, help="CTest regex of the runs (default: %(default)s)")
    p.add_argument("--exclude", help="CTest regex of runs to leave out (ctest -E)")
    p.add_argument("--no-run", action="store_true", help="merge what earlier runs wrote, run nothing")
    p.add_argument("--config", default="tiny", help="the configuration the build simulates (default: %(default)s)")
    p.add_argument("--exclusions", default=EXCLUSIONS, help="toggle exclusion rules (default: %(default)s)")
    p.add_argument("--self-test", action="store_true", help="check the exclusion rules and their checks, run nothing")
    a = p.parse_args()
    if a.self_test:
        return self_test()
    excl = Exclusions(a.exclusions, a.config)
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
    table = summary(merged, excl)
    with open(os.path.join(out, "rtl_summary.md"), "w") as f:
        f.write(table)
    with open(os.path.join(out, "toggle_unhit.md"), "w") as f:
        f.write(toggle_unhit(merged, excl))
    excl_md, violations, stale = toggle_exclusions(merged, excl)
    with open(os.path.join(out, "toggle_exclusions.md"), "w") as f:
        f.write(excl_md)
    print(f"RTL coverage of {len(dats)} runs (points hit/total; report {out}/html/index.html)\n")
    print(table)
    run_dirs = [d for d in (os.path.join(build, "runs"), os.path.join(build, "regress")) if os.path.isdir(d)]
    rc = subprocess.call([sys.executable, os.path.join(HERE, "func_cov.py"), "--out", out] + run_dirs)
    print(f"toggle exclusions ({os.path.relpath(a.exclusions, ROOT)}): {out}/toggle_exclusions.md")
    for v in violations:
        print(f"coverage: excluded point toggled: {v}", file=sys.stderr)
    for r, f, pat in stale:
        print(f"coverage: exclusion {r}: {f} {pat} matches no toggle point", file=sys.stderr)
    if failed:
        print("coverage: some tests failed (see the ctest output above); the coverage above counts them too",
              file=sys.stderr)
    return 1 if failed or rc or violations or stale else 0


if __name__ == "__main__":
    sys.exit(main())
