#!/usr/bin/env python3
"""The noise floor of this machine, and what `measure compare` calls different (README, "Comparing runs").

Usage: tally.py MEASURE DIR [--floor IN_T,IN_S,CMD_T,CMD_S]

DIR holds the results files of reruns.sh (recorded with --noise-floor 0). Prints, per workload,
the standard deviation of ln T(1) and of ln S(j max) between runs less what each run's own
interval explains: the floor this machine needs. With --floor (fractions, e.g.
0.025,0.005,0.02,0.03), copies the files with that floor recorded and counts, per figure, the A/A
pairs `compare` calls different and the detection of the two real changes; without it, counts
them for the files as they are."""
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

Z = 1.959963984540054


def usage():
    sys.exit(__doc__)


args = sys.argv[1:]
floor = None
if "--floor" in args:
    i = args.index("--floor")
    try:
        floor = [float(x) for x in args[i + 1].split(",")]
    except (IndexError, ValueError):
        usage()
    if len(floor) != 4:
        usage()
    del args[i : i + 2]
if len(args) != 2:
    usage()
MEASURE, DIR = args


def files(prefix, folder=DIR):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.startswith(prefix) and f.endswith(".json"))


def workload(path, name):
    r = json.load(open(path))
    return next(w for w in r["workloads"] if w["name"] == name)


def half_sd(ci, v):
    """The larger side of a 95% interval on the log scale, as a standard deviation."""
    if not ci or not v or min(ci) <= 0:
        return None
    return max(math.log(ci[1] / v), math.log(v / ci[0])) / Z


def floor_estimate(paths, name):
    lt, ls, wt, ws = [], [], [], []
    for f in paths:
        w = workload(f, name)
        p = {p["threads"]: p for p in w["points"]}
        j = max(p)
        t1, s = p[1].get("median_ns"), p[j].get("speedup")
        if not t1 or not s:
            continue
        lt.append(math.log(t1))
        ls.append(math.log(s))
        for out, sd in ((wt, half_sd(p[1].get("median_ns_ci95"), t1)), (ws, half_sd(p[j].get("speedup_ci95"), s))):
            if sd is not None:
                out.append(sd * sd)
    if len(lt) < 3:
        return None
    run = lambda between, own: math.sqrt(max(0.0, statistics.variance(between) - (statistics.mean(own) if own else 0.0)))
    return run(lt, wt), run(ls, ws), len(lt)


def with_floor(paths, folder):
    out = []
    for f in paths:
        r = json.load(open(f))
        r["config"]["noise_floor"] = {
            "in_process": {"time": floor[0], "speedup": floor[1]},
            "command": {"time": floor[2], "speedup": floor[3]},
        }
        path = os.path.join(folder, os.path.basename(f))
        json.dump(r, open(path, "w"))
        out.append(path)
    return out


def compare(a, b):
    out = subprocess.run([MEASURE, "compare", "--json", a, b], capture_output=True, text=True)
    if out.returncode != 0:
        print("compare failed:", a, b, out.stderr[:300], file=sys.stderr)
        return None
    return json.loads(out.stdout)


def count(pairs):
    per = {}
    for a, b in pairs:
        c = compare(a, b)
        for w in (c or {}).get("workloads", []):
            for p in w["pairs"]:
                d = per.setdefault(w["name"], {"pairs": 0, "any": 0, "figures": {}})
                d["pairs"] += 1
                d["any"] += p["significant"]
                for t in p["tests"]:
                    d["figures"][t["figure"]] = d["figures"].get(t["figure"], 0) + t["significant"]
    return per


def show(title, per):
    print(title)
    for name, d in per.items():
        figures = ", ".join(f"{k} {v}" for k, v in sorted(d["figures"].items()))
        print(f"  {name:10} pairs {d['pairs']:3}  significant (any figure) {d['any']:3}  [{figures}]")


groups = {g: files(g + "-") for g in ("aa", "b10", "b15", "t110")}
print("run-to-run standard deviation beyond each run's own interval (the floor this machine needs):")
for name, group in (("primes", "aa"), ("synthetic", "aa"), ("xz", "aa"), ("serial", "b10")):
    est = floor_estimate(groups[group], name) if groups[group] else None
    if est:
        print(f"  {name:10} T(1) {est[0] * 100:.2f}%  S {est[1] * 100:.2f}%  ({est[2]} runs)")

with tempfile.TemporaryDirectory() as tmp:
    if floor:
        groups = {g: with_floor(paths, tmp) for g, paths in groups.items()}
        print(f"\ncompare with the floor {floor} recorded:")
    show("A/A, primes + synthetic + xz", count(itertools.combinations(groups["aa"], 2)))
    show("A/A, serial share 10%", count(itertools.combinations(groups["b10"], 2)))
    show("detection: serial share 10% -> 15%", count(itertools.product(groups["b10"], groups["b15"])))
    show("detection: T(1) +10%", count(itertools.product(groups["b10"], groups["t110"])))
