// Shell-word scanning for files referenced by commands.
#include "sema/embedded_files.h"

#include <algorithm>
#include <sstream>

namespace pktc {

namespace {
bool IsSeparator(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '|' || c == '&' || c == '(' ||
         c == ')' || c == '<' || c == '>' || c == '\'' || c == '"' || c == '`';
}
/// `10.0.0.0/8`, `fd00::/64`: a route's prefix, not a file.
bool IsAddressPrefix(const std::string& word) {
  size_t slash = word.find('/');
  return word.find_first_not_of("0123456789abcdefABCDEF.:") == slash &&
         word.find_first_not_of("0123456789", slash + 1) == std::string::npos;
}
}  // namespace

std::vector<std::string> RelativePathsInHelper(const std::string& text) {
  std::string code;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    // A comment starts at a `#` that begins a word (not `$#` or `a#b`).
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line.resize(i);
        break;
      }
    }
    code += line + "\n";
  }
  return RelativePathsInCommand(code);
}

std::vector<std::string> RelativePathsInCommand(const std::string& command) {
  std::vector<std::string> paths;
  size_t i = 0;
  while (i < command.size()) {
    while (i < command.size() && IsSeparator(command[i])) ++i;
    size_t start = i;
    while (i < command.size() && !IsSeparator(command[i])) ++i;
    std::string word = command.substr(start, i - start);
    // `key=./file` (as in `x=./a.sh`) names a file too; `net/ipv4/x=1` (sysctl -w) does not.
    size_t eq = word.find('=');
    if (eq != std::string::npos) word = word.substr(eq + 1);
    if (word.empty() || word[0] == '/' || word[0] == '-') continue;
    if (word.find_first_of("$*?[{~\\") != std::string::npos) continue;
    if (word.find('/') == std::string::npos || IsAddressPrefix(word)) continue;
    std::string normalized = NormalizeRelativePath(word);
    if (normalized.empty()) continue;
    if (std::find(paths.begin(), paths.end(), normalized) == paths.end()) {
      paths.push_back(normalized);
    }
  }
  return paths;
}

std::string NormalizeRelativePath(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream in(path);
  std::string part;
  while (std::getline(in, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace pktc
