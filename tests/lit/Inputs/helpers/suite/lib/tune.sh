#!/bin/sh
# Works from its own directory, as some helpers do.
cd "$(dirname "$0")" && . ./values.sh
sysctl -q net.ipv4.tcp_window_scaling="$window_scaling"
