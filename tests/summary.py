#!/usr/bin/env python3
"""Adds up the test cases meson ran and prints one closing line
"N passed, N failed".

usage: summary.py BUILD_DIR[:LOGBASE]...

Reads BUILD_DIR/meson-logs/LOGBASE.json (LOGBASE defaults to testlog) for
each argument; a missing log (that part of the suite could not run, say
PostgreSQL did not start) counts as a failure.

cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)."; the
API tests end with "N passed, N failed".  A test program that printed
neither (it crashed) counts as one, and one that failed after its cases
(a leak report, a sanitizer) counts as one failure.
"""
import json
import os
import re
import sys


def cases(t):
    """(passed, failed) for one meson test result."""
    out = (t.get("stdout") or "") + (t.get("stderr") or "")
    ok = t.get("result") == "OK"
    m = re.findall(r"^(\d+) passed, (\d+) failed", out, re.M)
    if m:
        p, f = int(m[-1][0]), int(m[-1][1])
    else:
        mp = re.findall(r"\[  PASSED  \] (\d+) test", out)
        mf = re.findall(r"\[  FAILED  \] (\d+) test", out)
        if not (mp or mf):
            return (1, 0) if ok else (0, 1)
        p, f = sum(map(int, mp)), sum(map(int, mf))
    if not ok and f == 0:
        f = 1
    return p, f


def main(argv):
    passed = failed = 0
    for spec in argv:
        build, base = spec.split(":", 1) if ":" in spec else (spec, "testlog")
        log = os.path.join(build, "meson-logs", base + ".json")
        if not os.path.exists(log):
            print("%s: %s missing (that part of the suite did not run)" % (build, base))
            failed += 1
            continue
        label = build + ("" if base == "testlog" else "/" + base[8:])
        with open(log) as f:
            for line in f:
                t = json.loads(line)
                p, fl = cases(t)
                passed += p
                failed += fl
                print("%-26s %-28s %4d passed %3d failed" % (label, t.get("name"), p, fl))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
