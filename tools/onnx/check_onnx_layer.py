#!/usr/bin/env python3
"""One ONNX node test through the accelerator: nnac --onnx, the golden model and the RTL.

    check_onnx_layer.py --nnac BIN --sim BIN --config CFG --out DIR [--expect FILE] [--results FILE] TEST_DIR

TEST_DIR holds model.onnx and test_data_set_0/{input_<i>.pb, output_0.pb}. nnac compiles the model
with the inputs (in graph input order), compares its reference output (reference operators and
the exact requantization) with output_0.pb (or --expect) bit for bit and runs the bundle on the
golden model (--check); the simulator then runs the bundle on the RTL, whose scoreboard compares
every output byte with that reference. Exit 0 when all three equal the expected output.
--results appends "test<TAB>result" to FILE for `nna_onnx survey --results` (docs/onnx.md's table);
a model nnac refuses before writing a bundle gives "rejected: SENTENCE" (conformance.py reads both).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def numbered(folder, prefix):
    files = [f for f in os.listdir(folder) if re.fullmatch(prefix + r"_\d+\.pb", f)]
    return [os.path.join(folder, f) for f in sorted(files, key=lambda f: int(re.findall(r"\d+", f)[0]))]


def nnac_failure(rc, said, bundle):
    """The result of an nnac that failed: "rejected: SENTENCE" when it refused the model before
    writing the bundle (the caller removes the bundle first), else its last line (a failed check)."""
    if rc < 0:
        return "nnac --onnx was killed by signal %d (a crash)" % -rc
    if said.startswith("nnac: ") and not os.path.exists(bundle):
        return "rejected: " + said[len("nnac: "):]
    return said or "nnac --onnx failed with exit status %d and no message" % rc


def run(cmd):
    """Runs cmd, echoing its output; returns its exit status and its last line on stderr."""
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(p.stderr)
    lines = p.stderr.strip().splitlines()
    return p.returncode, lines[-1] if lines else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nnac", required=True)
    ap.add_argument("--sim", required=True, help="the RTL simulator, e.g. build/tb/nna_sim_tiny")
    ap.add_argument("--config", default="tiny")
    ap.add_argument("--out", required=True)
    ap.add_argument("--expect", help="the expected output (default test_data_set_0/output_0.pb)")
    ap.add_argument("--results", help="append the test's result line to this file")
    ap.add_argument("test_dir")
    a = ap.parse_args()
    return report(a, *check(a))


def report(a, rc, result):
    """Prints the verdict and appends the test's result line to --results (the conformance table's
    input, nna_onnx survey); returns rc."""
    print(("PASS: " if rc == 0 else "FAIL: ") + result)
    if a.results:
        with open(a.results, "a") as f:
            f.write(os.path.basename(os.path.normpath(a.test_dir)) + "\t" + result + "\n")
    return rc


def check(a):
    data = os.path.join(a.test_dir, "test_data_set_0")
    expect = a.expect or os.path.join(data, "output_0.pb")
    bundle = os.path.join(a.out, "bundle")
    shutil.rmtree(bundle, ignore_errors=True)
    nnac = [a.nnac, "--onnx", os.path.join(a.test_dir, "model.onnx"), "--config", a.config, "--out", bundle,
            "--check", "--expect", expect]
    for f in numbered(data, "input"):
        nnac += ["--input", f]
    rc, said = run(nnac)
    if rc != 0:
        return 1, nnac_failure(rc, said, bundle)
    rc, said = run([a.sim, "--bundle", bundle, "--out", os.path.join(a.out, "rtl")])
    if rc != 0:
        return 1, "the RTL (" + a.config + ") differs from the reference: " + said
    return 0, "equal bit for bit: reference, golden model, RTL (" + a.config + ")"


if __name__ == "__main__":
    sys.exit(main())
