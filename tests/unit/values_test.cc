// Unit tests for the TCP option constructors in runtime/exec/script_values.cc (pktc::rt::opt): each must
// produce the option's exact wire bytes (RFC 9293, 7323, 2018, 7413, 2385).

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "pktc/runtime.h"

namespace pktc::rt {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(OptionValues, NopAndEol) {
  EXPECT_EQ(opt::Nop().bytes, Bytes({1}));
  EXPECT_EQ(opt::Eol().bytes, Bytes({0}));
}

TEST(OptionValues, Mss) {
  EXPECT_EQ(opt::Mss(1460).bytes, Bytes({2, 4, 0x05, 0xb4}));
  EXPECT_EQ(opt::Mss(0).bytes, Bytes({2, 4, 0x00, 0x00}));
  EXPECT_EQ(opt::Mss(65535).bytes, Bytes({2, 4, 0xff, 0xff}));
  EXPECT_EQ(opt::Mss(536).bytes, Bytes({2, 4, 0x02, 0x18}));
}

TEST(OptionValues, WScale) {
  EXPECT_EQ(opt::WScale(7).bytes, Bytes({3, 3, 7}));
  EXPECT_EQ(opt::WScale(0).bytes, Bytes({3, 3, 0}));
  EXPECT_EQ(opt::WScale(14).bytes, Bytes({3, 3, 14}));
}

TEST(OptionValues, SackOk) { EXPECT_EQ(opt::SackOk().bytes, Bytes({4, 2})); }

TEST(OptionValues, SackBlocks) {
  EXPECT_EQ(opt::Sack({1, 1001}).bytes, Bytes({5, 10, 0, 0, 0, 1, 0, 0, 0x03, 0xe9}));
  EXPECT_EQ(opt::Sack({0x01020304, 0x05060708, 0xfffffffe, 0xffffffff}).bytes,
            Bytes({5, 18, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(opt::Sack({1, 2, 3, 4, 5, 6, 7, 8}).bytes.size(), 34u);
  EXPECT_EQ(opt::Sack({1, 2, 3, 4, 5, 6, 7, 8}).bytes[1], 34);
}

TEST(OptionValues, Timestamp) {
  EXPECT_EQ(opt::Timestamp(700, 100).bytes, Bytes({8, 10, 0, 0, 0x02, 0xbc, 0, 0, 0, 0x64}));
  EXPECT_EQ(opt::Timestamp(0xdeadbeef, 0).bytes,
            Bytes({8, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0}));
  EXPECT_EQ(opt::Timestamp(0, 0xffffffff).bytes,
            Bytes({8, 10, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}));
}

TEST(OptionValues, FastOpen) {
  // RFC 7413 option 34 with an 8-byte cookie.
  EXPECT_EQ(opt::FastOpen({0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb}).bytes,
            Bytes({34, 10, 0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb}));
  // A cookie request carries no cookie.
  EXPECT_EQ(opt::FastOpen({}).bytes, Bytes({34, 2}));
  EXPECT_EQ(opt::FastOpen({1, 2, 3, 4}).bytes, Bytes({34, 6, 1, 2, 3, 4}));
}

TEST(OptionValues, FastOpenExperimental) {
  // Experimental option 254 with the TFO magic 0xF989 before the cookie.
  EXPECT_EQ(opt::FastOpenExp({0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb}).bytes,
            Bytes({254, 12, 0xf9, 0x89, 0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb}));
  EXPECT_EQ(opt::FastOpenExp({}).bytes, Bytes({254, 4, 0xf9, 0x89}));
}

TEST(OptionValues, Md5) {
  EXPECT_EQ(opt::Md5({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
                      0xdd, 0xee, 0xff})
                .bytes,
            Bytes({19, 18, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
                   0xcc, 0xdd, 0xee, 0xff}));
  // Shorter digests are allowed (negative tests); the length follows the data.
  EXPECT_EQ(opt::Md5({1, 2, 3, 4}).bytes, Bytes({19, 6, 1, 2, 3, 4}));
}

TEST(OptionValues, LinuxSynOptionBlockIsTwentyBytes) {
  Bytes block;
  for (const TcpOption& o :
       {opt::Mss(1460), opt::SackOk(), opt::Timestamp(700, 0), opt::Nop(), opt::WScale(7)}) {
    block.insert(block.end(), o.bytes.begin(), o.bytes.end());
  }
  EXPECT_EQ(block,
            Bytes({2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x02, 0xbc, 0, 0, 0, 0, 1, 3, 3, 7}));
}

}  // namespace
}  // namespace pktc::rt
