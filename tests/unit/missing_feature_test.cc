// --skip-missing-features: which failed runs are a kernel's missing feature.
#include "harness/missing_feature.h"

#include <gtest/gtest.h>

#include "kernel_hz.h"

namespace pktc::rt {
namespace {

TEST(MissingFeature, RejectedValueBeforeTheCommandFailed) {
  EXPECT_EQ(MissingFeatureReason({
                "sysctl: setting key \"net.ipv4.tcp_congestion_control\": Operation not permitted",
                "sysctl: setting key \"net.ipv4.tcp_ecn\": Invalid argument",
                "x.pkt: error executing init command: non-zero status 1",
            }),
            "the kernel rejects the value of net.ipv4.tcp_ecn (Invalid argument)");
}

TEST(MissingFeature, NoSuchSysctl) {
  EXPECT_EQ(MissingFeatureReason({
                "sysctl: cannot stat /proc/sys/net/ipv4/tcp_foo: No such file or directory",
                "x.pkt:7: error executing `sysctl -q net.ipv4.tcp_foo=1` command: non-zero status 1",
            }),
            "the kernel has no net.ipv4.tcp_foo");
}

TEST(MissingFeature, AnyOtherFailureStaysAFailure) {
  // A refused setting the run went past, then a packet mismatch.
  EXPECT_EQ(MissingFeatureReason({
                "sysctl: setting key \"net.ipv4.tcp_ecn\": Invalid argument",
                "x.pkt:9: error handling packet: live packet field tcp_window: expected: 1",
            }),
            std::nullopt);
  // A command that failed for another reason.
  EXPECT_EQ(MissingFeatureReason({"x.pkt: error executing init command: non-zero status 127"}),
            std::nullopt);
  // EPERM is not a missing feature (cubic in a child namespace).
  EXPECT_EQ(MissingFeatureReason({
                "sysctl: setting key \"net.ipv4.tcp_congestion_control\": Operation not permitted",
                "x.pkt: error executing init command: non-zero status 1",
            }),
            std::nullopt);
}

TEST(KernelHz, NoteOnlyWhereTheTickIsNotOneMillisecond) {
  EXPECT_EQ(KernelHzNote(1000), "");
  EXPECT_EQ(KernelHzNote(0), "");
  EXPECT_NE(KernelHzNote(250).find("kernel HZ=250"), std::string::npos);
  EXPECT_NE(KernelHzNote(250).find("4 ms grid"), std::string::npos);
  int hz = KernelHz();
  EXPECT_TRUE(hz == 100 || hz == 250 || hz == 300 || hz == 1000) << hz;
}

}  // namespace
}  // namespace pktc::rt
