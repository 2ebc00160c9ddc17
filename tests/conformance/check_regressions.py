#!/usr/bin/env python3
"""Compares a fresh pktc-only conformance run with the committed report (docs/conformance-NAME.tsv,
which holds reference packetdrill's verdicts): fails when a (script, family) pair on which pktc
agreed with packetdrill no longer agrees. Pairs that disagree in the baseline are reported but
do not fail, so the test guards progress without pretending to parity it does not have.

usage: check_regressions.py BASELINE.tsv FRESH.tsv
"""
import csv
import os
import sys


def load(path):
    with open(path, newline="") as f:
        return {(r["script"], r["family"]): r for r in csv.DictReader(f, delimiter="\t")}


def agrees(pktc, pd):
    if pd["pd_verdict"] in ("", None):
        return None
    if pktc["pktc_verdict"] != pd["pd_verdict"]:
        return False
    return pktc["pktc_verdict"] != "fail" or pktc["pktc_line"] == pd["pd_line"]


def known_flaky():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flaky.txt")
    with open(path) as f:
        return {l.strip() for l in f if l.strip() and not l.startswith("#")}


def main():
    baseline, fresh = load(sys.argv[1]), load(sys.argv[2])
    flaky = known_flaky()
    regressions, fixed, still = [], [], 0
    for key, base in sorted(baseline.items()):
        now = fresh.get(key)
        if now is None:
            continue
        was, is_now = agrees(base, base), agrees(now, base)
        if was is None:
            continue
        if was and not is_now:
            if key[0] in flaky:
                print("flaky (not counted) %s %s: pktc now %s %s" % (key[0], key[1],
                                                                    now["pktc_verdict"], now["pktc_line"]))
                continue
            regressions.append((key, base, now))
        elif not was and is_now:
            fixed.append(key)
        elif not was:
            still += 1
    agree_now = sum(1 for k, b in baseline.items() if k in fresh and agrees(fresh[k], b))
    print("conformance: %d/%d pairs agree with packetdrill's recorded verdicts"
          % (agree_now, len(baseline)))
    print("conformance: %d newly agreeing, %d still disagreeing (see docs/conformance-*.md)"
          % (len(fixed), still))
    for (script, family), base, now in regressions:
        print("REGRESSION %s %s: packetdrill %s %s, pktc now %s %s: %s"
              % (script, family, base["pd_verdict"], base["pd_line"], now["pktc_verdict"],
                 now["pktc_line"], now["pktc_error"]))
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
