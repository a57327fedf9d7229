#!/usr/bin/env python3
"""Adds up the test cases meson ran in each build directory and prints one
closing line "N passed, N failed".

cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)."; the
API tests end with "N passed, N failed".  A test program that produced
neither (it crashed) counts as one failure.
"""
import json
import os
import re
import sys

passed = failed = 0
for build in sys.argv[1:]:
    log = os.path.join(build, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        print("no test log in %s" % build)
        failed += 1
        continue
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            out = (t.get("stdout") or "") + (t.get("stderr") or "")
            p = f_ = None
            m = re.findall(r"^(\d+) passed, (\d+) failed", out, re.M)
            if m:
                p, f_ = int(m[-1][0]), int(m[-1][1])
            else:
                mp = re.findall(r"\[  PASSED  \] (\d+) test", out)
                mf = re.findall(r"\[  FAILED  \] (\d+) test", out)
                if mp or mf:
                    p = sum(map(int, mp))
                    f_ = sum(map(int, mf))
            ok = t.get("result") == "OK"
            if p is None:
                p, f_ = (1, 0) if ok else (0, 1)
            elif not ok and f_ == 0:
                f_ = 1              # it failed after its cases (a leak, a crash)
            passed += p
            failed += f_
            print("%-12s %-28s %4d passed %3d failed" % (build, t.get("name"), p, f_))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
