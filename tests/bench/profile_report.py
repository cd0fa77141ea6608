#!/usr/bin/env python3
"""Instruction profile from "SYM+OFF COUNT" lines (tests/bench/profile.sh).

Usage: profile_report.py SAMPLES KO [LINES]
Prints the share of samples per function, then, for the module's functions (found in KO's
symbol table), per source line through the inlining chain (addr2line -f -i): the innermost
line and the function it was inlined into.
"""
import collections
import re
import subprocess
import sys


def module_symbols(ko):
    syms = {}
    out = subprocess.run(["nm", "--defined-only", ko], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            syms[parts[2]] = int(parts[0], 16)
    return syms


def main():
    path, ko = sys.argv[1], sys.argv[2]
    nlines = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    syms = module_symbols(ko)
    by_sym = collections.Counter()
    mod_addrs = collections.Counter()
    total = 0
    pat = re.compile(r"^(\S+?)\+0x([0-9a-f]+) (\d+)$")
    for line in open(path, errors="replace"):
        parts = line.split()
        if len(parts) != 2 or parts[0] == "TOTAL":
            continue
        cnt = int(parts[1])
        total += cnt
        m = pat.match(line.strip())
        if not m:
            by_sym[parts[0]] += cnt
            continue
        sym, off = m.group(1), int(m.group(2), 16)
        by_sym[sym] += cnt
        if sym in syms:
            mod_addrs[syms[sym] + off] += cnt
    if not total:
        print("no samples")
        return
    print(f"{total} samples (one per NF_PROFILE_PERIOD (10000) guest instructions)")
    print(f"{'share':>7} {'samples':>8}  function ([m] = ours)")
    for sym, n in by_sym.most_common(45):
        tag = " [m]" if sym in syms else ""
        print(f"{100.0 * n / total:6.2f}% {n:8d}  {sym}{tag}")
    if not mod_addrs:
        return
    addrs = sorted(mod_addrs)
    # addr2line -i prints a variable number of (function, file:line) pairs per address:
    # one call per address keeps them apart
    by_line = collections.Counter()
    for a in addrs:
        r = subprocess.run(["addr2line", "-f", "-i", "-e", ko, "-j", ".text", hex(a)],
                           capture_output=True, text=True).stdout.split("\n")
        pairs = [(r[i], r[i + 1]) for i in range(0, len(r) - 1, 2)]
        if not pairs:
            continue
        inner = pairs[0]
        outer = pairs[-1][0]
        loc = inner[1].split("/")[-1].split(" ")[0]
        by_line[f"{loc} ({inner[0]} in {outer})"] += mod_addrs[a]
    mod_total = sum(mod_addrs.values())
    print(f"\nmodule source lines ({mod_total} samples, {100.0 * mod_total / total:.1f}%):")
    for key, n in by_line.most_common(nlines):
        print(f"{100.0 * n / total:6.2f}% {n:8d}  {key}")


if __name__ == "__main__":
    main()
