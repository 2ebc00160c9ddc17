#!/bin/sh
# Installs every build and test dependency of pktc from Debian 12 packages.
# Safe to run again: apt-get skips what is already there.
set -eu

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: must run as root (apt-get)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  build-essential g++ cmake ninja-build pkg-config \
  llvm-14-dev llvm-14-tools libfmt-dev \
  googletest libgtest-dev \
  clang-14 libclang-rt-14-dev clang-format-14 lld gnuplot-nox \
  python3 iproute2 procps ethtool tcpdump qemu-system-x86 linux-image-amd64 busybox-static cpio libc6-dev zlib1g-dev libtinfo-dev \
  >/dev/null
echo "install-deps.sh: dependencies installed"
