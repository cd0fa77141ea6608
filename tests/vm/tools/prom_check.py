#!/usr/bin/python3
"""prom_check.py [FILE]: checks a Prometheus text exposition (stdin or FILE)
strictly and prints its samples as `name{label="v",...} value` lines (labels
sorted), for shell tests to pick values from.  Exit 1 with one message per
problem.  Two parsers must agree: Debian's python3-prometheus-client
(prometheus_client.parser, what Prometheus' Python tooling uses) and the
stricter line grammar of the format below (version 0.0.4):
  - every sample's family has exactly one # HELP and one # TYPE, before it;
  - TYPE is counter or gauge; counter names end in _total;
  - names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*,
    label values with only \\\\ \\" \\n escapes, values floats;
  - no series twice; the text ends with a newline."""
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s(?:,%s)*)?\})? (\S+)$" % (NAME, LABEL, LABEL))
VALUE = re.compile(r"^(?:[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|[-+]?Inf|NaN)$")


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    errors = []
    if not text.endswith("\n"):
        errors.append("text does not end with a newline")
    helps, types, seen = {}, {}, set()
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]):
                errors.append("line %d: malformed %s" % (n, line))
                continue
            table = helps if parts[1] == "HELP" else types
            if parts[2] in table:
                errors.append("line %d: second %s for %s" % (n, parts[1], parts[2]))
            table[parts[2]] = parts[3]
            if parts[1] == "TYPE" and parts[3] not in ("counter", "gauge"):
                errors.append("line %d: type %s" % (n, parts[3]))
            continue
        if line.startswith("#") or not line:
            errors.append("line %d: unexpected %r" % (n, line))
            continue
        m = SAMPLE.match(line)
        if not m:
            errors.append("line %d: not a sample: %r" % (n, line))
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        if name not in helps or name not in types:
            errors.append("line %d: %s without HELP and TYPE before it" % (n, name))
        elif types[name] == "counter" and not name.endswith("_total"):
            errors.append("line %d: counter %s does not end in _total" % (n, name))
        if not VALUE.match(value):
            errors.append("line %d: bad value %r" % (n, value))
        if (name, labels) in seen:
            errors.append("line %d: series %s%s twice" % (n, name, labels))
        seen.add((name, labels))
    out = []
    try:
        nfam = 0
        for fam in text_string_to_metric_families(text):
            nfam += 1
            if fam.type not in ("counter", "gauge"):
                errors.append("prometheus_client: %s has type %s" % (fam.name, fam.type))
            for s in fam.samples:
                lab = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                v = s.value
                out.append("%s%s %s" % (s.name, "{%s}" % lab if lab else "",
                                        int(v) if v == int(v) and abs(v) < 2**63 else v))
        if nfam != len(types):
            errors.append("prometheus_client saw %d families, TYPE lines say %d" % (nfam, len(types)))
    except Exception as e:  # the library's parse error
        errors.append("prometheus_client: %s" % e)
    if len(out) != len(seen):
        errors.append("prometheus_client saw %d samples, the grammar %d" % (len(out), len(seen)))
    if errors:
        for e in errors:
            print("prom_check: " + e, file=sys.stderr)
        return 1
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
