#!/usr/bin/env python3
"""speed.py - times `assay scan` against osv-scanner (offline) and govulncheck
(-mode=binary) on the same inputs in one run, and the 100,000-component SBOMs.

    usage: speed.py CONFIG.json

CONFIG (written by bench/speed.sh) names the binaries, the data and the
inputs:
    {"runs": N, "out": DIR, "assay": [...argv prefix...],
     "osv-scanner": [...argv prefix...], "govulncheck": [...argv prefix...],
     "env": {...extra environment...},
     "inputs": [{"name", "path", "peer": "osv-scanner"|"govulncheck"}],
     "big": [{"name", "path"}]}

Each command runs N times, the tools interleaved (assay, peer, assay, peer,
...) so that a change in the machine's load hits both alike. Wall time
comes from a monotonic clock, CPU time (user + system) and peak RSS from
wait4's rusage, so both have microsecond resolution. Prints a Markdown
table of medians with ratios (peer / assay: above 1 means assay is
faster) and the load average before and after; writes OUT/speed.json.
"""
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(argv, env, out_path):
    """Runs argv once; returns (wall s, cpu s, max RSS KiB, exit status)."""
    with open(out_path, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, p.returncode


def measure(cmds, runs, env, outdir):
    """cmds: {tool: argv}. Runs them interleaved; returns {tool: samples}."""
    samples = {t: [] for t in cmds}
    for i in range(runs + 1):  # the first round warms the page cache
        for tool, argv in cmds.items():
            r = run_once(argv, env, os.path.join(outdir, tool + ".out"))
            if r[3] not in (0, 1):  # 1: findings (osv-scanner), --fail-on
                print(f"warning: {tool} exited {r[3]}: {' '.join(argv)}", file=sys.stderr)
            if i > 0:
                samples[tool].append(r)
    return samples


def median(samples, k):
    return statistics.median(s[k] for s in samples)


def main():
    cfg = json.load(open(sys.argv[1]))
    env = dict(os.environ, **cfg.get("env", {}))
    runs, out = cfg["runs"], cfg["out"]
    load0 = os.getloadavg()
    rows, result = [], {"runs": runs, "inputs": [], "big": []}
    for inp in cfg["inputs"]:
        d = os.path.join(out, "speed", inp["name"])
        os.makedirs(d, exist_ok=True)
        peer = inp["peer"]
        cmds = {"assay": cfg["assay"] + [inp["path"]], peer: cfg[peer] + [inp["path"]]}
        s = measure(cmds, runs, env, d)
        a_wall, a_cpu = median(s["assay"], 0), median(s["assay"], 1)
        p_wall, p_cpu = median(s[peer], 0), median(s[peer], 1)
        rows.append((inp["name"], peer, a_wall, p_wall, p_wall / a_wall, a_cpu, p_cpu, p_cpu / a_cpu))
        result["inputs"].append({"name": inp["name"], "peer": peer, "assay_wall": a_wall, "peer_wall": p_wall,
                                 "assay_cpu": a_cpu, "peer_cpu": p_cpu, "wall_ratio": p_wall / a_wall,
                                 "cpu_ratio": p_cpu / a_cpu, "samples": s})
        print(f"{inp['name']}: assay {a_wall:.3f}s {peer} {p_wall:.3f}s ({p_wall / a_wall:.1f}x)", file=sys.stderr)
    big_rows = []
    for b in cfg.get("big", []):
        d = os.path.join(out, "speed", b["name"])
        os.makedirs(d, exist_ok=True)
        s = measure({"assay": cfg["assay_big"] + [b["path"]]}, max(1, min(runs, 3)), env, d)["assay"]
        row = (b["name"], median(s, 0), median(s, 1), max(x[2] for x in s) / 1024)
        big_rows.append(row)
        result["big"].append({"name": b["name"], "wall": row[1], "cpu": row[2], "max_rss_mib": row[3], "samples": s})
        print(f"{b['name']}: {row[1]:.2f}s wall, {row[3]:.0f} MiB", file=sys.stderr)
    load1 = os.getloadavg()
    result["load"] = [load0, load1]
    json.dump(result, open(os.path.join(out, "speed.json"), "w"), indent=1)

    print(f"load average (1/5/15 min) before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
          f"after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; {runs} runs each, medians\n")
    print("| input | peer | assay wall s | peer wall s | wall ratio | assay CPU s | peer CPU s | CPU ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.3f} | {r[3]:.3f} | {r[4]:.1f}x | {r[5]:.3f} | {r[6]:.3f} | {r[7]:.1f}x |")
    for peer, target in (("osv-scanner", 10), ("govulncheck", 5)):
        sel = [r for r in rows if r[1] == peer]
        if not sel:
            continue
        w, c = [r[4] for r in sel], [r[7] for r in sel]
        print(f"\n{peer} / assay over {len(sel)} inputs: wall ratio min {min(w):.1f}x median "
              f"{statistics.median(w):.1f}x max {max(w):.1f}x ({sum(x >= target for x in w)} at >= {target}x); "
              f"CPU ratio min {min(c):.1f}x median {statistics.median(c):.1f}x max {max(c):.1f}x "
              f"({sum(x >= target for x in c)} at >= {target}x)")
    if big_rows:
        print("\n| SBOM | wall s | CPU s | peak RSS MiB |")
        print("|---|---:|---:|---:|")
        for r in big_rows:
            print(f"| {r[0]} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.0f} |")


if __name__ == "__main__":
    main()
