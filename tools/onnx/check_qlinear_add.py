#!/usr/bin/env python3
"""onnxruntime's QLinearAdd of three scales against the project's reference, every pair of bytes.

    check_qlinear_add.py --qadd-case BIN --node BIN --ort DIR --nna-onnx BIN --out DIR [--fixed-unfused]

qadd_case writes one QLinearAdd model per case (uint8 and int8) with all 65536 input pairs and
ref::QLinearAddValue's expected output; onnxruntime runs each, and every output byte must equal the
expected one. --fixed-unfused gives qadd_case's deliberately wrong fixed part (no fma): then some
case must differ. The last line says PASS or FAIL and why; exit 0 only on PASS.
"""
import argparse
import glob
import os
import sys

from check_float_onnx import run

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--qadd-case", "--ort", "--nna-onnx", "--out"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--node", default="node")
    ap.add_argument("--fixed-unfused", action="store_true")
    a = ap.parse_args()
    cases = os.path.join(a.out, "cases")
    rc, _, said = run([a.qadd_case, *(["--fixed-unfused"] if a.fixed_unfused else []), cases])
    if rc != 0:
        print("FAIL: " + said)
        return 1
    differ = []
    models = sorted(glob.glob(os.path.join(cases, "*.onnx")))
    for model in models:
        name = os.path.splitext(os.path.basename(model))[0]
        stem, ort_out = os.path.join(cases, name), os.path.join(a.out, "ort", name)
        rc, _, said = run([a.node, os.path.join(HERE, "ort_run.mjs"), model, stem + "_a.npy", stem + "_b.npy",
                           "--out", ort_out, "--ort", a.ort])
        if rc != 0:
            print("FAIL: " + said)
            return 1
        rc, _, said = run([a.nna_onnx, "compare", stem + "_y.npy", os.path.join(ort_out, "output_0.npy")])
        if rc != 0:
            differ.append(name + " (" + said + ")")
    if differ:
        print("FAIL: onnxruntime's QLinearAdd differs from the reference in %d of %d cases: %s" %
              (len(differ), len(models), "; ".join(differ)))
        return 1
    print("PASS: onnxruntime's QLinearAdd equals the reference on all 65536 byte pairs of %d cases" % len(models))
    return 0


if __name__ == "__main__":
    sys.exit(main())
