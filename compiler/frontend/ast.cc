// Compact dumps of AST nodes for tests and --emit=ast.
#include "frontend/ast.h"

#include <cstdio>
#include <string_view>

namespace pktc::ast {

std::string Expr::Dump() const {
  auto join = [](const std::vector<Expr>& items, const char* sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out += sep;
      out += items[i].Dump();
    }
    return out;
  };
  switch (kind) {
    case Kind::kEllipsis: return "...";
    case Kind::kInteger: return std::to_string(int_value);
    case Kind::kSymbol: return text;
    case Kind::kString: return "\"" + text + "\"" + (truncated ? "..." : "");
    case Kind::kOr: return join(items, "|");
    case Kind::kList: return "[" + join(items, ", ") + "]";
    case Kind::kCall: return text + "(" + join(items, ", ") + ")";
    case Kind::kEncap: {
      // Inside braces the GRE form has no keyword: {flags ...}, {(label ...)}.
      std::string inner = encap->Dump();
      std::string_view keyword = encap->kind == "gre" ? "gre " : "mpls ";
      if (inner.rfind(keyword, 0) == 0) inner.erase(0, keyword.size());
      return "{" + inner + "}";
    }
    case Kind::kStruct: {
      std::string out = "{";
      bool first = true;
      for (const Expr& item : items) {
        out += first ? "" : ", ";
        out += item.Dump();
        first = false;
      }
      for (const Field& f : fields) {
        out += first ? "" : ", ";
        out += f.name;
        if (f.paren) out += "(" + f.paren->Dump() + ")";
        out += "=" + f.value->Dump();
        first = false;
      }
      return out + "}";
    }
  }
  return "?";
}

std::string Encap::Dump() const {
  std::string out = kind;
  if (kind == "ipv4" || kind == "ipv6") return out + " " + src + " > " + dst;
  if (kind == "gre") {
    if (!gre.full) return out;
    char buf[160];
    std::snprintf(buf, sizeof buf, " flags 0x%llx sum %lld off %lld key %lld seq %lld",
                  static_cast<unsigned long long>(gre.flags), static_cast<long long>(gre.sum),
                  static_cast<long long>(gre.off), static_cast<long long>(gre.key),
                  static_cast<long long>(gre.seq));
    return out + buf;
  }
  for (const MplsEntry& e : mpls) {
    out += " (label " + std::to_string(e.label) + ", tc " + std::to_string(e.tc) + ", " +
           (e.bottom ? "[S], " : "") + "ttl " + std::to_string(e.ttl) + ")";
  }
  return out;
}

}  // namespace pktc::ast
