#!/usr/bin/env python3
"""A float ONNX graph quantized by nnac, against onnxruntime on the exported QDQ model.

    check_onnx_graph.py --nnac BIN --node BIN --ort DIR --nna-onnx BIN --out DIR
                        [--sim BIN] [--config fsd] [--images N | --input FILE ...]
                        [--activations int8] [--break-initializer NAME ...]
                        [--flip-initializer NAME ...] [--results FILE] MODEL.onnx

1. nna_onnx images writes N seeded synthetic face-like images (the calibration set, seed 1) and
   one more (the run input, seed 99), NHWC float in -1..1 of the graph input's shape. With --input
   (an ONNX node test's data: the run input, then the graph's other inputs, which nnac takes as
   constants) there are no images and nnac calibrates on the run input itself.
2. nnac --onnx quantizes the graph on them, lowers it to one program, runs it on the golden model
   (--check), writes DIR/bundle/onnx_output_<i>.npy and the QDQ model (--export-qdq); its lines on
   the quantization's accuracy against the float model are information.
3. With --sim, the RTL runs the bundle; its scoreboard compares every output byte.
4. onnxruntime runs the QDQ model at its default optimization level on the run input; the graph it
   optimized must have no float Conv, Add, GlobalAveragePool, Gemm, MatMul, Clip or Relu left, nor
   ORT's float FusedConv/FusedGemm (each fused into QLinearConv, QLinearAdd,
   QLinearGlobalAveragePool, QGemm: integer kernels), and
   each quantized output must equal nnac's reference bit for bit.
--activations int8: nnac quantizes and exports int8 activations (the same real values as its uint8
bytes, every zero point 128 lower), and ORT runs the int8 QDQ model.
--break-initializer NAME doubles element 0 of the QDQ model's float initializer NAME before ORT
runs it (nna_onnx scale-initializer; repeatable): the test that shows step 4's comparison fails.
A weight scale goes with its bias scale (both doubled), else ORT no longer fuses that conv.
--flip-initializer NAME turns each kernel of the int8 weights NAME by 180 degrees (nna_onnx
flip-initializer): a deconv exported with its kernel unflipped.
--reimport: then the QDQ export is imported again as a pre-quantized graph (steps 2 and 3 on it),
and every output of it (uint8 and dequantized float) must equal ORT's on the export, bit for bit.
--prequantized: MODEL is itself pre-quantized (QDQ or QOperator): no calibration and no export;
nnac and ORT (on --ort-model FILE if given, else MODEL) run it on the run input.
Exit 0 when everything is equal; the last line says PASS or FAIL and why.
"""
import argparse
import os
import re
import shutil
import sys

from check_float_onnx import run
from check_onnx_layer import nnac_failure, report

HERE = os.path.dirname(os.path.abspath(__file__))


def input_dims(a):
    rc, info, said = run([a.nna_onnx, "info", a.model])
    m = re.search(r"^inputs:\n  \S+: float \[([0-9,]+)\]", info, re.M)
    if rc != 0 or not m:
        sys.exit("FAIL: " + (said or a.model + " has no float graph input of known shape"))
    return m.group(1)


def check(a):
    if a.input:
        x, inputs, calibrate = a.input[0], a.input, []
    else:
        dims = input_dims(a)
        calibration, run_dir = os.path.join(a.out, "calibration"), os.path.join(a.out, "run_input")
        for args in ((dims, str(a.images), "1", calibration), (dims, "1", "99", run_dir)):
            rc, _, said = run([a.nna_onnx, "images", *args])
            if rc != 0:
                return 1, said
        x = os.path.join(run_dir, "image_000.npy")
        inputs, calibrate = [x], ["--calibrate", calibration]
    bundle, qdq = os.path.join(a.out, "bundle"), os.path.join(a.out, "qdq.onnx")
    ort_inputs = [x]  # the export takes the run input only (nnac made the other inputs constants)
    if a.prequantized:
        rc, said = nnac_and_rtl(a, a.model, bundle, inputs, "rtl")
        ort_inputs = inputs
        if rc != 0:
            return rc, said
        qdq = a.ort_model or a.model
        outputs = len([f for f in os.listdir(bundle) if re.match(r"onnx_output_\d+\.npy$", f)])
        cosines = []
    else:
        shutil.rmtree(bundle, ignore_errors=True)
        rc, out, said = run([a.nnac, "--onnx", a.model, "--config", a.config, "--out", bundle,
                             *[x for f in inputs for x in ("--input", f)], *calibrate, "--check",
                             "--export-qdq", qdq, "--activations", a.activations])
        if rc != 0:
            return 1, nnac_failure(rc, said, bundle)
        outputs = len(re.findall(r"^output '", out, re.M))
        cosines = re.findall(r"cosine similarity (\S+)", out)
        if a.sim:
            rc, _, said = run([a.sim, "--bundle", bundle, "--out", os.path.join(a.out, "rtl")])
            if rc != 0:
                return 1, "the RTL (" + a.config + ") differs from the reference: " + said
    for name in a.break_initializer or []:
        rc, _, said = run([a.nna_onnx, "scale-initializer", qdq, qdq, name, "0", "2"])
        if rc != 0:
            return 1, said
    for name in a.flip_initializer or []:
        rc, _, said = run([a.nna_onnx, "flip-initializer", qdq, qdq, name])
        if rc != 0:
            return 1, said
    optimized = os.path.join(a.out, "qdq_ort_optimized.onnx")
    rc, _, said = run([a.node, os.path.join(HERE, "ort_run.mjs"), qdq, *ort_inputs, "--out",
                       os.path.join(a.out, "ort"), "--ort", a.ort, "--save-optimized", optimized])
    if rc != 0:
        return 1, said
    rc, info, said = run([a.nna_onnx, "info", optimized])
    float_ops = "Conv|FusedConv|Add|GlobalAveragePool|Gemm|FusedGemm|MatMul|Clip|Relu"
    unfused = re.findall(r"^  \S+: (?:com\.microsoft\.)?(" + float_ops + r")\(", info, re.M)
    if rc != 0 or unfused:
        return 1, ("onnxruntime left %d float node(s) unfused: %s (see %s)" %
                   (len(unfused), " ".join(sorted(set(unfused))), optimized))
    kernels = ("QLinearConv", "QLinearAdd", "QLinearGlobalAveragePool", "QGemm")
    fused = {op: len(re.findall(r": (?:com\.microsoft\.)?" + op + r"\(", info)) for op in kernels}
    what = "the model" if a.prequantized else "the exported QDQ model"
    rc, said = compare(a, bundle, outputs, what)
    if rc != 0:
        return rc, said
    rtl = ", RTL (" + a.config + ")" if a.sim else ""
    kernels_text = ", ".join("%d %s" % (fused[op], op) for op in kernels if fused[op]) or "no float op left"
    if a.prequantized:
        return 0, ("%d outputs equal bit for bit: ORT on the pre-quantized model (%s), nnac's import of it, "
                   "golden model%s" % (outputs, kernels_text, rtl))
    reimported = ""
    if a.reimport:  # the export imported again: all its outputs, uint8 and float
        again = os.path.join(a.out, "reimport")
        rc, said = nnac_and_rtl(a, qdq, again, [x], "rtl_reimport")
        if rc != 0:
            return rc, "the QDQ export imported again: " + said
        rc, said = compare(a, again, 2 * outputs, "the exported QDQ model (imported again by nnac)")
        if rc != 0:
            return rc, said
        reimported = "; the export imported again as a pre-quantized graph: its %d outputs equal ORT's%s" % (
            2 * outputs, rtl and ", golden model" + rtl)
    return 0, ("%d outputs equal bit for bit: ORT on nnac's QDQ export (%s), "
               "reference, golden model%s; cosine similarity to the float model %s%s" %
               (outputs, kernels_text, rtl, " ".join(cosines), reimported))


def nnac_and_rtl(a, model, bundle, inputs, rtl_dir):
    """nnac on a pre-quantized model (golden model included), then the RTL if asked."""
    shutil.rmtree(bundle, ignore_errors=True)
    rc, _, said = run([a.nnac, "--onnx", model, "--config", a.config, "--out", bundle,
                       *[x for f in inputs for x in ("--input", f)], "--check"])
    if rc != 0:
        return 1, nnac_failure(rc, said, bundle)
    if a.sim:
        rc, _, said = run([a.sim, "--bundle", bundle, "--out", os.path.join(a.out, rtl_dir)])
        if rc != 0:
            return 1, "the RTL (" + a.config + ") differs from the reference: " + said
    return 0, ""


def compare(a, bundle, outputs, what):
    """nnac's onnx_output_<i>.npy against ORT's output_<i>.npy, i < outputs."""
    for i in range(outputs):
        rc, _, said = run([a.nna_onnx, "compare", os.path.join(bundle, "onnx_output_%d.npy" % i),
                           os.path.join(a.out, "ort", "output_%d.npy" % i)])
        if rc != 0:
            return 1, "onnxruntime on %s differs from the accelerator: %s" % (what, said)
    return 0, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nnac", required=True)
    ap.add_argument("--sim", help="the RTL simulator, e.g. build/tb/nna_sim_fsd (else no RTL run)")
    ap.add_argument("--config", default="fsd")
    ap.add_argument("--node", default="node")
    ap.add_argument("--ort", required=True, help="where install_ort.sh installed onnxruntime-node")
    ap.add_argument("--nna-onnx", required=True, help="the nna_onnx tool")
    ap.add_argument("--activations", choices=("uint8", "int8"), default="uint8")
    ap.add_argument("--images", type=int, default=8, help="calibration images (default 8)")
    ap.add_argument("--input", action="append",
                    help="the run input, then the graph's other inputs (repeatable; instead of images)")
    ap.add_argument("--break-initializer", action="append",
                    help="double element 0 of this float initializer of the QDQ model (repeatable)")
    ap.add_argument("--flip-initializer", action="append",
                    help="turn each kernel of this int8 [M,C,kH,kW] initializer of the QDQ model by 180 degrees")
    ap.add_argument("--reimport", action="store_true",
                    help="import the QDQ export again as a pre-quantized graph and compare all its outputs")
    ap.add_argument("--prequantized", action="store_true",
                    help="MODEL is pre-quantized: no calibration or export, ORT runs it (or --ort-model)")
    ap.add_argument("--ort-model", help="with --prequantized: the model ORT runs instead of MODEL")
    ap.add_argument("--out", required=True)
    ap.add_argument("--results", help="append the test's result line to this file")
    ap.add_argument("model")
    a = ap.parse_args()
    # report() names the test by it: a node test's folder, else the model file
    a.test_dir = os.path.dirname(a.model) if os.path.basename(a.model) == "model.onnx" else a.model
    return report(a, *check(a))


if __name__ == "__main__":
    sys.exit(main())
