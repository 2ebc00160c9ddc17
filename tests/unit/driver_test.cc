// Unit tests for compiler/driver/driver.h: the --sanitize list.

#include "driver/driver.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pktc {
namespace {

using List = std::vector<std::string>;

List Parse(const std::string& list) {
  List sanitizers = {"stale"};
  std::string error;
  EXPECT_TRUE(ParseSanitizers(list, &sanitizers, &error)) << error;
  return sanitizers;
}

std::string Error(const std::string& list) {
  List sanitizers;
  std::string error;
  EXPECT_FALSE(ParseSanitizers(list, &sanitizers, &error)) << list;
  return error;
}

TEST(ParseSanitizers, AcceptsEachAndBothInOneOrder) {
  EXPECT_EQ(Parse("address"), List({"address"}));
  EXPECT_EQ(Parse("undefined"), List({"undefined"}));
  EXPECT_EQ(Parse("address,undefined"), List({"address", "undefined"}));
  // The order the runtime variant's flags name them, whatever the order given; repeats once.
  EXPECT_EQ(Parse("undefined,address"), List({"address", "undefined"}));
  EXPECT_EQ(Parse("address,address"), List({"address"}));
}

TEST(ParseSanitizers, RejectsAnythingElseInOneLine) {
  EXPECT_EQ(Error("thread"),
            "--sanitize=thread: unknown sanitizer 'thread' (expected address, undefined or "
            "address,undefined)");
  EXPECT_EQ(Error("address,leak"),
            "--sanitize=address,leak: unknown sanitizer 'leak' (expected address, undefined or "
            "address,undefined)");
  EXPECT_EQ(Error(""),
            "--sanitize=: empty sanitizer name (expected address, undefined or address,undefined)");
  EXPECT_EQ(Error("address,"),
            "--sanitize=address,: empty sanitizer name (expected address, undefined or "
            "address,undefined)");
  EXPECT_EQ(Error("Address"),
            "--sanitize=Address: unknown sanitizer 'Address' (expected address, undefined or "
            "address,undefined)");
}

}  // namespace
}  // namespace pktc
