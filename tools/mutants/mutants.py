#!/usr/bin/env python3
"""RTL mutation testing: plausible designer's mistakes (tools/mutants/mutants.yaml) applied to a copy
of rtl/ in the build tree, each built into a tiny simulator and run against the tiny tests.

    mutants.py check [--root DIR]                      every mutant applies (its texts occur once)
    mutants.py apply --out DIR [--root DIR] NAME       rtl/ with mutant NAME ("none": unchanged) in DIR/rtl
    mutants.py run --build DIR [--mutants a,b] [--all-tests] [--out DIR]
                                                       the kill table (docs/mutants.md)
    mutants.py --self-test                             every kind of bad entry is refused

`run` applies each mutant to <build>/mutants/rtl, builds nna_sim_tiny_mutant from it (one target for
all mutants, so that ccache serves every unchanged Verilated file), then runs the CTests of the tiny
co-simulation (`ctest --show-only`: cosim.tiny.* and regress.tiny.*) with that simulator in place
of nna_sim_tiny: the mutant's killers first, the rest only while it survives (every test with
--all-tests), then the block tests make test builds with this mutant (labelled mutant:<name>). A
mutant is killed by the first co-simulation that fails, or a block test of its own that passes. Writes <out>/report.md and
<out>/junit.xml (one case per mutant: a survivor fails) and exits 0 only if every mutant is killed
or documented as equivalent. A bad entry stops with one sentence naming the file, the mutant and
the value.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "regress"))
from runner import fmt_time, run_captured, write_junit  # noqa: E402

CATALOGUE = "tools/mutants/mutants.yaml"
KEYS = ("name", "block", "file", "edits", "why", "killers", "equivalent")
NAME = re.compile(r"^[A-Za-z0-9_]+$")
# The files of rtl/ a simulator or a harness reads (the rest are tests and notes).
RTL_SUFFIXES = (".sv", ".svh", ".vlt")
DEFAULT_TESTS = r"^(cosim|regress)\.tiny\."


class MutantError(Exception):
    pass


def load(root, path=CATALOGUE):
    """Every mutant of the catalogue, checked against rtl/: a list of dicts, in the file's order."""
    try:
        import yaml
    except ImportError:
        raise MutantError(f"{path} is read with PyYAML: install python3-yaml (make deps).")
    try:
        with open(os.path.join(root, path)) as f:
            doc = yaml.safe_load(f)
    except OSError as e:
        raise MutantError(f"{path} cannot be read: {e.strerror}.")
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise MutantError(f"{path} is not valid YAML{at}: {getattr(e, 'problem', None) or str(e).splitlines()[0]}.")
    if not isinstance(doc, dict) or not isinstance(doc.get("mutants"), list) or set(doc) != {"mutants"}:
        raise MutantError(f"{path} must be a mapping with the one key 'mutants' (a list).")
    seen, out = set(), []
    for i, m in enumerate(doc["mutants"]):
        where = f"{path}: mutant {m.get('name', i) if isinstance(m, dict) else i}"
        if not isinstance(m, dict):
            raise MutantError(f"{where} must be a mapping.")
        for k in m:
            if k not in KEYS:
                raise MutantError(f"{where} has unknown key '{k}' (known: {', '.join(KEYS)}).")
        for k in ("name", "block", "file", "edits", "why"):
            if k not in m:
                raise MutantError(f"{where} has no '{k}'.")
        if not isinstance(m["name"], str) or not NAME.match(m["name"]):
            raise MutantError(f"{where}: name '{m['name']}' must be letters, digits and underscores.")
        if m["name"] in seen or m["name"] == "none":
            raise MutantError(f"{where}: the name '{m['name']}' is taken.")
        seen.add(m["name"])
        if ("killers" in m) == ("equivalent" in m):
            raise MutantError(f"{where} needs either 'killers' (the tests that catch it) or 'equivalent' "
                              f"(why none can), not {'both' if 'killers' in m else 'neither'}.")
        if "killers" in m and (not isinstance(m["killers"], list) or not m["killers"]):
            raise MutantError(f"{where}: killers must be a non-empty list of CTest names.")
        if not isinstance(m["file"], str) or not m["file"].startswith("rtl/") or \
                not os.path.isfile(os.path.join(root, m["file"])):
            raise MutantError(f"{where}: file '{m['file']}' is not a file under rtl/.")
        if not isinstance(m["edits"], list) or not m["edits"]:
            raise MutantError(f"{where}: edits must be a non-empty list of {{original, replacement}}.")
        for e in m["edits"]:
            if not isinstance(e, dict) or set(e) != {"original", "replacement"} or \
                    not all(isinstance(v, str) and v for v in e.values()):
                raise MutantError(f"{where}: every edit must have exactly a non-empty 'original' and "
                                  f"'replacement' text.")
        apply_edits(m, read(root, m["file"]), path)  # the texts must match now, not at build time
        out.append(m)
    return out


def read(root, rel):
    with open(os.path.join(root, rel)) as f:
        return f.read()


def apply_edits(m, text, path=CATALOGUE):
    """The file's text with the mutant's edits; each original must occur exactly once."""
    for e in m["edits"]:
        n = text.count(e["original"])
        if n != 1:
            first = e["original"].splitlines()[0][:80]
            raise MutantError(f"{path}: mutant {m['name']}: the original text '{first}' occurs {n} times in "
                              f"{m['file']} (it must occur exactly once).")
        text = text.replace(e["original"], e["replacement"])
    return text


def write_if_changed(path, text):
    """Writes only a changed file, so that an unchanged one keeps its time and nothing rebuilds."""
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def apply(root, mutants, name, out, missing_only=False):
    """rtl/'s sources with mutant `name` applied (none: as they are) in out/rtl; missing_only: only
    the files the copy does not have yet."""
    if name != "none" and name not in {m["name"] for m in mutants}:
        raise MutantError(f"{CATALOGUE} has no mutant '{name}' (known: none, "
                          f"{', '.join(m['name'] for m in mutants)}).")
    m = next((m for m in mutants if m["name"] == name), None)
    rtl = os.path.join(root, "rtl")
    for d, _, files in os.walk(rtl):
        for f in sorted(files):
            if not f.endswith(RTL_SUFFIXES):
                continue
            rel = os.path.relpath(os.path.join(d, f), root)
            if missing_only and os.path.exists(os.path.join(out, rel)):
                continue
            text = read(root, rel)
            if m and rel == m["file"]:
                text = apply_edits(m, text)
            write_if_changed(os.path.join(out, rel), text)


# ----- running the tests -----------------------------------------------------------------------

def ctest_tests(build, regex):
    """From ctest's JSON listing: the CTests matching regex, and per mutant the block tests built
    with it for make test (labelled mutant:<name>, rtl/CMakeLists.txt nna_block_tests()); each test
    as name, command, properties, and twin: whether it is such a block test."""
    js = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build, check=True, capture_output=True,
                        text=True).stdout
    tests, twins = [], {}
    for t in json.loads(js)["tests"]:
        if "command" not in t:  # a test whose executable target is not in this build
            continue
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        test = {"name": t["name"], "command": t["command"], "props": props, "twin": False}
        for label in props.get("LABELS", []):
            if label.startswith("mutant:"):
                twins.setdefault(label[len("mutant:"):], []).append(dict(test, twin=True))
        if re.search(regex, t["name"]):
            tests.append(test)
    return tests, twins


def retarget(cmd, build):
    """The test's command with the mutant simulator in place of nna_sim_tiny and its outputs under
    <build>/mutants, so that the normal runs' folders are left alone."""
    sim = re.compile(re.escape(os.path.join(build, "tb", "nna_sim_tiny")) + r"(?![\w.])")
    out = []
    for arg in cmd:
        arg = sim.sub(os.path.join(build, "tb", "nna_sim_tiny_mutant"), arg)
        for d in ("runs", "regress"):
            arg = arg.replace(os.path.join(build, d) + "/", os.path.join(build, "mutants", d) + "/")
        out.append(arg)
    return out


def run_test(t, build, cap):
    """Runs one CTest's command as CTest would judge it; returns (passed, seconds, output). A block
    test built with the mutant (a twin) is built first and run as it is."""
    props = t["props"]
    timeout = min(float(props.get("TIMEOUT", cap)), cap)
    t0 = time.monotonic()
    cmd = retarget(t["command"], build)
    if t["twin"]:
        cmd = t["command"]
        built = subprocess.run(["cmake", "--build", build, "--target", os.path.basename(cmd[0])],
                               capture_output=True, text=True)
        if built.returncode != 0:
            return False, time.monotonic() - t0, "building the block test failed:\n" + built.stdout[-3000:]
    rc, output, _, hung = run_captured(cmd, timeout, cwd=props.get("WORKING_DIRECTORY", build),
                                       stderr_to_stdout=True)
    seconds = time.monotonic() - t0
    if hung:
        return False, seconds, output + f"\nkilled after {timeout:.0f} s\n"
    passed = rc == 0
    pass_re = props.get("PASS_REGULAR_EXPRESSION")
    if pass_re:
        passed = any(re.search(p, output) for p in (pass_re if isinstance(pass_re, list) else [pass_re]))
    fail_re = props.get("FAIL_REGULAR_EXPRESSION")
    if fail_re and any(re.search(p, output) for p in (fail_re if isinstance(fail_re, list) else [fail_re])):
        passed = False
    if props.get("WILL_FAIL"):
        passed = not passed
    return passed, seconds, output


def build_sim(build, log):
    t0 = time.monotonic()
    with open(log, "w") as f:
        rc = subprocess.run(["cmake", "--build", build, "--target", "nna_sim_tiny_mutant"], stdout=f,
                            stderr=subprocess.STDOUT).returncode
    return rc == 0, time.monotonic() - t0


def run(a):
    root, build = os.path.abspath(a.root), os.path.abspath(a.build)
    catalogue = load(root)
    mutants = catalogue
    if a.mutants:
        names = [n for n in a.mutants.split(",") if n]
        known = {m["name"] for m in catalogue}
        for n in names:
            if n not in known:
                raise MutantError(f"--mutants: '{n}' is not a mutant of {CATALOGUE} (known: {', '.join(sorted(known))}).")
        mutants = [m for m in catalogue if m["name"] in names]
    # CTest lists a test's command only once its executable exists: the co-simulations' (which
    # run the tiny simulator itself) and the block tests built with mutants.
    if subprocess.run(["cmake", "--build", build, "--target", "nna_sim_tiny", "nna_mutant_twins"],
                      capture_output=True).returncode:
        raise MutantError(f"building nna_sim_tiny and the block tests built with mutants (nna_mutant_twins) "
                          f"in {build} failed.")
    tests, twins = ctest_tests(build, a.tests)
    if not tests:
        raise MutantError(f"no CTest in {build} matches '{a.tests}': configure with the tiny configuration.")
    by_name = {t["name"]: t for t in tests}
    for m in mutants:
        mine = {t["name"] for t in twins.get(m["name"], [])}
        for k in m.get("killers", []):
            if k not in by_name and k not in mine:
                raise MutantError(f"{CATALOGUE}: mutant {m['name']}: killer '{k}' is neither one of the CTests "
                                  f"run ({a.tests}) nor a block test built with this mutant.")
    out = os.path.abspath(a.out or os.path.join(build, "mutants"))
    os.makedirs(out, exist_ok=True)
    t_all, results = time.monotonic(), []
    print(f"mutants: {len(mutants)} mutants against {len(tests)} tiny tests -> {out}", file=sys.stderr, flush=True)
    # The unmutated copy first: the target exists and ccache holds every file a mutant leaves alone.
    apply(root, catalogue, "none", os.path.join(build, "mutants"))
    log = os.path.join(out, "baseline.build.log")
    ok, secs = build_sim(build, log)
    if not ok:
        raise MutantError(f"building nna_sim_tiny_mutant from the unmutated copy failed (configure {build} with "
                          f"tiny in NNA_CONFIGS and NNA_MUTANTS=ON); see {log}.")
    # ... and passes a test: a broken set-up would otherwise "kill" every mutant.
    base = by_name.get(a.baseline_test) or tests[0]
    passed, _, output = run_test(base, build, a.timeout)
    if not passed:
        with open(os.path.join(out, "baseline.log"), "w") as f:
            f.write(output)
        raise MutantError(f"the unmutated nna_sim_tiny_mutant fails {base['name']}, so no mutant can be judged; "
                          f"see {os.path.join(out, 'baseline.log')}.")
    print(f"mutants: baseline nna_sim_tiny_mutant built in {secs:.0f} s, passes {base['name']}", file=sys.stderr,
          flush=True)
    for i, m in enumerate(mutants, 1):
        r = {"key": m["name"], "name": m["block"], "block": m["block"], "killer": "", "tests": 0,
             "build_s": 0.0, "seconds": 0.0, "text": "", "reproduce": f"make mutants MUTANTS={m['name']}"}
        if "equivalent" in m:
            r.update(status="pass", result="equivalent", text=m["equivalent"])
        else:
            apply(root, catalogue, m["name"], os.path.join(build, "mutants"))
            log = os.path.join(out, f"{m['name']}.build.log")
            ok, r["build_s"] = build_sim(build, log)
            if not ok:
                r.update(status="error", result="build failed", text=f"the build failed: see {log}")
            else:
                r.update(status="fail", result="survived")
                # The killers first, then the co-simulations, then the block tests built with it.
                own = {t["name"]: t for t in twins.get(m["name"], [])}
                order = m["killers"] + [n for n in list(by_name) + list(own) if n not in m["killers"]]
                for name in order:
                    t = own.get(name) or by_name[name]
                    passed, secs, output = run_test(t, build, a.timeout)
                    r["tests"] += 1
                    r["seconds"] += secs
                    # A co-simulation kills by failing; a block test built with the mutant (its
                    # CTest passes only when the harness reports the mutant) by passing.
                    if passed == t["twin"]:
                        r["killer"] = r["killer"] or name
                        r.update(status="pass", result="killed")
                        with open(os.path.join(out, f"{m['name']}.{name}.log"), "w") as f:
                            f.write(output)
                        if not a.all_tests:
                            break
        r["seconds"] += r["build_s"]
        results.append(r)
        print(f"[{i:>2}/{len(mutants)}] {r['result'].upper():<10} {m['name']:<28} {m['block']:<20} "
              f"{r['killer'] or '-'}  build {r['build_s']:.0f} s, {r['tests']} tests, {r['seconds']:.0f} s",
              file=sys.stderr, flush=True)
    # Leave the mutant simulator's sources unmutated.
    apply(root, catalogue, "none", os.path.join(build, "mutants"))
    wall = time.monotonic() - t_all
    write_report(os.path.join(out, "report.md"), results, wall, len(tests))
    write_junit(os.path.join(out, "junit.xml"), "mutants", results, wall,
                case_name=lambda r: f"{r['key']} ({r['block']})")
    with open(os.path.join(out, "report.md")) as f:
        print(f.read())
    return 0 if all(r["status"] == "pass" for r in results) else 1


def write_report(path, results, wall, n_tests):
    killed = sum(r["result"] == "killed" for r in results)
    equiv = sum(r["result"] == "equivalent" for r in results)
    with open(path, "w") as f:
        f.write(f"# Mutants: {killed} killed, {equiv} equivalent, "
                f"{len(results) - killed - equiv} not killed, of {len(results)}; {fmt_time(wall)} wall\n\n")
        f.write(f"Against the {n_tests} tiny co-simulation CTests, the mutant's killers first.\n\n")
        f.write("| mutant | block | result | killed by | tests run | build | total |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        for r in results:
            killer = f"`{r['killer']}`" if r["killer"] else ("-" if r["result"] != "equivalent" else r["text"])
            f.write(f"| `{r['key']}` | {r['block']} | {r['result']} | {killer} | {r['tests']} | "
                    f"{r['build_s']:.0f} s | {r['seconds']:.0f} s |\n")


# ----- self-test -------------------------------------------------------------------------------

def self_test(root):
    """Every kind of bad catalogue entry must be refused with its sentence."""
    good = {"name": "m", "block": "b", "file": "rtl/mac_array/nna_mac_array.sv", "why": "w",
            "killers": ["cosim.tiny.conv3x3"],
            "edits": [{"original": "if (first_i) begin", "replacement": "if (!first_i) begin"}]}
    cases = [
        ({"original": "no such text", "replacement": "x"}, "occurs 0 times in rtl/mac_array/nna_mac_array.sv"),
        ({"original": "end", "replacement": "x"}, "(it must occur exactly once)"),
    ]
    failures = 0
    import yaml

    def refused(entries, expect):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "tools", "mutants"))
            shutil.copytree(os.path.join(root, "rtl"), os.path.join(tmp, "rtl"))
            with open(os.path.join(tmp, CATALOGUE), "w") as f:
                yaml.safe_dump({"mutants": entries}, f)
            try:
                load(tmp)
            except MutantError as e:
                return expect in str(e), str(e)
            return False, "accepted"

    checks = [([dict(good, edits=[c])], expect) for c, expect in cases]
    checks += [
        ([dict(good, colour="red")], "has unknown key 'colour'"),
        ([dict(good, file="rtl/nope.sv")], "file 'rtl/nope.sv' is not a file under rtl/"),
        ([good, good], "the name 'm' is taken"),
        ([dict(good, equivalent="same")], "needs either 'killers'"),
        ([{k: v for k, v in good.items() if k != "why"}], "has no 'why'"),
    ]
    for entries, expect in checks:
        ok, msg = refused(entries, expect)
        print(f"{'ok  ' if ok else 'FAIL'} {expect}: {msg}")
        failures += not ok
    print("self-test " + ("passed" if not failures else f"failed ({failures})"))
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--self-test", action="store_true", help="every kind of bad entry must be refused")
    sub = p.add_subparsers(dest="cmd")
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    c = sub.add_parser("check", help="every mutant applies to rtl/")
    c.add_argument("--root", default=root)
    ap = sub.add_parser("apply", help="rtl/ with one mutant into OUT/rtl")
    ap.add_argument("--root", default=root)
    ap.add_argument("--out", required=True)
    ap.add_argument("--missing-only", action="store_true",
                    help="write only the files the copy lacks (configure's call for make mutants' copy)")
    ap.add_argument("name")
    r = sub.add_parser("run", help="build and test mutants, write the kill table")
    r.add_argument("--root", default=root)
    r.add_argument("--build", required=True, help="a build folder configured with the tiny configuration")
    r.add_argument("--mutants", default="", help="comma-separated names (default: all)")
    r.add_argument("--tests", default=DEFAULT_TESTS, help="CTest regex of the tests run against a mutant")
    r.add_argument("--all-tests", action="store_true", help="run every test, not only up to the first kill")
    r.add_argument("--timeout", type=float, default=300, help="wall-clock seconds per test at most")
    r.add_argument("--baseline-test", default="cosim.tiny.conv1x1_small",
                   help="the test the unmutated simulator must pass first")
    r.add_argument("--out", help="report folder (default <build>/mutants)")
    a = p.parse_args()
    try:
        if a.self_test:
            return self_test(root)
        if a.cmd == "check":
            ms = load(a.root)
            print(f"{CATALOGUE}: {len(ms)} mutants, every edit applies to rtl/")
            return 0
        if a.cmd == "apply":
            apply(a.root, load(a.root), a.name, a.out, a.missing_only)
            return 0
        if a.cmd == "run":
            return run(a)
        p.error("a command is needed: check, apply or run")
    except MutantError as e:
        print(f"mutants: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
