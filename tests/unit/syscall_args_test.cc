// Unit tests for runtime/exec/syscall_args: system call arguments read as packetdrill reads them
// (run_system_call.c), with its messages, and the control messages of recvmsg/sendmsg.
#include "exec/syscall_args.h"

#include <gtest/gtest.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>

#include <cstring>
#include <string>

#include "pktc/runtime.h"

namespace pktc::rt {
namespace {

std::string S32Error(const Value& v) {
  std::int32_t out = 0;
  std::string error;
  EXPECT_FALSE(GetS32(v, &out, &error));
  return error;
}

TEST(SyscallArgs, S32TakesTheKernelsThirtyTwoBits) {
  std::int32_t out = 0;
  std::string error;
  ASSERT_TRUE(GetS32(Int(0xffffffff), &out, &error));
  EXPECT_EQ(out, -1);
  ASSERT_TRUE(GetS32(Int(0x80000000), &out, &error));
  EXPECT_EQ(out, INT32_MIN);
  ASSERT_TRUE(GetS32(Int(-2147483648LL), &out, &error));
  EXPECT_EQ(out, INT32_MIN);
  ASSERT_TRUE(GetS32(Int(42), &out, &error));
  EXPECT_EQ(out, 42);
}

TEST(SyscallArgs, S32OutOfRangeAndBadType) {
  EXPECT_EQ(S32Error(Int(4294967296LL)), "Value out of range for 32-bit integer: 4294967296");
  EXPECT_EQ(S32Error(Int(-2147483649LL)), "Value out of range for 32-bit integer: -2147483649");
  EXPECT_EQ(S32Error(Dots()), "Bad type; actual: ellipsis expected: integer");
  EXPECT_EQ(S32Error(Str("x")), "Bad type; actual: string expected: integer");
  EXPECT_EQ(S32Error(List({Int(1)})), "Bad type; actual: list expected: integer");
}

TEST(SyscallArgs, S8Range) {
  std::int8_t out = 0;
  std::string error;
  ASSERT_TRUE(GetS8(Int(255), &out, &error));
  EXPECT_EQ(out, -1);
  ASSERT_TRUE(GetS8(Int(-128), &out, &error));
  EXPECT_FALSE(GetS8(Int(256), &out, &error));
  EXPECT_EQ(error, "Value out of range for 8-bit integer: 256");
}

TEST(SyscallArgs, Bracketed) {
  std::int32_t out = 0;
  std::string error;
  ASSERT_TRUE(GetBracketedS32(List({Int(0xffffffff)}), &out, &error));
  EXPECT_EQ(out, -1);
  EXPECT_FALSE(GetBracketedS32(List({}), &out, &error));
  EXPECT_EQ(error, "Expected [<element>] but got multiple elements");
  EXPECT_FALSE(GetBracketedS32(List({Int(1), Int(2)}), &out, &error));
  EXPECT_EQ(error, "Expected [<element>] but got multiple elements");
  EXPECT_FALSE(GetBracketedS32(Int(4), &out, &error));
  EXPECT_EQ(error, "Bad type; actual: integer expected: list");
  // `{4}` is a list too in packetdrill's grammar.
  ASSERT_TRUE(GetBracketedS32(Struct({Int(4)}), &out, &error));
  EXPECT_EQ(out, 4);
}

TEST(SyscallArgs, BufferIsEllipsisOrNull) {
  bool is_null = true;
  std::string error;
  ASSERT_TRUE(GetBuffer(Dots(), &is_null, &error));
  EXPECT_FALSE(is_null);
  ASSERT_TRUE(GetBuffer(Int(0), &is_null, &error));
  EXPECT_TRUE(is_null);
  EXPECT_FALSE(GetBuffer(Int(1), &is_null, &error));
  EXPECT_EQ(error, "Expected ... or NULL for buffer");
}

TEST(SyscallArgs, TypeNamesOfStructForms) {
  EXPECT_STREQ(ValueTypeName(Struct({Dots(), Int(10)})), "iovec");
  EXPECT_STREQ(ValueTypeName(Struct({Int(1), Int(2)})), "list");
  EXPECT_STREQ(ValueTypeName(Struct({}, {Named("fd", Int(3)), Named("events", Int(1))})), "pollfd");
  EXPECT_STREQ(ValueTypeName(Struct({}, {Named("events", Int(1)), Named("fd", Int(3))})),
               "epollev");
  EXPECT_STREQ(ValueTypeName(Struct({}, {Named("onoff", Int(1)), Named("linger", Int(0))})),
               "linger");
  EXPECT_STREQ(ValueTypeName(Struct({}, {Named("msg_name", Dots())})), "msghdr");
  EXPECT_STREQ(ValueTypeName(Struct({}, {Named("cmsg_level", Int(0))})), "cmsg");
  // sema's forms of `{flags ...}` and `{(label ...)}` (packetdrill's EXPR_GRE, EXPR_MPLS_STACK).
  EXPECT_STREQ(ValueTypeName(Struct({}, {Named("gre", Str(std::string(16, '\0')))})), "gre");
  EXPECT_STREQ(ValueTypeName(Struct({}, {Named("mpls_stack", Str(std::string(28, '\0')))})),
               "mpls_stack");
}

TEST(SyscallArgs, PollFlagsAndPrintableStrings) {
  EXPECT_EQ(PollFlagsToString(POLLIN | POLLOUT), "POLLIN|POLLOUT");
  EXPECT_EQ(PollFlagsToString(POLLERR | POLLHUP), "POLLERR|POLLHUP");
  EXPECT_EQ(PollFlagsToString(0), "");
  EXPECT_EQ(ToPrintableString("ab\x01z\0", 5), "ab\\x01z");
}

Value Cmsg(std::int64_t level, std::int64_t type, Value data) {
  return Struct({}, {Named("cmsg_level", Int(level)), Named("cmsg_type", Int(type)),
                     Named("cmsg_data", std::move(data))});
}

msghdr Header(ControlBuffer& b) {
  msghdr m{};
  m.msg_control = b.bytes;
  m.msg_controllen = b.len;
  return m;
}

TEST(SyscallArgs, BuildsAnIntegerCmsg) {
  ControlBuffer b;
  std::string error;
  ASSERT_TRUE(BuildCmsgs(List({Cmsg(SOL_TCP, 2, Int(9000))}), &b, &error)) << error;
  EXPECT_EQ(b.len, CMSG_SPACE(4));
  msghdr m = Header(b);
  cmsghdr* c = CMSG_FIRSTHDR(&m);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->cmsg_level, SOL_TCP);
  EXPECT_EQ(c->cmsg_type, 2);
  EXPECT_EQ(c->cmsg_len, CMSG_LEN(4));
  int v;
  std::memcpy(&v, CMSG_DATA(c), 4);
  EXPECT_EQ(v, 9000);
}

TEST(SyscallArgs, ExtendedErrorHasRoomForTheOffender) {
  Value ee = Struct(
      {}, {Named("ee_errno", Int(0)), Named("ee_origin", Int(4)), Named("ee_type", Int(0)),
           Named("ee_code", Int(0)), Named("ee_info", Int(1)), Named("ee_data", Int(10999))});
  ControlBuffer v4, v6;
  std::string error;
  ASSERT_TRUE(BuildCmsgs(List({Cmsg(SOL_IP, IP_RECVERR, ee)}), &v4, &error)) << error;
  ASSERT_TRUE(BuildCmsgs(List({Cmsg(SOL_IPV6, IPV6_RECVERR, ee)}), &v6, &error)) << error;
  EXPECT_EQ(v4.len, CMSG_SPACE(sizeof(sock_extended_err) + sizeof(sockaddr_in)));
  EXPECT_EQ(v6.len, CMSG_SPACE(sizeof(sock_extended_err) + sizeof(sockaddr_in6)));
  Value bad = ee;
  bad.fields[1].value = Int(300);
  EXPECT_FALSE(BuildCmsgs(List({Cmsg(SOL_IP, IP_RECVERR, bad)}), &v4, &error));
  EXPECT_EQ(error, "Value out of range for 8-bit integer: 300");
}

TEST(SyscallArgs, NetlinkStatistics) {
  // TCP_NLA_SND_CWND (8) is 4 bytes, TCP_NLA_CA_STATE (14) one.
  ControlBuffer b;
  std::string error;
  Value stats = Struct({}, {Named("TCP_NLA_SND_CWND", Int(10)), Named("TCP_NLA_CA_STATE", Dots())});
  ASSERT_TRUE(BuildCmsgs(List({Cmsg(SOL_SOCKET, SCM_TIMESTAMPING_OPT_STATS, stats)}), &b, &error))
      << error;
  EXPECT_EQ(b.len, CMSG_SPACE(8 + 8));
  Value wide = Struct({}, {Named("TCP_NLA_CA_STATE", Int(256))});
  EXPECT_FALSE(BuildCmsgs(List({Cmsg(SOL_SOCKET, SCM_TIMESTAMPING_OPT_STATS, wide)}), &b, &error));
  EXPECT_EQ(error, "out of bound u8 value specified");
}

TEST(SyscallArgs, CompareCmsgsAsPacketdrill) {
  ControlBuffer want, got, none;
  std::string error;
  ASSERT_TRUE(BuildCmsgs(List({Cmsg(SOL_TCP, 2, Int(9001))}), &want, &error));
  ASSERT_TRUE(BuildCmsgs(List({Cmsg(SOL_TCP, 2, Int(9000))}), &got, &error));
  msghdr e = Header(want), a = Header(got), empty = Header(none);
  CmsgClock clock;
  EXPECT_TRUE(CompareCmsgs(e, e, clock, &error)) << error;
  EXPECT_FALSE(CompareCmsgs(e, a, clock, &error));
  EXPECT_EQ(error, "Bad data in cmsg 0: expected=9001 actual=9000");
  EXPECT_FALSE(CompareCmsgs(e, empty, clock, &error));
  EXPECT_EQ(error, "received only 0 cmsgs");
  EXPECT_FALSE(CompareCmsgs(empty, a, clock, &error));
  EXPECT_EQ(error, "received more than 0 cmsgs");
  ControlBuffer other;
  ASSERT_TRUE(BuildCmsgs(List({Cmsg(SOL_TCP, 3, Int(9001))}), &other, &error));
  msghdr o = Header(other);
  EXPECT_FALSE(CompareCmsgs(e, o, clock, &error));
  EXPECT_EQ(error, "Bad type in cmsg 0: expected=2 actual=3");
}

TEST(SyscallArgs, CompareTimestampsWithinTheTolerance) {
  auto ts = [](std::int64_t sec, std::int64_t nsec) {
    return Struct({}, {Named("scm_sec", Int(sec)), Named("scm_nsec", Int(nsec))});
  };
  ControlBuffer want, got;
  std::string error;
  ASSERT_TRUE(
      BuildCmsgs(List({Cmsg(SOL_SOCKET, SCM_TIMESTAMPING, ts(0, 20000000))}), &want, &error));
  // The kernel's timestamp: script time 0 is 1000 s on its clock; 23 ms after it.
  ASSERT_TRUE(
      BuildCmsgs(List({Cmsg(SOL_SOCKET, SCM_TIMESTAMPING, ts(1000, 23000000))}), &got, &error));
  msghdr e = Header(want), a = Header(got);
  EXPECT_TRUE(CompareCmsgs(e, a, {1000000000, 4000}, &error)) << error;
  EXPECT_FALSE(CompareCmsgs(e, a, {1000000000, 2000}, &error));
  EXPECT_EQ(error,
            "Bad timestamp 0 in scm_timestamping 0: expected=1000020000 (20000) "
            "actual=1000023000 (23000) start=1000000000");
}

}  // namespace
}  // namespace pktc::rt
