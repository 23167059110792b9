#!/usr/bin/env python3
"""accuracy-compare.py - turns the raw outputs bench/accuracy.sh collected into
a comparison: per input, the vulnerabilities each tool reports, normalized by
alias group, the differences, and the wall times with ratios.

    usage: accuracy-compare.py VULNDATA OUTDIR

VULNDATA is the mirror the tools were fed (its osv/*/all.zip records define
the alias groups); OUTDIR holds raw/INPUT/TOOL.json and raw/INPUT/TOOL.time.json
(hyperfine --export-json). Writes OUTDIR/comparison.md and OUTDIR/comparison.json.
"""
import functools
import glob
import json
import os
import sys
import zipfile

PREFERENCE = ("GO-", "RUSTSEC-", "PYSEC-", "GHSA-", "CVE-")


class Groups:
    """Union-find over vulnerability IDs linked by OSV aliases."""

    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def link(self, ids):
        ids = [i for i in ids if i]
        for other in ids[1:]:
            self.union(ids[0], other)


def load_aliases(vulndata, groups):
    for z in sorted(glob.glob(os.path.join(vulndata, "osv", "*", "all.zip"))):
        if os.path.basename(os.path.dirname(z)) not in ("Go", "PyPI", "crates.io"):
            continue
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                if not name.endswith(".json"):
                    continue
                rec = json.loads(zf.read(name))
                groups.link([rec["id"]] + rec.get("aliases", []))


def json_stream(text):
    dec, i, out = json.JSONDecoder(), 0, []
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        obj, i = dec.raw_decode(text, i)
        out.append(obj)
    return out


def parse_assay(text):
    """-> list of (ids, component) from `assay scan --format json`."""
    doc = json.loads(text)
    out = []
    for f in doc.get("findings") or []:
        if f.get("suppressed"):
            continue
        c = f.get("component") or {}
        out.append(([f["id"]] + (f.get("aliases") or []), f"{c.get('name')}@{c.get('version')}"))
    return out


def parse_osv_scanner(text):
    doc = json.loads(text) if text.strip() else {}
    out = []
    for r in doc.get("results") or []:
        for p in r.get("packages") or []:
            pk = p.get("package") or {}
            comp = f"{pk.get('name')}@{pk.get('version')}"
            for v in p.get("vulnerabilities") or []:
                out.append(([v["id"]] + (v.get("aliases") or []), comp))
    return out


def parse_govulncheck(text):
    """Module-level view: every OSV entry govulncheck reports a finding for
    (binary mode) or returns for a module@version query (query mode)."""
    msgs = json_stream(text)
    osv = {m["osv"]["id"]: m["osv"] for m in msgs if "osv" in m}
    out, seen = [], set()
    findings = [m["finding"] for m in msgs if "finding" in m]
    if findings:
        for f in findings:
            tr = (f.get("trace") or [{}])[0]
            key = (f["osv"], tr.get("module"))
            if key in seen:
                continue
            seen.add(key)
            out.append(([f["osv"]] + osv.get(f["osv"], {}).get("aliases", []),
                        f"{tr.get('module')}@{tr.get('version')}"))
    else:  # query mode: the returned entries are the matches
        for oid, rec in osv.items():
            out.append(([oid] + rec.get("aliases", []), "(query)"))
    return out


def symbol_level(text):
    """IDs govulncheck reports as reachable (a finding with a function)."""
    ids = set()
    for m in json_stream(text):
        f = m.get("finding")
        if f and any(t.get("function") for t in f.get("trace") or []):
            ids.add(f["osv"])
    return ids


def _semver_key(v):
    v = v.lstrip("v").removeprefix("go").split("+")[0]
    main, _, pre = v.partition("-")
    nums = [int(x) if x.isdigit() else 0 for x in (main.split(".") + ["0", "0"])[:3]]
    ids = [(0, int(i), "") if i.isdigit() else (1, 0, i) for i in pre.split(".")] if pre else None
    return nums, ids


def semver_cmp(a, b):
    (na, pa), (nb, pb) = _semver_key(a), _semver_key(b)
    if na != nb:
        return -1 if na < nb else 1
    if pa == pb:
        return 0
    if pa is None:
        return 1
    if pb is None:
        return -1
    return -1 if pa < pb else 1


def semver_affects(ranges, v):
    """govulncheck's own rule (x/vuln internal/semver.Affects)."""
    semver = [r for r in ranges or [] if r.get("type") == "SEMVER"]
    if not semver:
        return True
    for r in semver:
        evs = sorted(r.get("events") or [], key=functools.cmp_to_key(_ev_cmp))
        affected = False
        for e in evs:
            if not affected and e.get("introduced"):
                affected = e["introduced"] == "0" or semver_cmp(v, e["introduced"]) >= 0
            elif affected and e.get("fixed"):
                affected = semver_cmp(v, e["fixed"]) < 0
        if affected:
            return True
    return False


def _ev_cmp(x, y):
    vx = next(iter(x.values()))
    vy = next(iter(y.values()))
    if x.get("introduced") == "0":
        return -1
    if y.get("introduced") == "0":
        return 1
    return semver_cmp(vx, vy)


def query_mode_spurious(text, queries):
    """IDs govulncheck's query mode returned although none of their entries
    for a queried module includes the queried version: in x/vuln v1.9.0
    internal/client byModule computes the version-filtered list but returns
    the unfiltered one, so only the index's latest "fixed" is applied."""
    want = {}
    for q in queries:
        path, _, ver = q.partition("@")
        want[path] = ver
    out = set()
    for m in json_stream(text):
        rec = m.get("osv")
        if not rec:
            continue
        hits = [(a, (a.get("package") or {}).get("name")) for a in rec.get("affected") or []]
        hits = [(a, n) for a, n in hits if n in want]
        if hits and not any(semver_affects(a.get("ranges"), want[n]) for a, n in hits):
            out.add(rec["id"])
    return out


def norm_component(c):
    name, _, ver = c.rpartition("@")
    return name.lower() + "@" + ver.lower().lstrip("v")


def inventory_of(outdir, inp, tool):
    """The components a tool saw, when known (normalized name@version)."""
    d = os.path.join(outdir, "raw", inp)
    try:
        if tool == "assay":
            with open(os.path.join(d, "assay.inventory.json")) as fh:
                doc = json.load(fh)
            return {norm_component(f"{c['name']}@{c.get('version', '')}")
                    for inv in doc.get("inventories") or [] for c in inv.get("components") or []}
        if tool == "govulncheck":
            with open(os.path.join(d, "govulncheck.query.txt")) as fh:
                return {norm_component(line.strip()) for line in fh if line.strip()}
        if tool == "osv-scanner":
            with open(os.path.join(d, "osv-scanner.json")) as fh:
                doc = json.load(fh)
            return {norm_component(f"{p['package']['name']}@{p['package'].get('version', '')}")
                    for r in doc.get("results") or [] for p in r.get("packages") or []}
    except (OSError, ValueError, KeyError):
        return None
    return None


PARSERS = {"assay": parse_assay, "osv-scanner": parse_osv_scanner, "govulncheck": parse_govulncheck}


def representative(groups, members):
    best = sorted(members, key=lambda i: (next((n for n, p in enumerate(PREFERENCE) if i.startswith(p)), 9), i))
    return best[0]


def mean_time(path):
    """-> (mean wall seconds, mean CPU seconds user+system) from hyperfine."""
    try:
        with open(path) as fh:
            r = json.load(fh)["results"][0]
        return r["mean"], r["user"] + r["system"]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None, None


def main():
    vulndata, outdir = sys.argv[1], sys.argv[2]
    groups = Groups()
    load_aliases(vulndata, groups)
    raw = {}
    for path in sorted(glob.glob(os.path.join(outdir, "raw", "*", "*.json"))):
        if path.endswith(".time.json"):
            continue
        inp = os.path.basename(os.path.dirname(path))
        tool = os.path.basename(path)[: -len(".json")]
        if tool not in PARSERS:
            continue
        with open(path) as fh:
            text = fh.read()
        try:
            found = PARSERS[tool](text)
        except (ValueError, KeyError) as err:
            print(f"{inp}/{tool}: cannot parse output: {err}", file=sys.stderr)
            found = None
        raw.setdefault(inp, {})[tool] = (found, text)
        for ids, _ in found or []:
            groups.link(ids)

    members = {}
    for r in list(groups.parent):
        members.setdefault(groups.find(r), []).append(r)
    results, md = [], []
    md.append("| input | tool | vulns | both | only assay | only peer | wall s | wall ratio | CPU s | CPU ratio |")
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    details = []
    for inp in sorted(raw):
        tools = raw[inp]
        sets = {}
        for tool, (found, _) in tools.items():
            if found is None:
                continue
            g = {}
            for ids, comp in found:
                root = groups.find(ids[0])
                g.setdefault(root, set()).add(comp)
            sets[tool] = g
        a = sets.get("assay", {})
        at, ac = mean_time(os.path.join(outdir, "raw", inp, "assay.time.json"))
        md.append(f"| {inp} | assay | {len(a)} | | | | {fmt(at)} | | {fmt(ac)} | |")
        for peer in ("osv-scanner", "govulncheck"):
            if peer not in sets:
                continue
            p = sets[peer]
            pt, pc = mean_time(os.path.join(outdir, "raw", inp, f"{peer}.time.json"))
            only_a = sorted(set(a) - set(p))
            only_p = sorted(set(p) - set(a))
            md.append(f"| {inp} | {peer} | {len(p)} | {len(set(a) & set(p))} | {len(only_a)} | {len(only_p)} | "
                      f"{fmt(pt)} | {ratio(pt, at)} | {fmt(pc)} | {ratio(pc, ac)} |")
            spurious = set()
            qpath = os.path.join(outdir, "raw", inp, "govulncheck.query.txt")
            if peer == "govulncheck" and os.path.exists(qpath):
                with open(qpath) as fh:
                    spurious = {groups.find(i) for i in query_mode_spurious(tools[peer][1], fh.read().split())}
            withdrawn = {groups.find(m["osv"]["id"]) for m in json_stream(tools[peer][1])
                         if peer == "govulncheck" and m.get("osv", {}).get("withdrawn")}
            inv = {"assay": inventory_of(outdir, inp, "assay"), peer: inventory_of(outdir, inp, peer)}
            for side, other, lst, src in (("assay", peer, only_a, a), (peer, "assay", only_p, p)):
                for root in lst:
                    comps = sorted(src[root])
                    why = ""
                    if root in withdrawn:
                        why = f"PEER: {peer} reports a withdrawn record"
                    elif root in spurious:
                        why = "PEER BUG: version not in the entry's ranges (govulncheck query mode returns unfiltered entries)"
                    elif inv.get(other) is not None and comps != ["(query)"] and \
                            not any(norm_component(c) in inv[other] for c in comps):
                        why = f"INPUT: component not in {other}'s inventory"
                    elif inv.get(other) is not None and comps != ["(query)"]:
                        why = "MATCH: component in both inventories"
                    details.append(f"- {inp}: only {side}: {representative(groups, members.get(root, [root]))} "
                                   f"[{', '.join(sorted(members.get(root, [root])))}] on {', '.join(comps)}"
                                   f"{' — ' + why if why else ''}")
            results.append({"input": inp, "peer": peer, "assay": len(a), "peer_groups": len(p),
                            "both": len(set(a) & set(p)), "only_assay": len(only_a), "only_peer": len(only_p),
                            "assay_wall_s": at, "peer_wall_s": pt, "assay_cpu_s": ac, "peer_cpu_s": pc})
        if "govulncheck" in tools and tools["govulncheck"][0]:
            sym = symbol_level(tools["govulncheck"][1])
            if sym:
                details.append(f"- {inp} / govulncheck symbol-level (reachable) subset: {len(sym)} of its findings")
    md.append("")
    md.append("Differences (alias group representative, all IDs in the group, components):")
    md.append("")
    md.extend(details or ["- none"])
    with open(os.path.join(outdir, "comparison.md"), "w") as fh:
        fh.write("\n".join(md) + "\n")
    with open(os.path.join(outdir, "comparison.json"), "w") as fh:
        json.dump(results, fh, indent=1)
    print("\n".join(md))


def ratio(peer, ours):
    """How many times longer the peer took."""
    return f"{peer / ours:.1f}x" if peer and ours else ""


def fmt(t):
    return f"{t:.3f}" if t is not None else ""


if __name__ == "__main__":
    main()
