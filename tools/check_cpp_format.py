#!/usr/bin/env python3
"""The C++ house format: every hand-written C++ file as clang-format (.clang-format) writes it.

    python3 tools/check_cpp_format.py [--root DIR]   check every .cpp/.h under the source folders
    python3 tools/check_cpp_format.py --fix          rewrite them in place
    python3 tools/check_cpp_format.py --self-test    prove the check catches a misformatted file

Prints one line per file that differs (and clang-format's first complaint), then a summary;
exit 1 when any file differs, 2 when clang-format is missing.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

# Hand-written C++ lives here; build/ and generated headers do not.
SOURCE_DIRS = ["compiler", "cpp-model", "frontends", "scoreboard", "tb", "testgen", "tests", "tools", "rtl"]


def cpp_files(root):
    for top in SOURCE_DIRS:
        for d, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(x for x in dirs if x != "build")
            for f in sorted(files):
                if f.endswith((".cpp", ".h")):
                    yield os.path.join(d, f)


def check(clang_format, files, fix):
    bad = []
    for path in files:
        if fix:
            subprocess.run([clang_format, "-i", "--style=file", path], check=True)
            continue
        p = subprocess.run([clang_format, "--dry-run", "--Werror", "--style=file", path],
                           capture_output=True, text=True)
        if p.returncode != 0:
            first = next((l for l in p.stderr.splitlines() if "error:" in l), p.stderr.strip()[:200])
            bad.append(path)
            print(f"{path}: not in the house format ({first.split('error:', 1)[-1].strip()})")
    return bad


def self_test(clang_format, root):
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(root, ".clang-format"), tmp)
        good, bad = os.path.join(tmp, "good.cpp"), os.path.join(tmp, "bad.cpp")
        with open(good, "w") as f:
            f.write("int Add(int a, int b) { return a + b; }\n")
        with open(bad, "w") as f:
            f.write("int Add( int a,int b ){return a+b;}\n")
        ok = not check(clang_format, [good], False) and check(clang_format, [bad], False) == [bad]
    print("self-test: PASS" if ok else "self-test: FAIL (a misformatted file passed, or a formatted one failed)")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--fix", action="store_true", help="rewrite the files in the house format")
    ap.add_argument("--self-test", action="store_true", help="prove the check catches a misformatted file")
    a = ap.parse_args()
    clang_format = shutil.which("clang-format")
    if not clang_format:
        print("check_cpp_format: clang-format is not installed (make deps installs it)", file=sys.stderr)
        return 2
    root = os.path.abspath(a.root)
    if a.self_test:
        return self_test(clang_format, root)
    files = list(cpp_files(root))
    bad = check(clang_format, files, a.fix)
    if a.fix:
        print(f"check_cpp_format: {len(files)} files formatted")
        return 0
    print(f"check_cpp_format: {len(files) - len(bad)} of {len(files)} files in the house format"
          + ("" if not bad else f"; fix with `python3 tools/check_cpp_format.py --fix`"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
