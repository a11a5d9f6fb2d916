#!/usr/bin/env python3
"""The ONNX conformance table: every node test of the accelerator's operators through the accelerator.

    conformance.py --nnac BIN --sim BIN --node BIN --ort DIR --nna-onnx BIN --out DIR
                   [--node-dir DIR] [--op OP ...] [--test NAME ...] [--jobs N] [--timeout S]
                   [--expected FILE] [--break-expected TEST] [--list-only] [--update --docs FILE]

The tests are the rows of `nna_onnx survey NODE_DIR` (every test of libonnx-testdata whose nodes
are all operators the accelerator has or a lowering takes). Each one goes the path
`nna_onnx info` names, nnac --onnx's own choice:
- quantized node: check_onnx_layer.py (nnac's reference against the expected output, golden
  model, tiny RTL, bit for bit);
- float node (one Conv or MatMul): check_float_onnx.py (nnac quantizes it on the test's input; ORT
  on the QDQ export, the golden model and the tiny RTL equal bit for bit);
- float graph (any other float model): check_onnx_graph.py with the test's inputs (the first the
  run input, the others constants), the same comparisons;
- quantized graph (QDQ or QOperator, several nodes): check_onnx_graph.py --prequantized, ORT on
  the model itself.
A test's outcome is "equal", "rejected" (nnac refused the model before writing a bundle: its
sentence) or "differs" (anything else: a mismatch, a crash, a timeout, which is a bug).

--expected FILE (tools/onnx/conformance.tsv) holds "test<TAB>op<TAB>outcome<TAB>detail<TAB>info"
per test; outcome and detail must be what the run gives (info, e.g. the float error, is not
compared), and every test of the survey must have a line (--list-only checks that alone). --op
and --test run a part (CTest runs one op per test). --break-expected TEST changes TEST's expected outcome, to show that a
difference is caught. --update writes FILE from the run and the table of --docs (docs/onnx.md,
between its conformance markers) through `nna_onnx survey --results` (`make onnx-conformance`).
Exit 0 when every result is as expected (or --update wrote it), 1 otherwise, 2 bad usage.
"""
import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys

from check_onnx_layer import numbered

HERE = os.path.dirname(os.path.abspath(__file__))
BEGIN = "<!-- conformance table: written by `make onnx-conformance` (tools/onnx/conformance.py) -->"
END = "<!-- end of the conformance table -->"


def survey(a):
    """The survey's tests in name order: (test, first operator)."""
    p = subprocess.run([a.nna_onnx, "survey", a.node_dir], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("conformance: nna_onnx survey " + a.node_dir + " failed: " + p.stderr.strip())
    rows = []
    for line in p.stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) > 2 and cells[0].startswith("test_"):
            rows.append((cells[0], cells[1].split(",")[0].strip()))
    if not rows:
        sys.exit("conformance: no node tests in " + a.node_dir + ": libonnx-testdata is not installed "
                 "(run `make deps`)")
    return rows


def read_expected(path):
    expected = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            cells = line.rstrip("\n").split("\t")
            if len(cells) != 5 or cells[2] not in ("equal", "rejected", "differs"):
                sys.exit("conformance: %s:%d: not 'test<TAB>op<TAB>equal|rejected|differs<TAB>detail<TAB>info'"
                         % (path, n))
            expected[cells[0]] = cells[1:]
    return expected


def classify(result):
    """(outcome, detail, info) of a checker's result text."""
    if result.startswith("rejected: "):
        return "rejected", result[len("rejected: "):], ""
    m = re.match(r"(?:\d+ outputs )?equal bit for bit: (.*?)(?:; (float error .*|cosine similarity .*))?$", result)
    if m:
        return "equal", m.group(1), m.group(2) or ""
    return "differs", result, ""


def run_one(a, test):
    """Runs one node test through its path; returns (outcome, detail, info)."""
    test_dir, out = os.path.join(a.node_dir, test), os.path.join(a.out, test)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    model = os.path.join(test_dir, "model.onnx")
    info = subprocess.run([a.nna_onnx, "info", model], capture_output=True, text=True)
    path = re.search(r"^nnac --onnx path: (.*)$", info.stdout, re.M)
    if info.returncode != 0 or not path:
        return "differs", "nna_onnx info: " + (info.stderr.strip() or "no path line"), ""
    results = os.path.join(out, "result.tsv")
    common = ["--nnac", a.nnac, "--sim", a.sim, "--out", out, "--results", results]
    ort = ["--node", a.node, "--ort", a.ort, "--nna-onnx", a.nna_onnx]
    if path.group(1) == "quantized node":
        cmd = ["check_onnx_layer.py", *common, "--config", "tiny", test_dir]
    elif path.group(1) == "float node":
        cmd = ["check_float_onnx.py", *common, *ort, test_dir]
    elif path.group(1) in ("float graph", "quantized graph"):
        inputs = [x for f in numbered(os.path.join(test_dir, "test_data_set_0"), "input") for x in ("--input", f)]
        pre = ["--prequantized"] if path.group(1) == "quantized graph" else []
        cmd = ["check_onnx_graph.py", *common, *ort, "--config", "tiny", *pre, *inputs, model]
    else:
        return "differs", "nna_onnx info names a path this script does not know: " + path.group(1), ""
    cmd = [sys.executable, os.path.join(HERE, cmd[0]), *cmd[1:]]
    with open(os.path.join(out, "log.txt"), "w") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        # A session of its own, so that a hang is ended with everything the check started.
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            p.wait(timeout=a.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return "differs", "the check took more than %g s (a hang? see %s/log.txt)" % (a.timeout, out), ""
    lines = open(results).read().splitlines() if os.path.exists(results) else []
    if p.returncode < 0 or not lines:
        return "differs", "the check ended without a result (exit %d, see %s/log.txt)" % (p.returncode, out), ""
    # The run folder differs between runs (make's, CTest's): named <run> in the result.
    return classify(lines[-1].split("\t", 1)[1].replace(out, "<run>"))


def write_docs(a, rows, results):
    """docs/onnx.md's table between the markers: the summary, then nna_onnx survey's table."""
    filled = os.path.join(a.out, "survey_results.tsv")
    with open(filled, "w") as f:
        for test, (outcome, detail, info) in sorted(results.items()):
            text = {"equal": "equal bit for bit: ", "rejected": "rejected: ", "differs": "DIFFERS: "}[outcome]
            f.write(test + "\t" + text + detail + ("; " + info if info else "") + "\n")
    p = subprocess.run([a.nna_onnx, "survey", a.node_dir, "--results", filled], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("conformance: nna_onnx survey failed: " + p.stderr.strip())
    per_op = collections.OrderedDict()
    for test, op in rows:
        per_op.setdefault(op, collections.Counter())[results[test][0]] += 1
    total = collections.Counter(r[0] for r in results.values())

    def counts(c):
        return ", ".join("%d %s" % (c[k], k if k != "differs" else "differ") for k in ("equal", "rejected", "differs")
                         if c[k])

    summary = ("%d tests: %s. Per first operator: %s." %
               (len(results), counts(total), "; ".join(op + " " + counts(per_op[op]) for op in sorted(per_op))))
    with open(a.docs) as f:
        doc = f.read()
    if doc.count(BEGIN) != 1 or doc.count(END) != 1:
        sys.exit("conformance: " + a.docs + " must hold the markers '" + BEGIN + "' and '" + END + "' once each")
    head, rest = doc.split(BEGIN)
    tail = rest.split(END)[1]
    with open(a.docs, "w") as f:
        f.write(head + BEGIN + "\n" + summary + "\n\n" + p.stdout + END + tail)
    print("conformance: wrote " + a.docs + ": " + summary)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nnac", required=True)
    ap.add_argument("--sim", required=True, help="the tiny RTL simulator (build/tb/nna_sim_tiny)")
    ap.add_argument("--node", default="node")
    ap.add_argument("--ort", required=True, help="where install_ort.sh installed onnxruntime-node")
    ap.add_argument("--nna-onnx", required=True, help="the nna_onnx tool")
    ap.add_argument("--out", required=True, help="one folder per test: its runs, log.txt and result")
    ap.add_argument("--node-dir", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--op", action="append", help="only the tests whose first operator is OP (repeatable)")
    ap.add_argument("--test", action="append", help="only this test (repeatable)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120,
                    help="seconds per test (an equal one takes 1 to 3): a hang is a result, not a stuck CTest")
    ap.add_argument("--expected", default=os.path.join(HERE, "conformance.tsv"))
    ap.add_argument("--break-expected", metavar="TEST", help="expect TEST's other outcome (a check that must fail)")
    ap.add_argument("--list-only", action="store_true",
                    help="run nothing: check that --expected lists the survey's tests, no more, no fewer")
    ap.add_argument("--update", action="store_true", help="write --expected and --docs from the run")
    ap.add_argument("--docs", help="with --update: the page whose conformance table is rewritten")
    a = ap.parse_args()
    if a.update and (a.op or a.test or a.break_expected or not a.docs):
        ap.error("--update runs every test and needs --docs (no --op, --test, --break-expected)")
    for tool in (a.nnac, a.sim, a.nna_onnx):
        if not os.path.exists(tool):
            ap.error(tool + " does not exist: build first (make build)")
    if not shutil.which(a.node):
        print("FAIL: node (" + a.node + ") is not installed: run `make deps`")
        return 2

    rows = survey(a)
    op_of = dict(rows)
    expected = {} if a.update else read_expected(a.expected)
    failures = []
    if not a.update and not a.test:  # with --op, the tests of those ops
        for test in sorted(set(op_of) - set(expected)):
            if not a.op or op_of[test] in a.op:
                failures.append(test + ": in the survey but not in " + a.expected)
        for test in sorted(set(expected) - set(op_of)):
            if not a.op or expected[test][0] in a.op:
                failures.append(test + ": in " + a.expected + " but not in the survey of " + a.node_dir)
    if a.list_only:
        for f in failures:
            print("FAIL: " + f)
        print("FAIL: the survey's tests differ from " + a.expected if failures else
              "PASS: the survey's %d tests are those of %s" % (len(rows), a.expected))
        return 1 if failures else 0
    if a.break_expected:
        if a.break_expected not in expected:
            ap.error("--break-expected " + a.break_expected + ": no such test in " + a.expected)
        e = expected[a.break_expected]
        e[1:3] = ["rejected" if e[1] == "equal" else "equal", "(broken on purpose)"]
    chosen = [t for t, op in rows if (not a.op or op in a.op) and (not a.test or t in a.test)]
    if not chosen:
        ap.error("no test matches --op/--test")

    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        for test, r in zip(chosen, pool.map(lambda t: run_one(a, t), chosen)):
            results[test] = r
            print("%-58s %-8s %s%s" % (test, r[0], r[1], " (" + r[2] + ")" if r[2] else ""), flush=True)
            if not a.update and test in expected and expected[test][1:3] != list(r[:2]):
                failures.append("%s: expected %s: %s; got %s: %s (run log: %s)" %
                                (test, expected[test][1], expected[test][2], r[0], r[1],
                                 os.path.join(a.out, test, "log.txt")))

    if a.update:
        with open(a.expected, "w") as f:
            f.write("# test\top\toutcome\tdetail\tinfo (not compared). Written by `make onnx-conformance`; "
                    "CTest (onnx.conformance_*) requires a run to give the same outcome and detail.\n")
            for test, op in rows:
                f.write("\t".join([test, op, *results[test]]) + "\n")
        print("conformance: wrote " + a.expected)
        write_docs(a, rows, results)
        differs = [t for t, r in results.items() if r[0] == "differs"]
        if differs:
            print("conformance: %d test(s) differ, which is a bug to fix: %s" % (len(differs), " ".join(differs)))
        return 0
    for f in failures:
        print("FAIL: " + f)
    counts = collections.Counter(r[0] for r in results.values())
    print(("FAIL: %d difference(s) from %s" % (len(failures), a.expected)) if failures else
          "PASS: %d tests as expected (%s)" % (len(results), ", ".join("%d %s" % (n, k) for k, n in counts.items())))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
