#!/usr/bin/env python3
"""Tally A/A false alarms and detection rates of `measure compare` (issue 23).
Usage: tally.py MEASURE DIR  (DIR written by reruns.sh)"""
import itertools, json, subprocess, sys, statistics, os

M, D = sys.argv[1], sys.argv[2]

def compare(a, b):
    out = subprocess.run([M, "compare", "--json", a, b], capture_output=True, text=True)
    if out.returncode != 0:
        print("compare failed", a, b, out.stderr[:300], file=sys.stderr)
        return None
    return json.loads(out.stdout)

def figures(pair):
    """Which figures were called significant, old or new format."""
    tests = pair.get("tests")
    if tests is not None:  # new format: one test per figure
        return {t["figure"]: t["significant"] for t in tests}
    r = pair.get("per_core_ratio_ci95")
    sa, sb = pair.get("speedup_at_common_ci95", [None, None])
    return {
        "t1-ratio": bool(r and (r[0] > 1 or r[1] < 1)),
        "speedup": bool(sa and sb and (sa[1] < sb[0] or sb[1] < sa[0])),
        "serial-fraction": bool(pair.get("significant")),
    }

def rel_width(ci, v):
    return (ci[1] - ci[0]) / 2 / abs(v) if ci and v else None

def group(files_a, files_b=None):
    pairs = list(itertools.combinations(files_a, 2)) if files_b is None else list(itertools.product(files_a, files_b))
    per = {}
    for a, b in pairs:
        c = compare(a, b)
        if c is None:
            continue
        for w in c["workloads"]:
            for p in w["pairs"]:
                f = figures(p)
                d = per.setdefault(w["name"], {"pairs": 0, "any": 0, "figs": {}})
                d["pairs"] += 1
                d["any"] += any(f.values())
                for k, v in f.items():
                    d["figs"][k] = d["figs"].get(k, 0) + v
    return per

def widths(files):
    out = {}
    for f in files:
        r = json.load(open(f))
        for w in r["workloads"]:
            pts = {p["threads"]: p for p in w["points"]}
            jmax = max(pts)
            p = pts[jmax]
            a = (w.get("fits") or {}).get("amdahl") or {}
            d = out.setdefault(w["name"], {"S": [], "B": [], "Sv": []})
            if p.get("speedup_ci95"):
                d["S"].append(rel_width(p["speedup_ci95"], p["speedup"]))
                d["Sv"].append((p["speedup"], p["speedup_ci95"]))
            b = a.get("serial_fraction")
            ci = a.get("ci95")
            if b is not None and ci:
                d["B"].append((ci[1] - ci[0]) / 2)
    return out

def show(title, per):
    print(title)
    for name, d in per.items():
        figs = ", ".join(f"{k} {v}" for k, v in sorted(d["figs"].items()))
        print(f"  {name:10} pairs {d['pairs']:3}  significant (any figure) {d['any']:3}  [{figs}]")

fs = lambda p: sorted(os.path.join(D, f) for f in os.listdir(D) if f.startswith(p) and f.endswith(".json"))
aa, b10, b15, t110 = fs("aa-"), fs("b10-"), fs("b15-"), fs("t110-")
show("A/A, primes + synthetic + xz (10 runs, 45 pairs)", group(aa))
show("A/A, serial.sh b=0.10", group(b10))
show("detection: b 0.10 -> 0.15 (10 x 10 pairs)", group(b10, b15))
show("detection: T(1) x1.10 (10 x 10 pairs)", group(b10, t110))
print("interval widths at the largest j (mean relative half width of S; mean half width of B), and reruns outside")
for name, d in {**widths(aa), **widths(b10)}.items():
    sv = d["Sv"]
    outside = sum(1 for (i, (s, ci)) in enumerate(sv) for (k, (s2, _)) in enumerate(sv) if i != k and not (ci[0] <= s2 <= ci[1]))
    n = len(sv) * (len(sv) - 1)
    print(f"  {name:10} S ±{100*statistics.mean(d['S']):.2f}%  B ±{statistics.mean(d['B']) if d['B'] else float('nan'):.4f}"
          f"  S range {min(s for s,_ in sv):.3f}-{max(s for s,_ in sv):.3f}  rerun outside the interval {outside}/{n}")
