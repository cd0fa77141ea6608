#!/usr/bin/env python3
"""check_layout.py INCLUDE_DIR LAYOUT [--write]: the layout of every struct in
fnmflow.h (its size, alignment and each field's offset and size, as the C
compiler lays them out) and the value of every enum member and numeric
#define (return codes, flags, sources) are exactly those in LAYOUT, the ABI of SONAME
libfnmflow.so.1 with the symbol list (check_symbols.sh).  Fields are read from
the header itself, so a field added, removed, moved or resized shows.  Option
structs may grow at their end in a later version (they carry `size`): that
changes LAYOUT in the same commit, on purpose; anything else is an ABI break.
--write rewrites LAYOUT from the header (after such an intended change)."""
import os
import re
import subprocess
import sys
import tempfile


def code(header):
    return re.sub(r"/\*.*?\*/", "", open(header).read(), flags=re.S)


def constants(header):
    """The enum members and numeric #defines: return codes, flags, versions."""
    text = code(header)
    names = re.findall(r"\b(FNMFLOW_[A-Z0-9_]+)\s*=", text)
    names += re.findall(r"#define\s+(FNMFLOW_[A-Z0-9_]+)\s+-?\d+u?\s*$", text, flags=re.M)
    return [n for n in names if "_VERSION_" not in n]  # (the version changes with releases, not the ABI)


def structs(header):
    text = code(header)
    for name, body in re.findall(r"\bstruct\s+(fnmflow_\w+)\s*\{(.*?)\};", text, flags=re.S):
        fields = re.findall(r"(\w+)\s*(?:\[[^\]]*\])?\s*;", body)
        yield name, fields


def padding(layout):
    """Gaps between fields and at the ends: bytes no field names."""
    holes, name, size, end = [], None, 0, 0
    for line in layout.splitlines() + ["struct END size 0 align 0"]:
        p = line.split()
        if p[0] == "struct":
            if name and end != size:
                holes.append("struct %s: %d bytes at its end" % (name, size - end))
            name, size, end = p[1], int(p[3]), 0
            continue
        off, sz = int(p[2]), int(p[4])
        if off != end:
            holes.append("struct %s: %d bytes before %s" % (name, off - end, p[0]))
        end = off + sz
    return holes


def main():
    if len(sys.argv) < 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    inc, layout = sys.argv[1], sys.argv[2]
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include "fnmflow.h"', "int main(void) {"]
    for name, fields in structs(os.path.join(inc, "fnmflow.h")):
        lines.append('printf("struct %s size %%zu align %%zu\\n", sizeof(struct %s), _Alignof(struct %s));'
                     % (name, name, name))
        for f in fields:
            lines.append('printf("  %s offset %%zu size %%zu\\n", offsetof(struct %s, %s), '
                         'sizeof(((struct %s *)0)->%s));' % (f, name, f, name, f))
    for c in constants(os.path.join(inc, "fnmflow.h")):
        lines.append('printf("const %s %%lld\\n", (long long)(%s));' % (c, c))
    lines.append("return 0; }")
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "layout.c"), os.path.join(d, "layout")
        open(src, "w").write("\n".join(lines) + "\n")
        subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-Wall", "-Werror", "-I", inc, src, "-o", exe],
                       check=True)
        actual = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    actual_layout = "".join(l for l in actual.splitlines(True) if not l.startswith("const "))
    if "--write" in sys.argv[3:]:
        open(layout, "w").write(actual)
        return 0
    holes = padding(actual_layout)
    if holes:
        print("implicit padding in fnmflow.h (name it: a reserved field, zero): " + "; ".join(holes))
        return 1
    expected = open(layout).read()
    if actual != expected:
        import difflib
        print("the layout of fnmflow.h (structs, constants) differs from %s (- expected, + now):" % layout)
        sys.stdout.writelines(l for l in difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                               n=0) if l[:1] in "+-" and l[:3] not in ("+++", "---"))
        return 1
    print("%d structs, %d fields, %d constants, as in %s" % (actual.count("struct "), actual.count(" offset "),
                                                             actual.count("const "), layout))
    return 0


sys.exit(main())
