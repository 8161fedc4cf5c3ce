#!/usr/bin/env python3
"""check_alerts.py — reads the stamped JSON alert lines of a live falcod run ("<read ns> <json>"
per line, from e2e_actor stamp) for the end-to-end tests.

  check OUT CASES      every case of CASES (TAG, expected rules, field checks; see common.bash):
                       the rules of the alerts whose line contains TAG must be exactly the
                       expected ones, and each field check key=value (fnmatch pattern; <NA> for
                       a missing value) must hold for the alert of the first expected rule.
                       Exit status 1 if any case fails.
  norm OUT CASES       the alerts of the cases, one normalised line each (volatile fields such as
                       times, pids and ephemeral ports dropped), sorted: what must be the same with
                       and without the kernel pre-filter.
  latency OUT TIMES TAG [BOUND_MS]
                       pairs the alerts containing TAG, in order, with the wall-clock times (ns)
                       in TIMES taken just before each syscall; prints the latency from the
                       syscall to the line being read, and from the event's own timestamp (the
                       alert's output_fields evt.time) to the line being read: median, p90, max.
                       Exit status 1 if an alert is missing or the max exceeds BOUND_MS.
"""
import fnmatch
import json
import re
import sys


def alerts(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            ts, _, js = line.rstrip("\n").partition(" ")
            if not js.startswith("{"):
                continue
            try:
                out.append((int(ts), js, json.loads(js)))
            except ValueError:
                print("unparsable alert line: %r" % js[:200])
                out.append((int(ts), js, None))
    return out


def cases(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            tag, rules, fields = line.rstrip("\n").split("\t")
            want = [] if rules == "-" else rules.split(";")
            checks = [] if fields == "-" else [c.split("=", 1) for c in fields.split(";")]
            yield tag, want, checks


def render(v):
    if v is None:
        return "<NA>"
    if isinstance(v, list):
        return ",".join(render(x) for x in v)
    return str(v)


def cmd_check(out, cpath):
    al = alerts(out)
    bad = n = 0
    for tag, want, checks in cases(cpath):
        n += 1
        mine = [a for a in al if tag in a[1]]
        got = sorted({a[2]["rule"] for a in mine if a[2]})
        errs = []
        if got != sorted(want):
            errs.append("rules %s, expected %s" % (got or "none", sorted(want) or "none"))
        if want and checks:
            first = next((a[2] for a in mine if a[2] and a[2]["rule"] == want[0]), None)
            if first:
                of = first.get("output_fields", {})
                for k, pat in checks:
                    v = render(of.get(k)) if k in of else render(first.get(k))
                    if not fnmatch.fnmatchcase(v, pat):
                        errs.append("%s=%r, expected %r" % (k, v, pat))
        if errs:
            bad += 1
            print("FAIL %s: %s" % (tag, "; ".join(errs)))
            for a in mine:
                print("    %s" % a[1][:600])
        else:
            print("ok   %s: %s" % (tag, ", ".join(want) or "no alert"))
    print("%d cases, %d failed" % (n, bad))
    return 1 if bad else 0


VOLATILE = re.compile(r"(evt\.time|proc\.duration|pid|cport|lport|rport|evt\.num)")
PORT = re.compile(r":\d+")


def cmd_norm(out, cpath):
    al = alerts(out)
    tags = [c[0] for c in cases(cpath)]
    lines = []
    for _, js, d in al:
        tag = next((t for t in tags if t in js), None)
        if not tag or not d:
            continue
        of = {k: PORT.sub(":N", render(v)) if k == "fd.name" else render(v)
              for k, v in d.get("output_fields", {}).items() if not VOLATILE.search(k)}
        lines.append("%s | %s | %s" % (tag, d["rule"], json.dumps(of, sort_keys=True)))
    for l in sorted(lines):
        print(l)
    return 0


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def cmd_latency(out, tpath, tag, bound_ms=None):
    with open(tpath) as f:
        before = [int(l) for l in f if l.strip().isdigit()]
    mine = [a for a in alerts(out) if tag in a[1] and a[2]]
    if len(mine) < len(before):
        print("FAIL: %d alerts for %d triggers" % (len(mine), len(before)))
        return 1
    d_sys = [(a[0] - b) / 1e6 for a, b in zip(mine, before)]
    d_evt = [(a[0] - a[2]["output_fields"]["evt.time"]) / 1e6 for a in mine[: len(before)]]
    for name, xs in (("syscall -> alert line read", d_sys), ("event timestamp -> alert line read", d_evt)):
        print("%-36s n=%d  median %.3f ms  p90 %.3f ms  max %.3f ms  min %.3f ms"
              % (name, len(xs), pct(xs, 0.5), pct(xs, 0.9), max(xs), min(xs)))
    if bound_ms is not None and max(d_sys) > float(bound_ms):
        print("FAIL: max latency %.3f ms above the bound of %s ms" % (max(d_sys), bound_ms))
        return 1
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "check":
        return cmd_check(argv[2], argv[3])
    if len(argv) >= 4 and argv[1] == "norm":
        return cmd_norm(argv[2], argv[3])
    if len(argv) >= 5 and argv[1] == "latency":
        return cmd_latency(argv[2], argv[3], argv[4], argv[5] if len(argv) > 5 else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
