// The compact dump of parsed code blocks, for tests.
#include "frontend/python_ast.h"

#include <cstdio>

namespace pktc::py {

namespace {

using Kind = Expr::Kind;

std::string DumpString(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c == '\\' || c == '\'') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "'";
}

std::string DumpExpr(const Expr& e) {
  auto list = [](std::string head, const std::vector<Expr>& operands) {
    for (const Expr& o : operands) head += " " + DumpExpr(o);
    return "(" + head + ")";
  };
  std::string out;
  switch (e.kind) {
    case Kind::kInt:
      return std::to_string(e.value);
    case Kind::kBool:
      return e.value ? "True" : "False";
    case Kind::kStr:
      return DumpString(e.text);
    case Kind::kName:
      return e.text;
    case Kind::kUnary:
    case Kind::kBinary:
      out = list(e.op, e.operands);
      break;
    case Kind::kNot:
      return list("not", e.operands);
    case Kind::kCompare:
      if (e.ops.size() == 1) return list(e.ops[0], e.operands);
      out = "(chain " + DumpExpr(e.operands[0]);
      for (std::size_t i = 0; i < e.ops.size(); ++i) {
        out += " " + e.ops[i] + " " + DumpExpr(e.operands[i + 1]);
      }
      return out + ")";
    case Kind::kAnd:
      return list("and", e.operands);
    case Kind::kOr:
      return list("or", e.operands);
    case Kind::kFormat:
      return list("%", e.operands);
    case Kind::kTuple:
      return list("tuple", e.operands);
  }
  if (e.constant) out += "=" + std::to_string(*e.constant);
  return out;
}

}  // namespace

std::string Dump(const Block& block) {
  std::string out;
  for (const Stmt& s : block.statements) {
    switch (s.kind) {
      case Stmt::Kind::kAssert:
        out += "(assert " + DumpExpr(s.exprs[0]);
        if (s.exprs.size() > 1) out += " " + DumpExpr(s.exprs[1]);
        out += ")";
        break;
      case Stmt::Kind::kAssign:
        out += "(= " + s.target + " " + DumpExpr(s.exprs[0]) + ")";
        break;
      case Stmt::Kind::kAugAssign:
        out += "(" + s.exprs[0].op + "= " + s.target + " " + DumpExpr(s.exprs[0].operands[1]) + ")";
        break;
      case Stmt::Kind::kPrint: {
        out += "(print";
        for (const Expr& e : s.exprs) out += " " + DumpExpr(e);
        out += ")";
        break;
      }
      case Stmt::Kind::kPass:
        out += "(pass)";
        break;
      case Stmt::Kind::kExpr:
        out += "(expr " + DumpExpr(s.exprs[0]) + ")";
        break;
    }
    out += "\n";
  }
  return out;
}

}  // namespace pktc::py
