#!/usr/bin/env python3
"""The module's layering, checked on its objects (make check-layers).

Usage: kernel/tests/layers.py DIR [DIR...]   (directories holding the built *.o of kernel/)

A unit is a .c file and its header of the same name (flowtable.c + flowtable.h); a few
units are a header only (flow_key.h, flow.h, ...).  Checked, on each DIR:
  1. Calls go one way.  An edge A -> B is A's object using a symbol B's object defines
     (functions and data, from nm).  Every edge goes to the same or a lower layer of
     LAYERS below, and there is no cycle at all, direct or through others.
  2. One header per unit.  Every function or variable a header of kernel/ declares
     extern is defined by that header's own unit (X.h: X.o), so a header says what its
     unit offers and nothing else's.
  3. Headers include one way: no cycle of #include among kernel/'s files, taking a
     unit's .c and .h as one node.
  4. A prefix of its own: every symbol the module's objects define outside a function
     (functions, variables; static ones too) starts with ipnf_, so none reads like the
     kernel's netfilter core (nf_*) or collides with it.
  5. Lock rules are asserted.  A function that a comment says runs with a lock held (the
     comment above its definition, the comment on or above its prototype, or a header's
     first comment saying its functions are called with the lock held) asserts it:
     lockdep_assert_held() / lockdep_is_held() of that mutex, ASSERT_RTNL() for RTNL.
Each failure is printed; the exit status is 1 if any.
"""
import os
import re
import subprocess
import sys

# Top first.  A unit may use units of its own layer or below, never above.
LAYERS = [
    ("module", ["main"]),
    ("control: sysctl, netlink, /proc", ["sysctl", "genl", "proc"]),
    ("parameters and the statistics snapshot", ["params", "snapshot"]),
    ("packet path entries and the worker", ["target", "hooks", "offload", "expiry"]),
    ("NAT: translations and events", ["natflows", "natevents"]),
    ("flow table and exporter", ["flowtable", "export"]),
    ("flow objects, the maxflows quotas and PDU encoders", ["flowpool", "flowquota", "export_v5", "export_tpl"]),
    ("services: sockets, rule sets, interfaces, namespaces, the promisc tap, counters, wire formats",
     ["sock", "ruleset", "ifaces", "netns", "promisc", "stats", "pdu_v5", "tmpl"]),
    ("pure parsers", ["flow_parse", "rules", "options"]),
    ("configuration and locks", ["cfg", "locks"]),
]
RANK = {u: i for i, (_, units) in enumerate(LAYERS) for u in units}
SKIP_OBJ = {"ipt_NETFLOW", "ipt_NETFLOW.mod"}


def nm(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "U":
            used.add(f[1])
        elif len(f) == 3 and f[1] in "TDBRG":
            defined.add(f[2])
    return defined, used


def cycles(edges):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


PREFIX = "ipnf_"
# What the kernel's build and macros name, not the module's code.
NOT_OURS = re.compile(r"^(__|init_module$|cleanup_module$|_note_|\.|\$)|\.(\d+|cold|constprop|isra|part)")


def check_prefix(objdir, errors):
    for f in sorted(os.listdir(objdir)):
        if not f.endswith(".o") or f[:-2] in SKIP_OBJ:
            continue
        out = subprocess.run(["nm", os.path.join(objdir, f)], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            p = line.split()
            if len(p) != 3 or p[1] not in "TtDdBbRr":
                continue
            name = p[2].split(".")[0]
            if NOT_OURS.search(p[2]) or name.startswith(PREFIX) or not name:
                continue
            errors.append(f"{objdir}/{f}: {p[2]} is not named {PREFIX}*")


def check_objects(objdir, errors):
    owner, uses = {}, {}
    for f in sorted(os.listdir(objdir)):
        unit = f[:-2]
        if not f.endswith(".o") or unit in SKIP_OBJ:
            continue
        defined, used = nm(os.path.join(objdir, f))
        uses[unit] = used
        for sym in defined:
            owner[sym] = unit
    if not uses:
        errors.append(f"{objdir}: no objects (build the module first)")
        return owner
    edges = {}
    for unit, used in uses.items():
        if unit not in RANK:
            errors.append(f"{objdir}: unit {unit} is in no layer of kernel/tests/layers.py")
        for sym in sorted(used):
            dep = owner.get(sym)
            if dep is None or dep == unit:
                continue
            edges.setdefault(unit, {}).setdefault(dep, []).append(sym)
    for a in sorted(edges):
        for b, syms in sorted(edges[a].items()):
            if a in RANK and b in RANK and RANK[b] < RANK[a]:
                errors.append(f"{objdir}: {a} ({LAYERS[RANK[a]][0]}) uses {b}, a layer above "
                              f"({LAYERS[RANK[b]][0]}): {' '.join(syms[:5])}")
    for comp in cycles({a: set(b) for a, b in edges.items()}):
        errors.append(f"{objdir}: units calling each other in a loop: {' '.join(comp)}")
    return owner


def header_decls(text):
    """Names a header declares extern: function prototypes, extern and per-CPU variables."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"\\\n", " ", text)
    text = re.sub(r"^\s*#.*$", "", text, flags=re.M)
    top, depth = [], 0
    for ch in text:  # keep what is outside braces: declarations, not bodies
        if ch == "{":
            depth += 1
            top.append(";")
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            top.append(ch)
    names = set()
    for stmt in "".join(top).split(";"):
        s = " ".join(stmt.split())
        if not s or s.startswith(("static ", "typedef ", "enum ", "union ")):
            continue
        m = re.search(r"DECLARE_PER_CPU\(.*,\s*(\w+)\s*\)$", s)
        if m:
            names.add(m.group(1))
            continue
        m = re.search(r"\b(\w+)\s*\(", s)
        if m and not s.startswith("struct ") or m and re.match(r"struct \w+ \**\w+\s*\(", s):
            names.add(m.group(1))
            continue
        m = re.match(r"extern .*?\b(\w+)\s*(\[.*\])?$", s)
        if m:
            names.add(m.group(1))
    return names


def check_headers(srcdir, owner, objdir, errors):
    for f in sorted(os.listdir(srcdir)):
        if not f.endswith(".h"):
            continue
        unit = f[:-2]
        with open(os.path.join(srcdir, f)) as fh:
            names = header_decls(fh.read())
        for name in sorted(names):
            where = owner.get(name)
            if where is not None and where != unit:
                errors.append(f"{f} declares {name}, which {where}.c defines "
                              f"(it belongs in {where}.h)")


def check_includes(srcdir, errors):
    edges = {}
    for f in sorted(os.listdir(srcdir)):
        if not f.endswith((".c", ".h")) or f.endswith(".mod.c"):
            continue
        unit = f[:-2]
        with open(os.path.join(srcdir, f)) as fh:
            for inc in re.findall(r'^#include "([^"]+)\.h"', fh.read(), re.M):
                if inc != unit:
                    edges.setdefault(unit, set()).add(inc)
    for comp in cycles(edges):
        errors.append(f"{srcdir}: files including each other in a loop: {' '.join(comp)}")


HELD = re.compile(r"(ipnf_export_mutex|export mutex|ipnf_cfg_mutex|cfg mutex|both mutexes|RTNL)"
                  r"\)? held")
LOCKS = {"ipnf_export_mutex": ["ipnf_export_mutex"], "export mutex": ["ipnf_export_mutex"],
         "ipnf_cfg_mutex": ["ipnf_cfg_mutex"], "cfg mutex": ["ipnf_cfg_mutex"],
         "both mutexes": ["ipnf_cfg_mutex", "ipnf_export_mutex"], "RTNL": ["RTNL"]}


def locks_in(comment):
    return {lk for m in HELD.finditer(" ".join(comment.split())) for lk in LOCKS[m.group(1)]}


def bodies(srcdir):
    """name -> (file, comment above its definition, body) of every function of kernel/*.c."""
    out = {}
    for f in sorted(os.listdir(srcdir)):
        if not f.endswith(".c") or f.endswith(".mod.c"):
            continue
        text = open(os.path.join(srcdir, f)).read()
        for m in re.finditer(r"(?:/\*((?:(?!\*/).)*)\*/\n)?((?:static )?[a-z][\w \*]*?\b(ipnf_\w+)"
                             r"\([^;{]*?\)\n\{\n(.*?)\n\}\n)", text, re.S):
            out[m.group(3)] = (f, m.group(1) or "", m.group(4))
    return out


def asserted(body, lock):
    if lock == "RTNL":
        return "ASSERT_RTNL()" in body or "lockdep_assert_held(&rtnl_mutex)" in body
    return (f"lockdep_assert_held(&{lock})" in body or f"lockdep_is_held(&{lock})" in body)


def check_lock_rules(srcdir, errors):
    fns = bodies(srcdir)
    need = {}  # function -> (locks, where the rule is written)
    for name, (f, comment, _) in fns.items():
        for lk in locks_in(comment):
            need.setdefault(name, (set(), f))[0].add(lk)
    for f in sorted(os.listdir(srcdir)):
        if not f.endswith(".h"):
            continue
        text = open(os.path.join(srcdir, f)).read()
        first = re.search(r"/\*(.*?)\*/", text[text.find("*/") + 2:] if text.startswith("/* SPDX")
                          else text, re.S)
        head_locks = set()
        if first and re.search(r"(called|calls these) with", " ".join(first.group(1).split())):
            head_locks = locks_in(first.group(1))
        group = set()
        for line in text.splitlines():
            if not line.strip():
                group = set()
                continue
            c = re.search(r"/\*(.*?)\*/", line)
            if line.lstrip().startswith("/*") and c:
                group = locks_in(c.group(1))
                continue
            m = re.match(r"^(?!static|typedef|#)[a-z][\w \*]*?\b(ipnf_\w+)\(", line)
            if not m:
                continue
            lks = set(head_locks) | group | (locks_in(c.group(1)) if c else set())
            if lks:
                need.setdefault(m.group(1), (set(), f))[0].update(lks)
    for name, (lks, where) in sorted(need.items()):
        if name not in fns:
            continue  # no definition in this build: an inline stub of a feature switched off
        f, _, body = fns[name]
        for lk in sorted(lks):
            if not asserted(body, lk):
                errors.append(f"{f}: {name}() runs with {lk} held ({where} says so) "
                              f"but does not assert it")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    src = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    errors = []
    for objdir in argv[1:]:
        owner = check_objects(objdir, errors)
        check_prefix(objdir, errors)
        check_headers(src, owner, objdir, errors)
    check_includes(src, errors)
    check_lock_rules(src, errors)
    for e in errors:
        print("layers: " + e)
    if not errors:
        print(f"layers: {len(RANK)} units in {len(LAYERS)} layers: calls one way, "
              "one header per unit, includes one way, one prefix, lock rules asserted")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
