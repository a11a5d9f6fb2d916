#!/usr/bin/env python3
"""One ONNX backend node test on onnxruntime: the reference path end to end.

    check_node_test.py --node NODE --ort DIR --nna-onnx BIN --out DIR TEST_DIR

For every test_data_set_* of TEST_DIR (model.onnx, input_<i>.pb, output_<i>.pb), runs the model on
its inputs with tools/onnx/ort_run.mjs and compares each output with the expected one through
`nna_onnx compare`, bit for bit; --rtol/--atol allow float outputs a tolerance (the ONNX backend
tests use rtol 1e-3, atol 1e-7: ORT's float kernels need not round as NumPy's reference did).
Prints one line per output and PASS or FAIL; exit 0 pass, 1 mismatch, 2 missing tool or data.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def numbered(folder, prefix):
    files = [f for f in os.listdir(folder) if re.fullmatch(prefix + r"_\d+\.pb", f)]
    return [os.path.join(folder, f) for f in sorted(files, key=lambda f: int(re.findall(r"\d+", f)[0]))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--node", default="node")
    ap.add_argument("--ort", required=True, help="where install_ort.sh installed onnxruntime-node")
    ap.add_argument("--nna-onnx", required=True, help="the nna_onnx tool")
    ap.add_argument("--out", required=True)
    ap.add_argument("--rtol", default="0")
    ap.add_argument("--atol", default="0")
    ap.add_argument("--npy-inputs", action="store_true",
                    help="convert the inputs to .npy first (nna_onnx convert), to test that path")
    ap.add_argument("test_dir")
    a = ap.parse_args()

    if not shutil.which(a.node):
        print(f"FAIL: node ({a.node}) is not installed: run `make deps`")
        return 2
    model = os.path.join(a.test_dir, "model.onnx")
    if not os.path.exists(model):
        print(f"FAIL: no {model}: libonnx-testdata is not installed (run `make deps`)")
        return 2
    sets = sorted(d for d in os.listdir(a.test_dir) if d.startswith("test_data_set_"))
    failed = False
    for s in sets:
        folder, out = os.path.join(a.test_dir, s), os.path.join(a.out, s)
        shutil.rmtree(out, ignore_errors=True)
        inputs = numbered(folder, "input")
        if a.npy_inputs:
            os.makedirs(os.path.join(out, "inputs"))
            npy = [os.path.join(out, "inputs", os.path.basename(f)[:-3] + ".npy") for f in inputs]
            for pb, n in zip(inputs, npy):
                subprocess.run([a.nna_onnx, "convert", pb, n], check=True)
            inputs = npy
        run = subprocess.run([a.node, os.path.join(HERE, "ort_run.mjs"), model, *inputs, "--out", out, "--ort", a.ort],
                             capture_output=True, text=True)
        sys.stdout.write(run.stdout)
        if run.returncode != 0:
            print(f"FAIL: {run.stderr.strip()}")
            return 2
        for i, expected in enumerate(numbered(folder, "output")):
            actual = os.path.join(out, f"output_{i}.npy")
            cmp = subprocess.run([a.nna_onnx, "compare", expected, actual, "--rtol", a.rtol, "--atol", a.atol],
                                 capture_output=True, text=True)
            print(f"{s} output_{i}: {(cmp.stdout + cmp.stderr).strip()}")
            failed |= cmp.returncode != 0
    print("FAIL" if failed else f"PASS ({len(sets)} data sets)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
