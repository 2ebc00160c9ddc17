// Unit tests for compiler/frontend/python_fold.h: constants folded as Python computes them.
#include "frontend/python_fold.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace pktc::py {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

// The folded value, or "needs Python: WHY".
std::string Fold(std::string_view op, std::int64_t a, std::int64_t b) {
  const char* why = "";
  std::optional<std::int64_t> v = FoldBinary(op, a, b, &why);
  return v ? std::to_string(*v) : std::string("needs Python: ") + why;
}

TEST(PythonFold, FloorsDivisionAndModulo) {
  EXPECT_EQ(Fold("//", 7, 2), "3");
  EXPECT_EQ(Fold("//", -7, 2), "-4");
  EXPECT_EQ(Fold("//", 7, -2), "-4");
  EXPECT_EQ(Fold("%", -7, 3), "2");
  EXPECT_EQ(Fold("%", 7, -3), "-2");
  EXPECT_EQ(Fold("%", kMin, -1), "0");
  EXPECT_EQ(Fold("//", 1, 0), "needs Python: a division by zero");
  EXPECT_EQ(Fold("%", 1, 0), "needs Python: a division by zero");
  EXPECT_EQ(Fold("//", kMin, -1), "needs Python: integer arithmetic beyond 64 bits");
}

TEST(PythonFold, ShiftsHaveNoWidthLimit) {
  EXPECT_EQ(Fold("<<", 1, 62), "4611686018427387904");
  EXPECT_EQ(Fold("<<", -1, 63), std::to_string(kMin));
  EXPECT_EQ(Fold("<<", 0, 1000), "0");
  EXPECT_EQ(Fold("<<", 1, 63), "needs Python: integer arithmetic beyond 64 bits");
  EXPECT_EQ(Fold(">>", -7, 1), "-4");
  EXPECT_EQ(Fold(">>", -1, 200), "-1");
  EXPECT_EQ(Fold(">>", 5, 200), "0");
  EXPECT_EQ(Fold(">>", 1, -1), "needs Python: a negative shift count");
}

TEST(PythonFold, LeavesResultsBeyond64BitsToPython) {
  EXPECT_EQ(Fold("+", kMax, 1), "needs Python: integer arithmetic beyond 64 bits");
  EXPECT_EQ(Fold("-", kMin, 1), "needs Python: integer arithmetic beyond 64 bits");
  EXPECT_EQ(Fold("*", kMax, 2), "needs Python: integer arithmetic beyond 64 bits");
  EXPECT_EQ(Fold("&", -1, 12), "12");
  EXPECT_EQ(Fold("|", 8, 3), "11");
  EXPECT_EQ(Fold("^", 6, 3), "5");
  EXPECT_EQ(FoldUnary("-", kMin), std::nullopt);
  EXPECT_EQ(FoldUnary("-", kMax), -kMax);
  EXPECT_EQ(FoldUnary("~", 0), -1);
  EXPECT_EQ(FoldUnary("+", 5), 5);
}

}  // namespace
}  // namespace pktc::py
