#!/usr/bin/env python3
"""A float ONNX node test quantized by nnac, against onnxruntime on the exported QDQ model.

    check_float_onnx.py --nnac BIN --sim BIN --node BIN --ort DIR --nna-onnx BIN --out DIR
                        [--calibrate DIR | --spread-calibration] [--activations int8]
                        [--break-weight-scale]
                        [--results FILE] TEST_DIR

TEST_DIR holds a float model.onnx (one Conv or MatMul) and test_data_set_0/{input_<i>.pb,
output_0.pb}.
1. nnac --onnx quantizes it (calibrated on --calibrate's tensors, else on the test's own input),
   compiles it for tiny, runs it on the golden model (--check), writes the QDQ model
   (--export-qdq) and prints the float error against output_0.pb (information only).
2. The tiny RTL runs the bundle; its scoreboard compares every output byte with the reference.
3. onnxruntime runs the QDQ model at its default optimization level on the same float input; the
   graph it optimized must hold a QLinearConv or QLinearMatMul (the DQ-op-Q group fused), and its
   quantized output (output_0) must equal nnac's reference bit for bit.
--spread-calibration calibrates on a folder made from the test's input: itself, times -0.5 and times
1.25 (a range below 0, so a nonzero input zero point). --break-weight-scale doubles channel 0's
weight scale in the exported model (nna_onnx scale-initializer) before ORT runs it: the test that
shows step 3's comparison fails.
Exit 0 when everything is equal; the last line says PASS or FAIL and why.
"""
import argparse
import array
import ast
import os
import re
import shutil
import subprocess
import sys

from check_onnx_layer import nnac_failure, numbered, report

HERE = os.path.dirname(os.path.abspath(__file__))


def read_npy_float32(path):
    """The header and the values of a little-endian float32 .npy (version 1.0, as nna_onnx writes)."""
    with open(path, "rb") as f:
        raw = f.read()
    size = int.from_bytes(raw[8:10], "little")
    header = ast.literal_eval(raw[10:10 + size].decode("latin1"))
    if header["descr"] != "<f4" or header["fortran_order"]:
        sys.exit(path + ": is " + str(header) + ", not a float32 C-order .npy")
    values = array.array("f")
    values.frombytes(raw[10 + size:])
    return raw[:10 + size], values


def spread_calibration(a, x_pb, folder):
    """Writes the calibration folder of --spread-calibration from the test's input."""
    os.makedirs(folder, exist_ok=True)
    x_npy = os.path.join(folder, "x.npy")
    subprocess.run([a.nna_onnx, "convert", x_pb, x_npy], check=True, stdout=subprocess.DEVNULL)
    header, values = read_npy_float32(x_npy)
    for name, k in (("x_times_minus_0_5", -0.5), ("x_times_1_25", 1.25)):
        with open(os.path.join(folder, name + ".npy"), "wb") as f:
            f.write(header + array.array("f", [v * k for v in values]).tobytes())


def run(cmd):
    """Runs cmd, echoing its output; returns its exit status, stdout and last line on stderr."""
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    lines = (p.stderr.strip() or p.stdout.strip()).splitlines()
    return p.returncode, p.stdout, lines[-1] if lines else ""


def check(a):
    data = os.path.join(a.test_dir, "test_data_set_0")
    inputs = numbered(data, "input")
    bundle, qdq = os.path.join(a.out, "bundle"), os.path.join(a.out, "qdq.onnx")
    shutil.rmtree(bundle, ignore_errors=True)
    nnac = [a.nnac, "--onnx", os.path.join(a.test_dir, "model.onnx"), "--config", a.config, "--out", bundle,
            "--check", "--expect", os.path.join(data, "output_0.pb"), "--export-qdq", qdq]
    if a.spread_calibration:
        a.calibrate = os.path.join(a.out, "calibration")
        spread_calibration(a, inputs[0], a.calibrate)
    if a.calibrate:
        nnac += ["--calibrate", a.calibrate]
    if a.activations:
        nnac += ["--activations", a.activations]
    for f in inputs:
        nnac += ["--input", f]
    rc, out, said = run(nnac)
    if rc != 0:
        return 1, nnac_failure(rc, said, bundle)
    error = re.search(r"max abs \S+ = (\S+) output LSBs", out)
    if not a.no_rtl:
        rc, _, said = run([a.sim, "--bundle", bundle, "--out", os.path.join(a.out, "rtl")])
        if rc != 0:
            return 1, "the RTL (" + a.config + ") differs from the reference: " + said
    if a.break_weight_scale:
        rc, _, said = run([a.nna_onnx, "scale-initializer", qdq, qdq, "w_scale", "0", "2"])
        if rc != 0:
            return 1, said
    optimized = os.path.join(a.out, "qdq_ort_optimized.onnx")
    rc, _, said = run([a.node, os.path.join(HERE, "ort_run.mjs"), qdq, inputs[0], "--out",
                       os.path.join(a.out, "ort"), "--ort", a.ort, "--save-optimized", optimized])
    if rc != 0:
        return 1, said
    rc, info, said = run([a.nna_onnx, "info", optimized])
    fused = re.search(r"(QLinearConv|QLinearMatMul)\(", info)
    if rc != 0 or not fused:
        return 1, ("onnxruntime did not fuse the exported DQ-op-Q group into an integer kernel (see " +
                   optimized + ")")
    rc, _, said = run([a.nna_onnx, "compare", os.path.join(bundle, "onnx_output.npy"),
                       os.path.join(a.out, "ort", "output_0.npy")])
    if rc != 0:
        return 1, "onnxruntime on the exported QDQ model differs from the accelerator: " + said
    rtl = "" if a.no_rtl else ", RTL (" + a.config + ")"
    return 0, ("equal bit for bit: ORT on nnac's QDQ export (fused to " + fused.group(1) +
               "), reference, golden model" + rtl + "; float error " + (error.group(1) if error else "?") + " LSB")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nnac", required=True)
    ap.add_argument("--sim", help="the RTL simulator, e.g. build/tb/nna_sim_tiny")
    ap.add_argument("--no-rtl", action="store_true", help="skip the RTL (step 2)")
    ap.add_argument("--config", default="tiny")
    ap.add_argument("--node", default="node")
    ap.add_argument("--ort", required=True, help="where install_ort.sh installed onnxruntime-node")
    ap.add_argument("--nna-onnx", required=True, help="the nna_onnx tool")
    ap.add_argument("--calibrate", help="a folder of calibration input tensors (.npy, .pb)")
    ap.add_argument("--spread-calibration", action="store_true",
                    help="calibrate on the input, times -0.5 and times 1.25 (made in OUT/calibration)")
    ap.add_argument("--activations", help="passed to nnac: uint8 (default) or int8 input and output")
    ap.add_argument("--break-weight-scale", action="store_true",
                    help="double channel 0's weight scale in the exported model before ORT runs it")
    ap.add_argument("--out", required=True)
    ap.add_argument("--results", help="append the test's result line to this file")
    ap.add_argument("test_dir")
    a = ap.parse_args()
    if not a.no_rtl and not a.sim:
        ap.error("--sim is required unless --no-rtl")
    return report(a, *check(a))


if __name__ == "__main__":
    sys.exit(main())
