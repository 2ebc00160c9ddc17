#!/usr/bin/env python3
"""expect_exit.py CODE COMMAND...: runs COMMAND with its output passed through, and succeeds
only if it exits with CODE (lit's `not` accepts any non-zero status; a skip is exactly 4)."""
import subprocess
import sys

code = subprocess.call(sys.argv[2:])
if code != int(sys.argv[1]):
    print("expect_exit.py: exit status %d, expected %s" % (code, sys.argv[1]), file=sys.stderr)
    sys.exit(1)
