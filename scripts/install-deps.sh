#!/bin/sh
# Installs every build and test dependency of pktc from Debian 12 packages: among them the
# aarch64 cross toolchain (pktc --target=aarch64-linux-gnu), qemu for both architectures, and
# the arm64 kernel package for scripts/vm --arch arm64 (scripts/fetch-arm64-kernel).
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
  g++-aarch64-linux-gnu qemu-system-arm qemu-user-static file \
  >/dev/null
# The arm64 kernel scripts/vm --arch arm64 boots (and its modules): Debian's linux-image-*-arm64
# of the amd64 kernel's version, unpacked into a cache directory (not installed).
"$(dirname "$0")/fetch-arm64-kernel"
echo "install-deps.sh: dependencies installed"
