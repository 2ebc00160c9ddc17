#!/bin/sh
# Runs inside the test's own network namespace: a plain SYN (no SACK, timestamps or window
# scaling), so the script below can spell it out.
echo 0 > /proc/sys/net/ipv4/tcp_sack
echo 0 > /proc/sys/net/ipv4/tcp_timestamps
echo 0 > /proc/sys/net/ipv4/tcp_window_scaling
