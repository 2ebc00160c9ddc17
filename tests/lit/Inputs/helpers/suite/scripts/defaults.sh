#!/bin/sh
# Sourced by path relative to where commands run (the script's directory), as upstream suites do.
. ../scripts/defaults-linux.sh
../lib/tune.sh
