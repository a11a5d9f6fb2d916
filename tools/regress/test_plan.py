#!/usr/bin/env python3
"""Reads the test plan (tests/plan.yaml): which named co-simulation tests run on which configuration.

    test_plan.py [--root DIR] --cmake OUT     checks the plan, writes it as a CMake include
    test_plan.py [--root DIR] --list CONFIG   the layer tests planned on CONFIG, one a line
    test_plan.py --self-test                  every kind of bad entry must be refused

A bad entry ends the run (exit 1) with one sentence on stderr naming the file, the entry and the
value, which configure repeats as its error. Python scripts import load() for the same list.
"""
import argparse
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field

PLAN = "tests/plan.yaml"
GROUP_KEYS = ("doc", "configs", "tests", "networks")
NETWORK_KEYS = ("name", "network", "sram_budget")
# Test and group names become CTest names, labels and CMake variable names.
NAME = re.compile(r"^[A-Za-z0-9_]+$")


class PlanError(Exception):
    pass


@dataclass
class Entry:
    name: str  # cosim.<config>.<name>
    config: str
    group: str
    kind: str  # "test" (vectors/<name>.yaml) or "network" (vectors/networks/<network>.yaml)
    run: list = field(default_factory=list)  # the simulator's arguments that pick what runs


def _known(keys):
    return ", ".join(keys)


def _configs(root):
    d = os.path.join(root, "spec", "configs")
    return sorted(os.path.splitext(f)[0] for f in os.listdir(d) if f.endswith(".yaml"))


def _network_entry(where, item):
    """(test name, network, extra arguments) of one networks entry."""
    if isinstance(item, str):
        return item, item, []
    if not isinstance(item, dict):
        raise PlanError(f"{where}: '{item}' is neither a network's name nor a mapping with {_known(NETWORK_KEYS)}.")
    for k in item:
        if k not in NETWORK_KEYS:
            raise PlanError(f"{where}: entry {item.get('name', item)} has unknown key '{k}' "
                            f"(known: {_known(NETWORK_KEYS)}).")
    if "name" not in item or "network" not in item:
        raise PlanError(f"{where}: entry {item} needs both 'name' and 'network'.")
    if not NAME.match(str(item["network"])):
        raise PlanError(f"{where}: entry {item['name']} has network '{item['network']}', not a network's name.")
    extra = []
    if "sram_budget" in item:
        budget = item["sram_budget"]
        if not isinstance(budget, int) or isinstance(budget, bool) or budget <= 0:
            raise PlanError(f"{where}: entry {item['name']} has sram_budget '{budget}', not a positive number of bytes.")
        extra = ["--sram-budget", str(budget)]
    return str(item["name"]), str(item["network"]), extra


def _group(root, path, gname, g, configs):
    """The entries of one group, every key and name checked."""
    where = f"{path}: group '{gname}'"
    if not isinstance(gname, str) or not NAME.match(gname):
        raise PlanError(f"{path}: group name '{gname}' must be letters, digits and underscores.")
    if not isinstance(g, dict):
        raise PlanError(f"{where} must be a mapping with {_known(GROUP_KEYS)}.")
    for k in g:
        if k not in GROUP_KEYS:
            raise PlanError(f"{where} has unknown key '{k}' (known: {_known(GROUP_KEYS)}).")
    cfgs = g.get("configs")
    if not isinstance(cfgs, list) or not cfgs:
        raise PlanError(f"{where}: configs must be a list of configurations (spec/configs: {_known(configs)}).")
    for c in cfgs:
        if c not in configs:
            raise PlanError(f"{where}, configs: '{c}' is not a configuration (spec/configs: {_known(configs)}).")
    items = []
    for key in ("tests", "networks"):
        v = g.get(key, [])
        if not isinstance(v, list):
            raise PlanError(f"{where}: {key} must be a list.")
        for item in v:
            if key == "tests":
                if not isinstance(item, str):
                    raise PlanError(f"{where}, tests: '{item}' is not a test's name.")
                name, target, extra, desc = item, item, [], os.path.join("vectors", f"{item}.yaml")
            else:
                name, target, extra = _network_entry(f"{where}, networks", item)
                desc = os.path.join("vectors", "networks", f"{target}.yaml")
            if not NAME.match(name):
                raise PlanError(f"{where}, {key}: '{name}' must be letters, digits and underscores.")
            if not os.path.isfile(os.path.join(root, desc)):
                raise PlanError(f"{where}, {key}: '{name}' has no description {desc}.")
            kind = "test" if key == "tests" else "network"
            items.append((name, kind, [f"--{kind}", target] + extra))
    if not items:
        raise PlanError(f"{where} has neither tests nor networks.")
    return [Entry(n, c, gname, kind, run) for c in cfgs for n, kind, run in items]


def load(root, path=PLAN):
    """Every entry of the plan, in the plan's order; raises PlanError on a bad one."""
    try:
        import yaml
    except ImportError:
        raise PlanError(f"{path} is read with PyYAML: install python3-yaml (make deps).")
    full = os.path.join(root, path)
    try:
        with open(full) as f:
            doc = yaml.safe_load(f)
    except OSError as e:
        raise PlanError(f"{path} cannot be read: {e.strerror}.")
    except yaml.YAMLError as e:
        raise PlanError(f"{path} is not valid YAML: {str(e).splitlines()[0]}.")
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), dict):
        raise PlanError(f"{path} must be a mapping with the key 'groups'.")
    for k in doc:
        if k != "groups":
            raise PlanError(f"{path} has unknown key '{k}' (known: groups).")
    configs, entries, seen = _configs(root), [], {}
    for gname, g in doc["groups"].items():
        for e in _group(root, path, gname, g, configs):
            if (e.config, e.name) in seen:
                raise PlanError(f"{path}: group '{gname}': '{e.name}' is already planned on {e.config} "
                                f"(group '{seen[(e.config, e.name)]}').")
            seen[(e.config, e.name)] = gname
            entries.append(e)
    return entries


def layer_tests(root, config, path=PLAN):
    """The layer tests (vectors/<name>.yaml) planned on config, in the plan's order."""
    return [e.name for e in load(root, path) if e.config == config and e.kind == "test"]


def write_cmake(entries, out, path):
    """Per configuration NNA_PLAN_TESTS_<config> and NNA_PLAN_NETWORKS_<config>, and per test its
    group (NNA_PLAN_GROUP_<config>_<name>) and run arguments (NNA_PLAN_RUN_<config>_<name>)."""
    lines = [f"# Written by tools/regress/test_plan.py from {path} at configure time; edit the plan instead."]
    for cfg in dict.fromkeys(e.config for e in entries):
        for kind, var in (("test", "TESTS"), ("network", "NETWORKS")):
            names = [e.name for e in entries if e.config == cfg and e.kind == kind]
            lines.append(f"set(NNA_PLAN_{var}_{cfg} {' '.join(names)})")
    for e in entries:
        lines.append(f"set(NNA_PLAN_GROUP_{e.config}_{e.name} {e.group})")
        lines.append(f"set(NNA_PLAN_RUN_{e.config}_{e.name} {' '.join(e.run)})")
    text = "\n".join(lines) + "\n"
    # Only a changed file is rewritten: its time stamp stays for what depends on it.
    if os.path.exists(out):
        with open(out) as f:
            if f.read() == text:
                return
    with open(out, "w") as f:
        f.write(text)


def self_test(root):
    """Each bad entry must be refused with its sentence; the real plan must load."""
    good = load(root)
    if not good:
        return "the plan has no entries"
    cases = [
        ("groups:\n  g:\n    configs: [tiny]\n    tests: [no_such_test]\n",
         "group 'g', tests: 'no_such_test' has no description vectors/no_such_test.yaml."),
        ("groups:\n  g:\n    configs: [huge]\n    tests: [conv3x3]\n",
         "group 'g', configs: 'huge' is not a configuration"),
        ("groups:\n  g:\n    configs: [tiny]\n    test: [conv3x3]\n", "group 'g' has unknown key 'test'"),
        ("group:\n  g: {}\n", "must be a mapping with the key 'groups'"),
        ("groups: {}\nextra: 1\n", "has unknown key 'extra'"),
        ("groups:\n  g:\n    configs: [tiny]\n    networks: [{name: n, network: tiny_net, budget: 1}]\n",
         "group 'g', networks: entry n has unknown key 'budget'"),
        ("groups:\n  g:\n    configs: [tiny]\n    networks: [no_such_net]\n",
         "'no_such_net' has no description vectors/networks/no_such_net.yaml."),
        ("groups:\n  a:\n    configs: [tiny]\n    tests: [conv3x3]\n  b:\n    configs: [tiny]\n    tests: [conv3x3]\n",
         "group 'b': 'conv3x3' is already planned on tiny (group 'a')."),
        ("groups:\n  g:\n    configs: [tiny]\n    tests: [conv3x3\n", "is not valid YAML"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.yaml")
        for text, want in cases:
            with open(bad, "w") as f:
                f.write(text)
            try:
                load(root, bad)
                return f"not refused: {text!r}"
            except PlanError as e:
                if want not in str(e) or not str(e).startswith(bad):
                    return f"{text!r} refused with {str(e)!r}, expected {want!r}"
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."),
                   help="the project's root (default: this script's)")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--cmake", metavar="OUT", help="write the plan as a CMake include")
    g.add_argument("--list", metavar="CONFIG", help="print the layer tests planned on CONFIG")
    g.add_argument("--self-test", action="store_true", help="check that bad plans are refused")
    a = p.parse_args()
    try:
        if a.self_test:
            err = self_test(a.root)
            print(f"test_plan self-test: {'FAIL: ' + err if err else 'PASS'}")
            return 1 if err else 0
        entries = load(a.root)
        if a.list is not None and a.list not in _configs(a.root):
            raise PlanError(f"--list {a.list}: not a configuration (spec/configs: {_known(_configs(a.root))}).")
        if a.cmake:
            write_cmake(entries, a.cmake, PLAN)
        else:
            print("\n".join(e.name for e in entries if e.config == a.list and e.kind == "test"))
    except PlanError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
