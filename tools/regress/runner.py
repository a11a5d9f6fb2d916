"""Runs co-simulations in parallel and reports them: the part the regressions and the nightly share.

A Job is one simulator invocation. run_all() runs the jobs on a thread pool, each in a process
group of its own with a wall-clock limit (a hang is killed with everything it started), records
the exit status, the wall time and the peak resident memory (the child's rusage), prints one
progress line per finished job and returns the results. write_junit() and write_csv() write the
reports; parse_verdict() reads the simulator's verdict.
"""
import concurrent.futures
import csv
import dataclasses
import os
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

EXIT_STATUS = {0: "pass", 1: "fail", 2: "bad input", 3: "timeout"}
VERDICT_TEST = re.compile(r"^nna sim\s+test (\S+)(?:\s+config \S+ \((\d+)x(\d+)\))?", re.M)
VERDICT_CYCLES = re.compile(r"^\s+cycles (\d+)\s+mac-active \d+ \([\d.]+%\)\s+MAC utilization ([\d.]+)%"
                            r"(?:\s+\(useful MACs (\d+))?", re.M)
VERDICT_STATUS = re.compile(r"^\s+status\s+\S+, (\d+) instructions?", re.M)
VERDICT_SPEED = re.compile(r"^\s+speed (\d+) cycles/s\s+wall ([\d.]+) s", re.M)
# A compute instruction's measured row: index, opcode, first..last cycle, cycles, utilization,
# then where its cycles went (the RTL's counters): CAUSES.
VERDICT_INSTR = re.compile(r"^\s+(\d+) (\w+)\s+(\d+)\.\.(\d+)\s+measured\s+(\d+)\s+([\d.]+)%"
                           r"(?:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+))?", re.M)
CAUSES = ("fill", "mac", "w_unload", "w_acts", "w_wts", "drain")


@dataclasses.dataclass
class Job:
    key: str        # unique: the run's folder under <out>/runs and its order in the reports
    label: str      # what the progress line and the report call it until the verdict names it
    args: list      # simulator arguments (--out is added)
    reproduce: str  # the command a user types to run it again


def add_run_args(p, default_timeout):
    """The arguments every runner takes: the simulator, its configuration, parallelism, the limit,
    the output folder and extra simulator arguments."""
    p.add_argument("--sim", required=True, help="simulator binary (build/tb/nna_sim_<config>)")
    p.add_argument("--config", required=True, help="hardware configuration the simulator is built for")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs in parallel")
    p.add_argument("--timeout", type=float, default=default_timeout,
                   help="wall-clock seconds per run before it counts as a hang (a timeout)")
    p.add_argument("--out", required=True, help="folder for the runs and the reports")
    p.add_argument("--sim-args", default="", help="extra simulator arguments for every run, space separated")


def check_run_args(p, a):
    if a.jobs < 1 or a.timeout <= 0:
        p.error("--jobs must be at least 1 and --timeout positive")
    if not os.access(a.sim, os.X_OK):
        p.error(f"the simulator {a.sim} does not exist or is not executable (build it first)")


def fmt_time(s):
    return f"{int(s // 60)}m{int(s % 60):02d}s"


def parse_verdict(text):
    """The verdict's figures; a key is missing when the verdict does not have it."""
    v = {}
    if m := VERDICT_TEST.search(text):
        v["name"] = m.group(1)
        if m.group(2):
            v["cells"] = int(m.group(2)) * int(m.group(3))  # the array's M*N
    if m := VERDICT_CYCLES.search(text):
        v["cycles"], v["utilization"] = int(m.group(1)), float(m.group(2))
        if m.group(3):
            v["macs"] = int(m.group(3))
    if m := VERDICT_STATUS.search(text):
        v["instructions"] = int(m.group(1))
    if m := VERDICT_SPEED.search(text):
        v["cycles_per_s"], v["sim_s"] = int(m.group(1)), float(m.group(2))
    v["instrs"] = [{"index": int(m.group(1)), "op": m.group(2), "first": int(m.group(3)), "last": int(m.group(4)),
                    "cycles": int(m.group(5)), "utilization": float(m.group(6)),
                    **({c: int(m.group(7 + i)) for i, c in enumerate(CAUSES)} if m.group(7) else {})}
                   for m in VERDICT_INSTR.finditer(text)]
    return v


def run_captured(cmd, timeout, cwd=None, env=None, stderr_to_stdout=False):
    """Runs cmd in a process group of its own, its output captured as text; a run past timeout
    seconds is killed with everything it started. Returns (exit status, stdout, stderr, hung);
    stderr is "" when it goes to stdout."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT if stderr_to_stdout else subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        hung = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        hung = True
    return (proc.returncode, out.decode("utf-8", "replace"),
            (err or b"").decode("utf-8", "replace"), hung)


def run_job(sim, job, out, timeout):
    """Runs one job; its output goes to <out>/runs/<key>/verdict.txt."""
    run_dir = os.path.join(out, "runs", job.key)
    os.makedirs(run_dir, exist_ok=True)
    verdict = os.path.join(run_dir, "verdict.txt")
    cmd = [sim] + job.args + ["--out", run_dir]
    t0 = time.monotonic()
    killed = threading.Event()
    with open(verdict, "w") as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)

        def kill():
            killed.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        # wait4: the exit status and this child's own rusage (peak resident memory).
        _, wstatus, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(wstatus)
    seconds = time.monotonic() - t0
    with open(verdict) as f:
        text = f.read()
    if killed.is_set():
        text += f"\nkilled after {timeout:.0f} s of wall clock (--timeout)\n"
        with open(verdict, "a") as f:
            f.write(f"\nkilled after {timeout:.0f} s of wall clock (--timeout)\n")
        status = "hang"
    else:
        status = EXIT_STATUS.get(proc.returncode, f"exit {proc.returncode}")
    r = {"key": job.key, "name": job.label, "status": status, "seconds": seconds,
         "peak_mb": usage.ru_maxrss / 1024.0, "text": text, "reproduce": job.reproduce, "verdict": verdict}
    r.update(parse_verdict(text))
    return r


def run_all(sim, jobs, out, n_jobs, timeout, title):
    """Runs every job, n_jobs at a time; one progress line per finished job on stderr."""
    os.makedirs(out, exist_ok=True)
    results, lock, t0 = [], threading.Lock(), time.monotonic()
    width = len(str(len(jobs)))
    print(f"{title}: {len(jobs)} runs, {n_jobs} in parallel, {timeout:.0f} s limit each -> {out}",
          file=sys.stderr, flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=n_jobs) as pool:
        for fut in concurrent.futures.as_completed([pool.submit(run_job, sim, j, out, timeout) for j in jobs]):
            r = fut.result()
            with lock:
                results.append(r)
                done, elapsed = len(results), time.monotonic() - t0
                eta = elapsed / done * (len(jobs) - done)
                extra = f"  reproduce: {r['reproduce']}" if r["status"] != "pass" else ""
                print(f"[{done:>{width}}/{len(jobs)}] {r['status'].upper():<7} {r['name']}  {r['seconds']:.1f} s  "
                      f"(eta {fmt_time(eta)}){extra}", file=sys.stderr, flush=True)
    order = {j.key: i for i, j in enumerate(jobs)}
    results.sort(key=lambda r: order[r["key"]])
    return results, time.monotonic() - t0


def write_junit(path, suite_name, results, wall, case_name=lambda r: f"{r['key']}: {r['name']}"):
    suite = ET.Element("testsuite", name=suite_name, tests=str(len(results)),
                       failures=str(sum(r["status"] == "fail" for r in results)),
                       errors=str(sum(r["status"] not in ("pass", "fail") for r in results)),
                       skipped="0", time=f"{wall:.1f}")
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=suite_name, name=case_name(r),
                             time=f"{r['seconds']:.2f}")
        if r["status"] != "pass":
            tag = "failure" if r["status"] == "fail" else "error"
            node = ET.SubElement(case, tag, type=r["status"], message=f"{r['status']}; reproduce: {r['reproduce']}")
            node.text = r["text"][-4000:]
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def write_csv(path, results, key_title):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([key_title, "status", "test", "instructions", "cycles", "mac_utilization_pct", "sim_cycles_per_s",
                    "wall_s", "peak_mb"])
        for r in results:
            w.writerow([r["key"], r["status"], r["name"], r.get("instructions", ""), r.get("cycles", ""),
                        r.get("utilization", ""), r.get("cycles_per_s", ""), f"{r['seconds']:.2f}",
                        f"{r['peak_mb']:.0f}"])


def summary_line(title, results, wall, n_jobs, report):
    counts = {s: sum(r["status"] == s for r in results) for s in ("pass", "fail", "timeout", "hang", "bad input")}
    other = len(results) - sum(counts.values())
    # Passing runs only: a run stopped early by an error reports a meaningless utilization.
    util = [r["utilization"] for r in results if "utilization" in r and r["status"] == "pass"]
    mean_util = f", mean MAC utilization {sum(util) / len(util):.1f}%" if util else ""
    return (f"{title}: {len(results)} run, {counts['pass']} pass, {counts['fail']} fail, "
            f"{counts['timeout'] + counts['hang']} timeout, {counts['bad input'] + other} error{mean_util}; "
            f"{fmt_time(wall)} wall on {n_jobs} jobs; report {report}")
