#!/usr/bin/env python3
"""House rules of the RTL that Verilator's lint does not check (part of `make lint`, CTest rtl.lint).

  check_rtl_style.py --waivers rtl/lint_waivers.vlt rtl/   checks the RTL and its waiver file
                                                            (folders or single files, e.g. generated)
  check_rtl_style.py --self-test                            shows that each rule catches a breach

Rules:
  - every line of an RTL file (*.sv, *.svh, *.sv.in) is at most 100 columns;
  - no lint waiver inline in the RTL (`verilator lint_off` / `lint_on`): they live in the waiver file;
  - every `lint_off` of the waiver file has a comment line right above it (the reason), names a
    file that exists, and any -lines range lies inside that file.
Each breach is one line `file:line: what`; the exit status is 1 if there is any.
"""
import argparse
import fnmatch
import os
import re
import sys
import tempfile

MAX_COLUMNS = 100
INLINE_WAIVER = re.compile(r"verilator\s+lint_(off|on)")
WAIVER = re.compile(r'^\s*lint_off\b(?P<args>.*)$')
FILE_ARG = re.compile(r'-file\s+"(?P<pat>[^"]+)"')
LINES_ARG = re.compile(r"-lines\s+(?P<first>\d+)(\s*-\s*(?P<last>\d+))?")


def rtl_files(roots):
    for root in roots:
        if os.path.isfile(root):  # one file, e.g. a generated module
            yield root
            continue
        for folder, _, names in os.walk(root):
            for name in sorted(names):
                if name.endswith((".sv", ".svh", ".sv.in")):
                    yield os.path.join(folder, name)


def check_rtl(path):
    errors = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if len(line) > MAX_COLUMNS:
                errors.append(f"{path}:{n}: {len(line)} columns (at most {MAX_COLUMNS})")
            if INLINE_WAIVER.search(line):
                errors.append(f"{path}:{n}: inline lint waiver; put it in the waiver file with a reason")
    return errors


def check_waivers(path, files):
    errors = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        m = WAIVER.match(line)
        if not m:
            continue
        above = lines[n - 2].strip() if n >= 2 else ""
        if not above.startswith("//") or len(above) <= 3:
            errors.append(f"{path}:{n}: waiver without a reason (a comment line right above it)")
        fm = FILE_ARG.search(m.group("args"))
        if not fm:
            continue
        matches = [p for p in files if fnmatch.fnmatch(os.path.abspath(p), fm.group("pat"))]
        if not matches and not fm.group("pat").endswith("_pkg.sv"):  # generated packages
            errors.append(f'{path}:{n}: -file "{fm.group("pat")}" names no RTL file')
            continue
        lm = LINES_ARG.search(m.group("args"))
        if lm and matches:
            last = int(lm.group("last") or lm.group("first"))
            for p in matches:
                with open(p, encoding="utf-8") as f:
                    count = sum(1 for _ in f)
                if last > count:
                    errors.append(f"{path}:{n}: -lines up to {last} but {p} has {count} lines")
    return errors


def check(waivers, roots):
    files = list(rtl_files(roots))
    errors = []
    for p in files:
        errors += check_rtl(p)
    errors += check_waivers(waivers, files)
    return errors


def self_test():
    """Each rule must catch its breach, and a clean tree must pass."""
    with tempfile.TemporaryDirectory() as tmp:
        rtl = os.path.join(tmp, "rtl", "blk")
        os.makedirs(rtl)
        good = os.path.join(rtl, "nna_blk.sv")
        waivers = os.path.join(tmp, "rtl", "waivers.vlt")

        def write(path, text):
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)

        def run():
            return check(waivers, [os.path.join(tmp, "rtl")])

        write(good, "module nna_blk;\n  logic a;\nendmodule\n")
        write(waivers, '`verilator_config\n// a is a placeholder\nlint_off -rule UNUSEDSIGNAL -file "*/blk/nna_blk.sv" -lines 2\n')
        cases = [("clean", None)]
        assert run() == [], run()
        write(good, "module nna_blk;\n  logic a;" + " " * 100 + "\nendmodule\n")
        cases.append(("long line", run()))
        write(good, "module nna_blk;\n  /* verilator lint_off UNUSEDSIGNAL */\n  logic a;\nendmodule\n")
        cases.append(("inline waiver", run()))
        write(good, "module nna_blk;\n  logic a;\nendmodule\n")
        write(waivers, '`verilator_config\n\nlint_off -rule UNUSEDSIGNAL -file "*/blk/nna_blk.sv" -lines 2\n')
        cases.append(("waiver without a reason", run()))
        write(waivers, '`verilator_config\n// why\nlint_off -rule UNUSEDSIGNAL -file "*/blk/nna_gone.sv"\n')
        cases.append(("waiver of no file", run()))
        write(waivers, '`verilator_config\n// why\nlint_off -rule UNUSEDSIGNAL -file "*/blk/nna_blk.sv" -lines 9\n')
        cases.append(("waiver past the end", run()))
    failed = False
    for name, errors in cases[1:]:
        caught = bool(errors)
        print(f"self-test: {name}: {'caught' if caught else 'NOT CAUGHT'}" + (f" ({errors[0]})" if caught else ""))
        failed |= not caught
    print("self-test: " + ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--waivers", help="the Verilator waiver file (verilator_config)")
    ap.add_argument("--self-test", action="store_true", help="show that every rule catches a breach")
    ap.add_argument("roots", nargs="*", help="folders holding the RTL, or single RTL files")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not args.waivers or not args.roots:
        ap.error("give --waivers FILE and the RTL folders (or --self-test)")
    errors = check(args.waivers, args.roots)
    for e in errors:
        print(e)
    files = len(list(rtl_files(args.roots)))
    print(f"rtl style: {files} files, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
