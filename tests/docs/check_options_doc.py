#!/usr/bin/env python3
"""Fails when docs/options.md does not list every packetdrill option of common/options.def
(rows before "pktc's own flags"), so the table cannot drift from the code."""
import re
import sys

root = sys.argv[1]
table = open(root + "/common/options.def").read()
doc = open(root + "/docs/options.md").read()
names = re.findall(r'^PKTC_OPTION\(\w+, "(\w+)", "[^"]*", \w+, [^,]+, [^,]+, \w+, Anywhere\)', table,
                   re.M)
missing = [n for n in names if "`--%s`" % n not in doc]
if missing:
    print("docs/options.md does not list: " + ", ".join("--" + n for n in missing))
    sys.exit(1)
print("docs/options.md lists all %d header options" % len(names))
