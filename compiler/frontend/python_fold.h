// Constant folding for code blocks, with Python's integer semantics in 64 bits.
#ifndef PKTC_COMPILER_FRONTEND_PYTHON_FOLD_H_
#define PKTC_COMPILER_FRONTEND_PYTHON_FOLD_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace pktc::py {

/// `a OP b` for a binary operator of the subset (`+ - * // % << >> & | ^`) as Python computes
/// it: `//` and `%` floor, shifts have no width limit. nullopt, with what went wrong in `*why`,
/// when the result is not a 64-bit integer or Python would raise (division by zero, negative
/// shift count); the block then needs Python.
std::optional<std::int64_t> FoldBinary(std::string_view op, std::int64_t a, std::int64_t b,
                                       const char** why);

/// `OP v` for a unary operator (`- + ~`); nullopt when the result exceeds 64 bits (`-` of the
/// smallest integer).
std::optional<std::int64_t> FoldUnary(std::string_view op, std::int64_t v);

}  // namespace pktc::py

#endif  // PKTC_COMPILER_FRONTEND_PYTHON_FOLD_H_
