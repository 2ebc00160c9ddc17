// Compact dumps of AST nodes for tests and --emit=ast.
#include "frontend/ast.h"

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

}  // namespace pktc::ast
