#!/bin/bash
# Usage: kill_second_family.sh BINARY
# Runs a test binary, SIGKILLs the process of its second family as soon as both exist (the
# second family then waits for its turn), and prints the binary's output and exit status.
binary=$1
"$binary" &
parent=$!
for _ in $(seq 200); do
  kids=$(pgrep -P "$parent" | sort -n)
  [ "$(echo "$kids" | wc -w)" -ge 2 ] && break
  sleep 0.02
done
kill -KILL "$(echo "$kids" | tail -1)"
wait "$parent"
echo "exit $?"
