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
}  // namespace

std::vector<std::string> RelativePathsInCommand(const std::string& command) {
  std::vector<std::string> paths;
  size_t i = 0;
  while (i < command.size()) {
    while (i < command.size() && IsSeparator(command[i])) ++i;
    size_t start = i;
    while (i < command.size() && !IsSeparator(command[i])) ++i;
    std::string word = command.substr(start, i - start);
    // `key=./file` (as in `x=./a.sh`) names a file too.
    size_t eq = word.find('=');
    if (eq != std::string::npos && word.find('/') > eq) word = word.substr(eq + 1);
    if (word.empty() || word[0] == '/' || word[0] == '-') continue;
    if (word.find_first_of("$*?[{~\\") != std::string::npos) continue;
    if (word.find('/') == std::string::npos) continue;
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
