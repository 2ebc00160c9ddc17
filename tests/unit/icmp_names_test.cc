// ICMP names resolve per family as packetdrill's icmp_packet.c resolves them.
#include "sema/icmp_names.h"

#include <gtest/gtest.h>

namespace pktc {
namespace {

std::string Error(int family, const std::string& type, const std::string& code,
                  std::optional<std::int64_t> mtu = std::nullopt) {
  auto r = ResolveIcmp(family, type, code, mtu);
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}

IcmpTypeCode Numbers(int family, const std::string& type, const std::string& code,
                     std::optional<std::int64_t> mtu = std::nullopt) {
  auto r = ResolveIcmp(family, type, code, mtu);
  EXPECT_TRUE(std::holds_alternative<IcmpTypeCode>(r)) << std::get<std::string>(r);
  return std::holds_alternative<IcmpTypeCode>(r) ? std::get<IcmpTypeCode>(r) : IcmpTypeCode{};
}

TEST(IcmpNames, SameTextMeansEachFamilysMessage) {
  EXPECT_EQ(Numbers(4, "unreachable", "port_unreachable").type, 3);
  EXPECT_EQ(Numbers(4, "unreachable", "port_unreachable").code, 3);
  EXPECT_EQ(Numbers(6, "unreachable", "port_unreachable").type, 1);
  EXPECT_EQ(Numbers(6, "unreachable", "port_unreachable").code, 4);
  EXPECT_EQ(Numbers(6, "unreachable", "net_unreachable").code, 0);
}

TEST(IcmpNames, ANameOneFamilyLacksIsThatFamilysError) {
  EXPECT_EQ(Error(6, "unreachable", "frag_needed"), "bad ICMP code frag_needed");
  EXPECT_EQ(Error(6, "unreachable", "host_unreachable"), "bad ICMP code host_unreachable");
  EXPECT_EQ(Error(4, "packet_too_big", ""), "bad ICMP type packet_too_big");
  EXPECT_EQ(Error(4, "unreachable", "frag_needed"), "");
}

TEST(IcmpNames, CodesBelongToTheirType) {
  // Codes are looked up in the type's own table; a type without one takes only code_N.
  EXPECT_EQ(Error(6, "time_exceeded", "port_unreachable"), "bad ICMP code port_unreachable");
  EXPECT_EQ(Error(4, "time_exceeded", "exceeded_hop_limit"), "bad ICMP code exceeded_hop_limit");
  EXPECT_EQ(Numbers(4, "time_exceeded", "code_1").code, 1);
}

TEST(IcmpNames, GenericNumbersAsSscanfReadsThem) {
  EXPECT_EQ(Numbers(4, "type_42", "code_7").type, 42);
  EXPECT_EQ(Numbers(4, "type_42", "code_7").code, 7);
  EXPECT_EQ(Error(4, "type_256", ""), "bad ICMP type type_256");
  EXPECT_EQ(Error(4, "type_x", ""), "bad ICMP type type_x");
}

TEST(IcmpNames, MtuOnlyWhereTheMessageCarriesOne) {
  EXPECT_EQ(Error(4, "unreachable", "frag_needed", 1200), "");
  EXPECT_EQ(Error(4, "unreachable", "port_unreachable", 1200),
            "ICMPv4 MTU is only valid for unreachable-frag_needed");
  EXPECT_EQ(Error(4, "unreachable", "frag_needed", 70000), "ICMPv4 MTU out of 16-bit range");
  EXPECT_EQ(Error(6, "packet_too_big", "", 70000), "");
  EXPECT_EQ(Error(6, "unreachable", "port_unreachable", 1280),
            "ICMPv6 MTU is only valid for packet_too_big-0");
}

}  // namespace
}  // namespace pktc
