// Constant folding with Python's integer semantics.
#include "frontend/python_fold.h"

#include <limits>

namespace pktc::py {

std::optional<std::int64_t> FoldBinary(std::string_view op, std::int64_t a, std::int64_t b,
                                       const char** why) {
  std::int64_t r = 0;
  *why = "integer arithmetic beyond 64 bits";
  if (op == "+") return __builtin_add_overflow(a, b, &r) ? std::nullopt : std::optional(r);
  if (op == "-") return __builtin_sub_overflow(a, b, &r) ? std::nullopt : std::optional(r);
  if (op == "*") return __builtin_mul_overflow(a, b, &r) ? std::nullopt : std::optional(r);
  if (op == "&") return a & b;
  if (op == "|") return a | b;
  if (op == "^") return a ^ b;
  if (op == "//" || op == "%") {
    if (b == 0) {
      *why = "a division by zero";
      return std::nullopt;
    }
    if (b == -1) {
      if (op == "%") return 0;
      if (a == std::numeric_limits<std::int64_t>::min()) return std::nullopt;
      return -a;
    }
    std::int64_t q = a / b, m = a % b;
    if (m != 0 && ((m < 0) != (b < 0))) {
      --q;
      m += b;
    }
    return op == "//" ? q : m;
  }
  if (b < 0) {
    *why = "a negative shift count";
    return std::nullopt;
  }
  if (op == ">>") return b >= 63 ? (a < 0 ? -1 : 0) : a >> b;
  // "<<"
  if (a == 0) return 0;
  if (b >= 64 || (a << b) >> b != a) return std::nullopt;
  return a << b;
}

std::optional<std::int64_t> FoldUnary(std::string_view op, std::int64_t v) {
  if (op == "-") {
    if (v == std::numeric_limits<std::int64_t>::min()) return std::nullopt;
    return -v;
  }
  return op == "~" ? ~v : v;
}

}  // namespace pktc::py
