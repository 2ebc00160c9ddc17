# Linux settings, sourced by defaults.sh.
sysctl -q net.ipv4.tcp_sack=0
