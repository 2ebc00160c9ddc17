// The kernel's tick rate, which test binaries and pktc-run report where it is not the HZ=1000
// that the kernel's packetdrill selftests ask for (tools/testing/selftests/net/packetdrill/config).
#ifndef PKTC_COMMON_KERNEL_HZ_H_
#define PKTC_COMMON_KERNEL_HZ_H_

#include <string>

namespace pktc {

/// CONFIG_HZ of the running kernel: one jiffy is the resolution of CLOCK_MONOTONIC_COARSE.
/// 0 if the clock cannot tell.
int KernelHz();

/// What a tick rate means for packetdrill scripts, one line, or "" for HZ=1000 (and 0).
std::string KernelHzNote(int hz);

}  // namespace pktc

#endif  // PKTC_COMMON_KERNEL_HZ_H_
