// Unit tests for runtime/md5.h: the RFC 1321 test suite, padding boundaries and incremental
// updates.

#include "net/md5.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace pktc::rt {
namespace {

std::string Hex(const std::array<std::uint8_t, 16>& digest) {
  std::string out;
  char buf[3];
  for (std::uint8_t b : digest) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

std::string Md5Hex(const std::string& text) {
  Md5 md5;
  md5.Update(text.data(), text.size());
  return Hex(md5.Final());
}

// Feeds `text` in pieces of `chunk` bytes.
std::string Md5HexChunked(const std::string& text, std::size_t chunk) {
  Md5 md5;
  for (std::size_t i = 0; i < text.size(); i += chunk) {
    md5.Update(text.data() + i, std::min(chunk, text.size() - i));
  }
  return Hex(md5.Final());
}

const char kDigits80[] =
    "12345678901234567890123456789012345678901234567890123456789012345678901234567890";

TEST(Md5, Rfc1321EmptyString) { EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e"); }

TEST(Md5, Rfc1321Abc) { EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72"); }

TEST(Md5, Rfc1321EightyDigits) {
  ASSERT_EQ(std::string(kDigits80).size(), 80u);
  EXPECT_EQ(Md5Hex(kDigits80), "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5, Rfc1321FullSuite) {
  EXPECT_EQ(Md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Md5Hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
}

TEST(Md5, NoUpdateEqualsEmptyString) {
  Md5 md5;
  EXPECT_EQ(Hex(md5.Final()), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(Md5, PaddingBoundaries) {
  // Lengths around the 56-byte point where the length field no longer fits in the block.
  // Expected values from an independent MD5 implementation (Python hashlib).
  const struct {
    std::size_t length;
    const char* digest;
  } kCases[] = {
      {55, "ef1772b6dff9a122358552954ad0df65"},  {56, "3b0c8ac703f828b04c6c197006d17218"},
      {57, "652b906d60af96844ebd21b674f35e93"},  {63, "b06521f39153d618550606be297466d5"},
      {64, "014842d480b571495a4a0363793f7367"},  {65, "c743a45e0d2e6a95cb859adae0248435"},
      {119, "8a7bd0732ed6a28ce75f6dabc90e1613"}, {120, "5f61c0ccad4cac44c75ff505e1f1e537"},
      {128, "e510683b3f5ffe4093d021808bc6ff70"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(Md5Hex(std::string(c.length, 'a')), c.digest) << c.length << " x 'a'";
  }
}

TEST(Md5, AllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(Md5Hex(bytes), "e2c865db4162bed963bfaa9ef6ac18f0");
}

TEST(Md5, OneMillionA) {
  EXPECT_EQ(Md5Hex(std::string(1000000, 'a')), "7707d6ae4e027c70eea2a935c2296f21");
}

TEST(Md5, MultiChunkUpdateEqualsOneShot) {
  const std::string text = kDigits80;
  const std::string one_shot = Md5Hex(text);
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 55u, 56u, 63u, 64u, 65u, 79u}) {
    EXPECT_EQ(Md5HexChunked(text, chunk), one_shot) << "chunk " << chunk;
  }
}

TEST(Md5, SplitAtEveryPositionEqualsOneShot) {
  std::string text;
  for (int i = 0; i < 200; ++i) text.push_back(static_cast<char>(i * 7 + 3));
  const std::string one_shot = Md5Hex(text);
  for (std::size_t split = 0; split <= text.size(); ++split) {
    Md5 md5;
    md5.Update(text.data(), split);
    md5.Update(text.data() + split, text.size() - split);
    EXPECT_EQ(Hex(md5.Final()), one_shot) << "split at " << split;
  }
}

TEST(Md5, ZeroLengthUpdatesChangeNothing) {
  Md5 md5;
  md5.Update("ab", 2);
  md5.Update(nullptr, 0);
  md5.Update("c", 1);
  md5.Update("", 0);
  EXPECT_EQ(Hex(md5.Final()), "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace
}  // namespace pktc::rt
