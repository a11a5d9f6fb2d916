#!/usr/bin/env python3
"""make fuzz: a seeded mutator over the project's readers (docs/regression.md, "Fuzzing").

Targets, each fed mutations of valid inputs from vectors/ and of bundles nnac builds from them:
  test_yaml     a test description         nnac --test NAME --config tiny --vectors DIR --out DIR
  network_yaml  a network description      nnac --network NAME --config tiny --vectors DIR --table
  bundle_yaml   bundle.yaml                nna_perf --bundle DIR
  bundle_bin    dram.bin and ref_*.bin     nna_perf --bundle DIR, then the co-simulation below
  program       the program's bytes        nna_sim_tiny --bundle DIR --final-dram golden (the RTL must
                                           agree with the golden model: events, status, final DRAM)
  nnac_args     nnac's command line
  sim_args      nna_sim_tiny's command line
A run fails on a signal (a crash), a sanitizer report, its wall-clock limit (a hang), an exit
status the tool does not document, a co-simulation mismatch (exit 1 of the simulator: the RTL
and the golden model disagree) or a bad-input message that is not one line of at most
MAX_MESSAGE characters free of C++ library text. Each distinct failure is kept under
<out>/findings/<n>/ with the input and a repro.sh; the summary line counts runs and findings.
Seeded: the same --seed and --count make the same inputs.
"""
import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "regress"))
from runner import run_captured  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MAX_MESSAGE = 400
# Text that means an exception reached the user without the reader's own sentence.
LIBRARY_TEXT = re.compile(r"std::|basic_string|_M_|bad_alloc|\bsto(u?ll|i|l|ul|d)\b|terminate called|"
                          r"vector::|map::at|bad_cast|bad_optional|invalid node|operator\[\] call|"
                          r"bad conversion$|^nnac: $|^nna sim: $")
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")
SEED_TESTS = ["conv1x1_small", "eltwise_add", "scale", "conv3x3_c1", "pool_max2x2_s2", "fig6_two_buffers",
              "deconv2x2_s2", "inner_product_4096"]
SEED_NETWORKS = ["tiny_net", "skip_net"]
SIM_BUNDLES = ["conv1x1_small", "eltwise_add", "fig6_two_buffers"]  # small programs for the RTL
HUGE = ["18446744073709551616", "18446744073709551600", "4294967296", "2147483648", "-1", "-9223372036854775808",
        "1e309", "0x7fffffffffffffff", "99999999999999999999999", "nan", "inf", ".5", "0", "''", "~", "[]", "{}",
        "[1, [2, [3]]]", "&a x", "*a", "!!binary AAAA", "\"\\u0000\"", "x" * 5000]


class Tools:
    def __init__(self, build, asan):
        build, asan = os.path.abspath(build), os.path.abspath(asan) if asan else ""
        self.nnac = os.path.join(build, "compiler", "nnac")
        self.sim = os.path.join(build, "tb", "nna_sim_tiny")
        self.perf = os.path.join(build, "tools", "nna_perf", "nna_perf")
        # The readers with the sanitizers, when that build exists.
        self.nnac_asan = os.path.join(asan, "compiler", "nnac") if asan else self.nnac
        self.perf_asan = os.path.join(asan, "tools", "nna_perf", "nna_perf") if asan else self.perf
        for t in (self.nnac, self.sim, self.perf, self.nnac_asan, self.perf_asan):
            if not os.access(t, os.X_OK):
                sys.exit(f"fuzz: {t} does not exist or is not executable (build it first)")


# ---------------------------------------------------------------------------------------------
# Mutators: each takes the bytes and the random generator and returns new bytes.

def flip_bit(d, r):
    if not d:
        return d
    i = r.randrange(len(d))
    return d[:i] + bytes([d[i] ^ (1 << r.randrange(8))]) + d[i + 1:]


def set_byte(d, r):
    if not d:
        return bytes([r.randrange(256)])
    i = r.randrange(len(d))
    return d[:i] + bytes([r.choice([0, 0xff, 0x7f, 0x80, r.randrange(256)])]) + d[i + 1:]


def delete_range(d, r):
    if not d:
        return d
    i = r.randrange(len(d))
    return d[:i] + d[i + r.randint(1, min(64, len(d) - i)):]


def duplicate_range(d, r):
    if not d:
        return d
    i = r.randrange(len(d))
    n = r.randint(1, min(64, len(d) - i))
    return d[:i + n] + d[i:i + n] + d[i + n:]


def truncate(d, r):
    return d[:r.randrange(len(d) + 1)]


def empty(d, r):
    return b""


BYTE_MUTATORS = [flip_bit, set_byte, delete_range, duplicate_range, truncate, empty]


def lines_of(d):
    return d.decode("utf-8", "replace").split("\n")


def join(lines):
    return "\n".join(lines).encode()


def dup_line(d, r):  # repeats a key: a duplicate the readers must reject
    ls = lines_of(d)
    i = r.randrange(len(ls))
    return join(ls[:i + 1] + [ls[i]] + ls[i + 1:])


def drop_line(d, r):
    ls = lines_of(d)
    del ls[r.randrange(len(ls))]
    return join(ls)


def swap_lines(d, r):
    ls = lines_of(d)
    i, j = r.randrange(len(ls)), r.randrange(len(ls))
    ls[i], ls[j] = ls[j], ls[i]
    return join(ls)


def swap_keys(d, r):  # the names of two keys exchanged, values kept
    ls = lines_of(d)
    keyed = [i for i, l in enumerate(ls) if re.match(r"^\s*[\w-]+:", l)]
    if len(keyed) < 2:
        return dup_line(d, r)
    i, j = r.sample(keyed, 2)
    ki, kj = re.match(r"^\s*([\w-]+):", ls[i]).group(1), re.match(r"^\s*([\w-]+):", ls[j]).group(1)
    ls[i] = ls[i].replace(ki + ":", kj + ":", 1)
    ls[j] = ls[j].replace(kj + ":", ki + ":", 1)
    return join(ls)


def odd_value(d, r):  # a number, or a whole value, replaced by a huge or odd one
    text = d.decode("utf-8", "replace")
    spots = [m.span() for m in re.finditer(r"-?\b\d+\b|(?<=: )[^\n{}\[\],]+", text)]
    if not spots:
        return text.encode() + b"\nx: " + r.choice(HUGE).encode()
    a, b = r.choice(spots)
    return (text[:a] + r.choice(HUGE) + text[b:]).encode()


def reindent(d, r):
    ls = lines_of(d)
    i = r.randrange(len(ls))
    ls[i] = r.choice(["", " ", "  ", "\t", "    "]) + ls[i].lstrip()
    return join(ls)


def alias_bomb(d, r):  # anchors and aliases nested a few levels (no more than a few thousand nodes)
    bomb = "bomb0: &b0 [x, x, x, x]\n" + "".join(f"bomb{k}: &b{k} [*b{k - 1}, *b{k - 1}, *b{k - 1}, *b{k - 1}]\n"
                                                  for k in range(1, 6))
    return bomb.encode() + d


TEXT_MUTATORS = [dup_line, drop_line, swap_lines, swap_keys, odd_value, odd_value, reindent, alias_bomb]


def mutate_text(d, r):
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        d = r.choice(TEXT_MUTATORS + BYTE_MUTATORS[:4])(d, r)
    if r.random() < 0.03:
        d = empty(d, r)
    return d


def mutate_args(args, r):
    args = list(args)
    for _ in range(r.choice([1, 1, 2])):
        k = r.randrange(7)
        i = r.randrange(len(args)) if args else 0
        if k == 0 and args:
            del args[i]
        elif k == 1 and args:
            args.insert(i, args[i])
        elif k == 2 and len(args) > 1:
            j = r.randrange(len(args))
            args[i], args[j] = args[j], args[i]
        elif k == 3 and args:
            args[i] = r.choice(HUGE + ["", "--", "-", "=", "none", "--help", "x,", ",", "a,,b", "/"])
        elif k == 4:
            args.insert(i, r.choice(["--bogus", "--seed", "--config", "--out", "--test", "--network", "--bundle",
                                     "--repeat", "--max-cycles", "--watchdog-cycles", "--inject", "--abort-at",
                                     "--dram-bandwidth", "--sram-budget", "--queue", "--act-cache", "+verilator+x"]))
        elif k == 5 and args:
            args[i] = args[i] + r.choice(["0", "x", "=1", "\u00e9"])
        else:
            args.append(r.choice(HUGE))
    return args


# ---------------------------------------------------------------------------------------------
# Runs and checks.

def run(cmd, timeout, cwd=None):
    t0 = time.monotonic()
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=0", UBSAN_OPTIONS="print_stacktrace=1")
    rc, out, err, hang = run_captured(cmd, timeout, cwd=cwd, env=env)
    return rc, out, err, hang, time.monotonic() - t0


def judge(rc, out, err, hang, ok_exits, bad_exit, prefix, mismatch_exit=None):
    """None when the run is acceptable, else (kind, detail)."""
    if hang:
        return "hang", "killed at the wall-clock limit"
    if SANITIZER.search(err):
        return "sanitizer", next(l for l in err.splitlines() if SANITIZER.search(l))
    if rc < 0:
        return "crash", f"signal {-rc} ({signal.Signals(-rc).name})"
    if rc == mismatch_exit:
        fails = [l for l in (out + err).splitlines() if "FAIL" in l or "mismatch" in l or "error" in l]
        return "mismatch", (fails[-1] if fails else f"exit {rc}")[:300]
    if rc in ok_exits:
        return None
    if rc != bad_exit:
        return "exit", f"exit {rc} (documented: {sorted(ok_exits | {bad_exit})})"
    msg = err.rstrip("\n")
    if not msg.strip():
        return "message", "no message on stderr"
    if "\n" in msg:
        return "message", f"{len(msg.splitlines())} lines: " + " | ".join(msg.splitlines()[:3])[:300]
    if len(msg) > MAX_MESSAGE:
        return "message", f"{len(msg)} characters: {msg[:200]}..."
    if not msg.startswith(prefix):
        return "message", f"does not start with '{prefix}': {msg[:200]}"
    if LIBRARY_TEXT.search(msg):
        return "message", f"library text: {msg[:300]}"
    return None


def signature(target, kind, detail):
    # Numbers, quoted values and paths vary between inputs of one cause.
    d = re.sub(r"'[^']*'|\"[^\"]*\"", "Q", detail)
    d = re.sub(r"(/[\w.+-]+)+", "P", d)
    d = re.sub(r"0x[0-9a-f]+|\d+", "N", d)
    return (target, kind, d[:120])


class Fuzzer:
    def __init__(self, a):
        self.a, self.r = a, random.Random(a.seed)
        self.tools = Tools(a.build, a.asan_build)
        a.out = os.path.abspath(a.out)
        self.work = os.path.join(a.out, "work")
        self.findings, self.seen, self.runs, self.counts = [], set(), 0, {}
        shutil.rmtree(a.out, ignore_errors=True)
        os.makedirs(self.work)
        self.vectors = os.path.join(ROOT, "vectors")
        self.bundles = {}
        for t in SIM_BUNDLES:  # valid bundles to mutate, built once
            d = os.path.join(a.out, "seed_bundles", t)
            rc, out, err, _, _ = run([self.tools.nnac, "--test", t, "--config", "tiny", "--out", d], 120)
            if rc != 0:
                sys.exit(f"fuzz: nnac could not build the seed bundle {t}: {err.strip()}")
            self.bundles[t] = d

    # One input folder per run, reused: only the failing ones are kept (copied to findings/).
    def fresh(self, name):
        d = os.path.join(self.work, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    def record(self, target, verdict, cmd, inputs, stdout, stderr):
        kind, detail = verdict
        self.counts[kind] = self.counts.get(kind, 0) + 1
        sig = signature(target, kind, detail)
        if sig in self.seen:
            return
        self.seen.add(sig)
        n = len(self.findings)
        d = os.path.join(self.a.out, "findings", f"{n:03d}_{target}_{kind}")
        os.makedirs(d)
        kept = []
        for src in inputs:
            dst = os.path.join(d, os.path.basename(src.rstrip("/")))
            (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, dst)
            kept.append(dst)
        repro = " ".join(_quote(c) for c in cmd)
        for src, dst in zip(inputs, kept):
            repro = repro.replace(src, dst)
        with open(os.path.join(d, "repro.sh"), "w") as f:
            f.write(f"#!/bin/sh\n# {target}: {kind}: {detail}\n{repro}\n")
        with open(os.path.join(d, "output.txt"), "w") as f:
            f.write(stdout[-20000:] + "\n--- stderr ---\n" + stderr[-20000:])
        self.findings.append((target, kind, detail, d))
        print(f"fuzz: FINDING {n}: {target}: {kind}: {detail}  ({d}/repro.sh)", flush=True)

    def check(self, target, cmd, inputs, ok_exits, bad_exit, prefix, mismatch_exit=None, timeout=None):
        # In the work folder: a mutated command line may name any relative path as its output.
        rc, out, err, hang, _ = run(cmd, timeout or self.a.timeout, cwd=self.work)
        self.runs += 1
        self.counts[target] = self.counts.get(target, 0) + 1
        v = judge(rc, out, err, hang, ok_exits, bad_exit, prefix, mismatch_exit)
        if v:
            self.record(target, v, cmd, inputs, out, err)
        return rc, out

    # -- targets ---------------------------------------------------------------------------------
    def test_yaml(self):
        name = self.r.choice(SEED_TESTS)
        vec = self.fresh("vectors")
        with open(os.path.join(self.vectors, name + ".yaml"), "rb") as f:
            data = mutate_text(f.read(), self.r)
        with open(os.path.join(vec, name + ".yaml"), "wb") as f:
            f.write(data)
        out = os.path.join(self.work, "out")
        self.check("test_yaml", [self.tools.nnac_asan, "--test", name, "--config", "tiny", "--vectors", vec,
                                 "--out", out], [vec], {0}, 1, "nnac: ")

    def network_yaml(self):
        name = self.r.choice(SEED_NETWORKS)
        vec = self.fresh("vectors")
        os.makedirs(os.path.join(vec, "networks"))
        with open(os.path.join(self.vectors, "networks", name + ".yaml"), "rb") as f:
            data = mutate_text(f.read(), self.r)
        with open(os.path.join(vec, "networks", name + ".yaml"), "wb") as f:
            f.write(data)
        self.check("network_yaml", [self.tools.nnac_asan, "--network", name, "--config", "tiny", "--vectors", vec,
                                    "--table"], [vec], {0}, 1, "nnac: ")

    def _bundle_copy(self):
        src = self.bundles[self.r.choice(SIM_BUNDLES)]
        d = os.path.join(self.fresh("bundle_parent"), "bundle")
        shutil.copytree(src, d)
        return d

    def bundle_yaml(self):
        d = self._bundle_copy()
        p = os.path.join(d, "bundle.yaml")
        with open(p, "rb") as f:
            data = mutate_text(f.read(), self.r)
        with open(p, "wb") as f:
            f.write(data)
        self.check("bundle_yaml", [self.tools.perf_asan, "--bundle", d], [d], {0}, 2, "nna_perf: ")

    def bundle_bin(self):
        d = self._bundle_copy()
        files = sorted(f for f in os.listdir(d) if f.endswith(".bin"))
        p = os.path.join(d, self.r.choice(files))
        with open(p, "rb") as f:
            data = f.read()
        # Sizes matter to the reader; contents to the models (the program target covers those).
        data = self.r.choice([truncate, duplicate_range, delete_range, empty, flip_bit])(data, self.r)
        with open(p, "wb") as f:
            f.write(data)
        self.check("bundle_bin", [self.tools.perf_asan, "--bundle", d], [d], {0}, 2, "nna_perf: ")

    def program(self):
        d = self._bundle_copy()
        with open(os.path.join(d, "bundle.yaml")) as f:
            meta = f.read()
        addr = int(re.search(r"^prog_dram_addr: *(\w+)", meta, re.M).group(1), 0)
        words = int(re.search(r"^prog_words: *(\w+)", meta, re.M).group(1), 0)
        p = os.path.join(d, "dram.bin")
        with open(p, "rb") as f:
            data = bytearray(f.read())
        prog = bytes(data[addr:addr + words * 32])
        for _ in range(self.r.choice([1, 1, 1, 2, 4])):
            prog = self.r.choice([flip_bit, flip_bit, flip_bit, set_byte])(prog, self.r)
        data[addr:addr + words * 32] = prog
        with open(p, "wb") as f:
            f.write(data)
        out = os.path.join(self.work, "sim_out")
        self.check("program", [self.tools.sim, "--bundle", d, "--out", out, "--quiet", "--watchdog-cycles", "2000",
                               "--max-cycles", str(self.a.max_cycles), "--final-dram", "golden"], [d], {0, 3}, 2, "nna sim: ",
                   mismatch_exit=1)

    def nnac_args(self):
        base = self.r.choice([["--test", "conv1x1_small", "--config", "tiny", "--out", "OUT"],
                              ["--network", "tiny_net", "--config", "tiny", "--table"],
                              ["--test", "random", "--seed", "7", "--config", "tiny", "--out", "OUT"]])
        out = os.path.join(self.work, "args_out")
        args = [out if x == "OUT" else x for x in mutate_args(base, self.r)]
        self.check("nnac_args", [self.tools.nnac_asan] + args, [], {0}, 1, "nnac: ")

    def sim_args(self):
        base = self.r.choice([["--test", "conv1x1_small", "--max-cycles", "20000"],
                              ["--bundle", self.bundles["eltwise_add"], "--max-cycles", "20000"],
                              ["--test", "conv1x1_small,eltwise_add", "--repeat", "1", "--max-cycles", "60000"],
                              ["--test", "conv1x1_small", "--inject", "watchdog", "--watchdog-cycles", "2000"]])
        out = os.path.join(self.work, "sim_args_out")
        args = mutate_args(base, self.r) + ["--quiet", "--out", out]
        # 1: a mismatch or an error status, which a changed option may legally cause (--inject).
        self.check("sim_args", [self.tools.sim] + args, [], {0, 1, 3}, 2, "nna sim: ")

    def go(self):
        targets = [t for t in self.a.targets.split(",") if t]
        t0, i = time.monotonic(), 0
        while True:
            if self.a.count and i >= self.a.count:
                break
            if not self.a.count and time.monotonic() - t0 >= self.a.time:
                break
            getattr(self, targets[i % len(targets)])()
            i += 1
        wall = time.monotonic() - t0
        per = ", ".join(f"{t} {self.counts.get(t, 0)}" for t in targets)
        print(f"fuzz: {self.runs} runs in {wall:.0f} s ({per}), seed {self.a.seed}, "
              f"{len(self.findings)} distinct findings; {self.a.out}")
        return 1 if self.findings else 0


def _quote(s):
    return s if re.fullmatch(r"[\w./,+=:-]+", s) else "'" + s.replace("'", "'\\''") + "'"


TARGETS = "test_yaml,network_yaml,bundle_yaml,bundle_bin,program,nnac_args,sim_args"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"), help="build folder (nnac, nna_sim_tiny, nna_perf)")
    p.add_argument("--asan-build", default="", help="build folder of nnac and nna_perf with the sanitizers")
    p.add_argument("--out", default=os.path.join(ROOT, "build", "fuzz"), help="folder for the runs and findings")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--time", type=float, default=240, help="seconds in total (ignored with --count)")
    p.add_argument("--count", type=int, default=0, help="runs in total, the targets taking turns")
    p.add_argument("--timeout", type=float, default=30, help="wall-clock seconds per run before it is a hang")
    p.add_argument("--max-cycles", type=int, default=400000, help="the simulator's own limit per program run")
    p.add_argument("--targets", default=TARGETS, help=f"comma-separated subset of {TARGETS}")
    a = p.parse_args()
    bad = [t for t in a.targets.split(",") if t not in TARGETS.split(",")]
    if bad:
        p.error(f"--targets: unknown {', '.join(bad)} (known: {TARGETS})")
    return Fuzzer(a).go()


if __name__ == "__main__":
    sys.exit(main())
