// Native execution of the simple shell lines scripts use. Anything outside the subset makes the
// whole command fall back to /bin/sh, so behaviour never silently differs from a shell's.
#include "commands/native_command.h"

#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "commands/nstat.h"
#include "net/netlink.h"

namespace pktc::rt {

namespace {

constexpr int kMaxScriptDepth = 4;

/// One simple command: its words and where its output goes.
struct SimpleCommand {
  std::vector<std::string> argv;
  bool stdout_null = false;
  bool stderr_null = false;
  bool stderr_to_stdout = false;
  std::string stdout_file;  ///< `> /proc/sys/...` (echo only)
  bool pipes_to_next = false;  ///< `|`: its output is the next command's input.
};

/// `$((...))` arithmetic over integers: + - * / % and parentheses. A result or literal outside
/// a long long is not in the subset (nullopt): the shell defines what it gives.
class Arithmetic {
 public:
  explicit Arithmetic(std::string_view text) : s_(text) {}
  std::optional<long long> Evaluate() {
    std::optional<long long> v = Sum();
    Skip();
    if (!v || pos_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  void Skip() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  std::optional<long long> Sum() {
    std::optional<long long> v = Product();
    while (v) {
      Skip();
      if (pos_ >= s_.size() || (s_[pos_] != '+' && s_[pos_] != '-')) break;
      char op = s_[pos_++];
      std::optional<long long> r = Product();
      long long out;
      if (!r || (op == '+' ? __builtin_add_overflow(*v, *r, &out)
                           : __builtin_sub_overflow(*v, *r, &out))) {
        return std::nullopt;
      }
      v = out;
    }
    return v;
  }
  std::optional<long long> Product() {
    std::optional<long long> v = Atom();
    while (v) {
      Skip();
      if (pos_ >= s_.size() || (s_[pos_] != '*' && s_[pos_] != '/' && s_[pos_] != '%')) break;
      char op = s_[pos_++];
      std::optional<long long> r = Atom();
      if (!r || ((op == '/' || op == '%') && (*r == 0 || (*r == -1 && *v == LLONG_MIN)))) {
        return std::nullopt;
      }
      long long out;
      if (op == '*' && __builtin_mul_overflow(*v, *r, &out)) return std::nullopt;
      v = op == '*' ? out : op == '/' ? *v / *r : *v % *r;
    }
    return v;
  }
  std::optional<long long> Atom() {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      std::optional<long long> v = Sum();
      Skip();
      if (!v || pos_ >= s_.size() || s_[pos_] != ')') return std::nullopt;
      ++pos_;
      return v;
    }
    bool negative = false;
    if (pos_ < s_.size() && s_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    size_t start = pos_;
    long long v = 0;
    for (; pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])); ++pos_) {
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s_[pos_] - '0', &v)) {
        return std::nullopt;
      }
    }
    if (start == pos_) return std::nullopt;
    return negative ? -v : v;
  }
  std::string_view s_;
  size_t pos_ = 0;
};

/// Splits text into simple commands (newline and ';' separated). Returns nullopt for anything
/// beyond plain words, quotes, comments, $PPID, $((arithmetic)) and null redirections.
class Splitter {
 public:
  Splitter(const std::string& text, const NativeCommandContext& context)
      : s_(text), context_(context) {}

  std::optional<std::vector<SimpleCommand>> Split() {
    std::vector<SimpleCommand> commands;
    SimpleCommand current;
    std::string word;
    bool in_word = false;
    auto end_word = [&] {
      if (in_word) current.argv.push_back(word);
      word.clear();
      in_word = false;
    };
    auto end_command = [&]() -> bool {
      end_word();
      if (!ApplyRedirections(current)) return false;
      if (!current.argv.empty()) commands.push_back(current);
      current = SimpleCommand();
      return true;
    };
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t') {
        end_word();
        ++pos_;
      } else if (c == '\n' || c == ';') {
        if (!end_command()) return std::nullopt;
        ++pos_;
      } else if (c == '#' && !in_word) {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == '\\') {
        if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') {
          pos_ += 2;  // line continuation
          continue;
        }
        if (pos_ + 1 >= s_.size()) return std::nullopt;
        word += s_[pos_ + 1];
        in_word = true;
        pos_ += 2;
      } else if (c == '\'') {
        size_t end = s_.find('\'', pos_ + 1);
        if (end == std::string::npos) return std::nullopt;
        word += s_.substr(pos_ + 1, end - pos_ - 1);
        in_word = true;
        pos_ = end + 1;
      } else if (c == '"') {
        ++pos_;
        in_word = true;
        while (pos_ < s_.size() && s_[pos_] != '"') {
          if (s_[pos_] == '$') {
            if (!Expand(word)) return std::nullopt;
            continue;
          }
          if (s_[pos_] == '\\' && pos_ + 1 < s_.size() &&
              std::strchr("$`\"\\\n", s_[pos_ + 1])) {
            ++pos_;
          } else if (s_[pos_] == '`') {
            return std::nullopt;
          }
          word += s_[pos_++];
        }
        if (pos_ >= s_.size()) return std::nullopt;
        ++pos_;
      } else if (c == '$') {
        in_word = true;
        if (!Expand(word)) return std::nullopt;
      } else if (c == '>' || (c == '2' && !in_word && pos_ + 1 < s_.size() && s_[pos_ + 1] == '>')) {
        end_word();
        if (!Redirection(current)) return std::nullopt;
      } else if (c == '|') {
        // A pipeline: `nstat | grep X | grep -q Y`. `||` is a shell's.
        if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '|') return std::nullopt;
        end_word();
        if (current.argv.empty()) return std::nullopt;
        current.pipes_to_next = true;
        if (!end_command()) return std::nullopt;
        ++pos_;
      } else if (std::strchr("&<()`*?[{}~", c)) {
        return std::nullopt;  // Pipelines, background jobs, subshells, globs: a shell's job.
      } else {
        word += c;
        in_word = true;
        ++pos_;
      }
    }
    if (!end_command()) return std::nullopt;
    if (!commands.empty() && commands.back().pipes_to_next) return std::nullopt;  // `a |`
    return commands;
  }

 private:
  // $PPID, ${PPID}, $((arithmetic)).
  bool Expand(std::string& word) {
    if (s_.compare(pos_, 5, "$PPID") == 0 && !IsNameChar(pos_ + 5)) {
      word += context_.packetdrill_pid;
      pos_ += 5;
      return true;
    }
    if (s_.compare(pos_, 7, "${PPID}") == 0) {
      word += context_.packetdrill_pid;
      pos_ += 7;
      return true;
    }
    if (s_.compare(pos_, 3, "$((") == 0) {
      // The closing "))" is the first one outside the expression's own parentheses.
      size_t end = std::string::npos;
      int depth = 0;
      for (size_t i = pos_ + 3; i + 1 < s_.size(); ++i) {
        if (s_[i] == '(') ++depth;
        if (s_[i] != ')') continue;
        if (depth == 0 && s_[i + 1] == ')') {
          end = i;
          break;
        }
        --depth;
      }
      if (end == std::string::npos) return false;
      std::optional<long long> v = Arithmetic(std::string_view(s_).substr(pos_ + 3, end - pos_ - 3)).Evaluate();
      if (!v) return false;
      word += std::to_string(*v);
      pos_ = end + 2;
      return true;
    }
    return false;
  }
  bool IsNameChar(size_t i) const {
    return i < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i])) || s_[i] == '_');
  }
  // `>`, `>>` not supported; `>FILE`, `2>FILE`, `2>&1`, `>/dev/null`.
  bool Redirection(SimpleCommand& command) {
    bool is_stderr = s_[pos_] == '2';
    if (is_stderr) ++pos_;
    ++pos_;  // '>'
    if (pos_ < s_.size() && s_[pos_] == '>') return false;
    if (pos_ < s_.size() && s_[pos_] == '&') {
      if (is_stderr && pos_ + 1 < s_.size() && s_[pos_ + 1] == '1') {
        command.stderr_to_stdout = true;
        pos_ += 2;
        return true;
      }
      return false;
    }
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
    size_t start = pos_;
    while (pos_ < s_.size() && !std::strchr(" \t\n;|&<>'\"$`", s_[pos_])) ++pos_;
    std::string target = s_.substr(start, pos_ - start);
    if (target.empty()) return false;
    if (target == "/dev/null") {
      (is_stderr ? command.stderr_null : command.stdout_null) = true;
      return true;
    }
    if (is_stderr) return false;
    command.stdout_file = target;
    return true;
  }
  static bool ApplyRedirections(SimpleCommand& command) {
    if (command.stderr_to_stdout) command.stderr_null = command.stdout_null;
    // Inside a pipeline, output goes down the pipe.
    if (command.pipes_to_next && (command.stdout_null || !command.stdout_file.empty() ||
                                  command.stderr_to_stdout)) {
      return false;
    }
    // Output into a file only for echo into /proc (sysctl_restore scripts, set_sysctls).
    if (!command.stdout_file.empty()) {
      if (command.argv.empty() || command.argv[0] != "echo") return false;
      if (command.stdout_file.rfind("/proc/", 0) != 0) return false;
    }
    return true;
  }

  const std::string& s_;
  const NativeCommandContext& context_;
  size_t pos_ = 0;
};

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

bool WriteProcFile(const std::string& path, const std::string& value, int* err) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  std::string line = value + "\n";
  ssize_t n = write(fd, line.data(), line.size());
  *err = errno;
  close(fd);
  return n == static_cast<ssize_t>(line.size());
}

/// The name a command is known by: `/bin/rm` is rm. Other paths are scripts.
std::string ToolName(const std::string& word) {
  for (const char* dir : {"/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/"}) {
    if (word.rfind(dir, 0) == 0 && word.find('/', std::strlen(dir)) == std::string::npos) {
      return word.substr(std::strlen(dir));
    }
  }
  return word;
}

/// `grep [-q] PATTERN [FILE...]` with a pattern that means itself as a basic regular
/// expression (no . [ ] * ^ $ \): a fixed string.
struct GrepCommand {
  bool quiet = false;
  std::string pattern;
  std::vector<std::string> files;
};

std::optional<GrepCommand> ParseGrep(const std::vector<std::string>& a) {
  GrepCommand g;
  std::size_t i = 1;
  for (; i < a.size() && a[i].size() > 1 && a[i][0] == '-'; ++i) {
    if (a[i] != "-q") return std::nullopt;
    g.quiet = true;
  }
  if (i >= a.size() || a[i].empty() || a[i].find_first_of(".[]*^$\\") != std::string::npos) {
    return std::nullopt;
  }
  g.pattern = a[i];
  g.files.assign(a.begin() + static_cast<std::ptrdiff_t>(i) + 1, a.end());
  return g;
}

/// `dd` with the operands scripts use to make a file: bs=N count=N if=FILE of=FILE status=none
/// (without status=none dd reports a transfer rate, which only the real dd can print).
struct DdCommand {
  std::size_t block = 512;
  std::size_t count = 0;
  bool has_count = false;
  std::string input, output;
};

std::optional<DdCommand> ParseDd(const std::vector<std::string>& a) {
  DdCommand d;
  bool quiet = false;
  auto number = [](const std::string& text, std::size_t* out) {
    if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    *out = std::stoull(text);
    return true;
  };
  for (std::size_t i = 1; i < a.size(); ++i) {
    std::size_t eq = a[i].find('=');
    if (eq == std::string::npos) return std::nullopt;
    std::string key = a[i].substr(0, eq), value = a[i].substr(eq + 1);
    if (key == "bs") {
      if (!number(value, &d.block) || d.block == 0 || d.block > (64u << 20)) return std::nullopt;
    } else if (key == "count") {
      if (!number(value, &d.count)) return std::nullopt;
      d.has_count = true;
    } else if (key == "if") {
      d.input = value;
    } else if (key == "of") {
      d.output = value;
    } else if (key == "status" && value == "none") {
      quiet = true;
    } else {
      return std::nullopt;
    }
  }
  if (!quiet || !d.has_count || d.input.empty() || d.output.empty()) return std::nullopt;
  return d;
}

/// `tc qdisc add|replace dev DEV root pfifo [limit N]`, `... root fq`, and
/// `tc qdisc del|delete dev DEV root`.
struct TcCommand {
  std::string device;
  bool remove = false, replace = false;
  std::string kind;
  std::optional<std::uint32_t> limit;
};

std::optional<TcCommand> ParseTc(const std::vector<std::string>& a) {
  if (a.size() < 6 || a[1] != "qdisc" || a[3] != "dev" || a[5] != "root") return std::nullopt;
  TcCommand t;
  t.device = a[4];
  if (a[2] == "del" || a[2] == "delete") {
    t.remove = true;
    return a.size() == 6 ? std::optional<TcCommand>(t) : std::nullopt;
  }
  if (a[2] != "add" && a[2] != "replace") return std::nullopt;
  t.replace = a[2] == "replace";
  if (a.size() == 7 && (a[6] == "pfifo" || a[6] == "fq")) {
    t.kind = a[6];
    return t;
  }
  if (a.size() == 9 && a[6] == "pfifo" && a[7] == "limit" && !a[8].empty() && a[8].size() < 10 &&
      a[8].find_first_not_of("0123456789") == std::string::npos) {
    t.kind = "pfifo";
    t.limit = static_cast<std::uint32_t>(std::stoul(a[8]));
    return t;
  }
  return std::nullopt;
}

class Executor {
 public:
  explicit Executor(const NativeCommandContext& context) : context_(context) {}

  /// Parses `text` and every script file it runs; false if anything is outside the subset.
  bool Plan(const std::string& text, int depth) {
    if (depth > kMaxScriptDepth) return false;
    std::optional<std::vector<SimpleCommand>> commands = Splitter(text, context_).Split();
    if (!commands) return false;
    bool in_pipe = false;
    for (SimpleCommand& command : *commands) {
      if (!Supported(command, depth, in_pipe)) return false;
      // What feeds a pipe must make text: echo, grep FILE..., nstat.
      if (command.pipes_to_next && !in_pipe) {
        std::string tool = ToolName(command.argv[0]);
        if (tool != "echo" && tool != "grep" && tool != "nstat") return false;
      }
      in_pipe = command.pipes_to_next;
    }
    plans_[text] = *commands;
    return true;
  }

  int Run(const std::string& text) {
    int status = 0;
    const std::vector<SimpleCommand>& commands = plans_.at(text);
    for (std::size_t i = 0; i < commands.size(); ++i) {
      if (!commands[i].pipes_to_next) {
        status = RunOne(commands[i]);
        continue;
      }
      // A pipeline's status is its last command's, as in sh without pipefail.
      std::string text_so_far;
      Produce(commands[i], nullptr, &text_so_far);
      while (commands[i].pipes_to_next) {
        ++i;
        std::string next;
        status = Produce(commands[i], &text_so_far, &next);
        text_so_far = std::move(next);
      }
      Print(commands[i], text_so_far);
    }
    return status;
  }

 private:
  std::string ResolvePath(const std::string& path) const {
    if (path.empty() || path[0] == '/') return path;
    return context_.work_dir + "/" + path;
  }

  // A script file of simple lines, run directly (`./defaults.sh`) or with `sh FILE`.
  std::optional<std::string> ScriptBody(const std::string& path) const {
    std::optional<std::string> body = ReadFile(ResolvePath(path));
    if (!body) return std::nullopt;
    if (body->rfind("#!", 0) == 0) {
      std::string shebang = body->substr(0, body->find('\n'));
      if (shebang != "#!/bin/bash" && shebang != "#!/bin/sh" && shebang != "#! /bin/sh" &&
          shebang != "#!/usr/bin/env bash" && shebang != "#!/usr/bin/env sh")
        return std::nullopt;
    }
    return body;
  }

  bool Supported(const SimpleCommand& c, int depth, bool in_pipe) {
    const std::vector<std::string>& a = c.argv;
    const std::string name = ToolName(a[0]);
    // In a pipeline: a command that makes text, then greps that filter it.
    if (in_pipe) {
      std::optional<GrepCommand> grep = name == "grep" ? ParseGrep(a) : std::nullopt;
      return grep && grep->files.empty();
    }
    if (name == "grep") {
      std::optional<GrepCommand> grep = ParseGrep(a);
      return grep && !grep->files.empty();
    }
    if (name == "nstat") return ParseNstatArgs({a.begin() + 1, a.end()}).has_value();
    if (name == "rm") {
      for (std::size_t i = 1; i < a.size(); ++i) {
        if (a[i][0] == '-' && a[i] != "-f") return false;
      }
      return a.size() > 1;
    }
    if (name == "dd") return ParseDd(a).has_value();
    if (name == "true" || name == ":" || name == "echo") return true;
    if (name == "sleep") {
      timespec unused;
      return a.size() == 2 && ParseSleepOperand(a[1], &unused);
    }
    if (name == "sysctl") {
      bool any_setting = false;
      for (size_t i = 1; i < a.size(); ++i) {
        if (a[i][0] == '-') {
          if (a[i].find_first_not_of("-qwe") != std::string::npos) return false;
          continue;
        }
        if (a[i].find('=') == std::string::npos) return false;  // Reads print: leave to sysctl.
        any_setting = true;
      }
      return any_setting;
    }
    if (name == "ip") {
      if (a.size() >= 3 && a[1] == "tcp_metrics" && a[2] == "flush") {
        return a.size() == 3 || (a.size() == 4 && a[3] == "all");
      }
      if (a.size() >= 5 && a[1] == "link" && a[2] == "set") {
        size_t i = a[3] == "dev" ? 4 : 3;
        if (i + 1 >= a.size()) return false;
        const std::string& what = a[i + 1];
        return (what == "mtu" && i + 3 == a.size()) ||
               ((what == "up" || what == "down") && i + 2 == a.size());
      }
      return false;
    }
    if (name == "tc") return ParseTc(a).has_value();
    if (name == "ethtool") {
      if (a.size() < 5 || a[1] != "-K" || (a.size() - 3) % 2 != 0) return false;
      for (size_t i = 3; i + 1 < a.size(); i += 2) {
        if (a[i] != "tso" && a[i] != "gso" && a[i] != "gro" && a[i] != "sg") return false;
        if (a[i + 1] != "on" && a[i + 1] != "off") return false;
      }
      return true;
    }
    if (Basename(name) == "set_sysctls.py") {
      for (size_t i = 1; i < a.size(); ++i) {
        if (a[i].rfind("/proc/", 0) != 0 || a[i].find('=') == std::string::npos) return false;
      }
      return true;
    }
    // A script of simple lines, by path or as `sh FILE` / `bash FILE`.
    std::string path = a[0];
    if ((name == "sh" || name == "bash") && a.size() == 2) path = a[1];
    else if (a.size() != 1 || a[0].find('/') == std::string::npos) return false;
    std::optional<std::string> body = ScriptBody(path);
    return body && Plan(*body, depth + 1);
  }

  void Error(const SimpleCommand& c, const std::string& message) const {
    if (c.stderr_null) return;
    std::fprintf(c.stderr_to_stdout ? stdout : stderr, "%s\n", message.c_str());
  }

  void Print(const SimpleCommand& c, const std::string& text) const {
    if (!c.stdout_null) std::fputs(text.c_str(), stdout);
  }

  /// Runs a command whose output is text (echo, grep, nstat) into `out`, with `input` as its
  /// standard input where it reads one (a pipe). Returns its exit status.
  int Produce(const SimpleCommand& c, const std::string* input, std::string* out) {
    const std::vector<std::string>& a = c.argv;
    const std::string name = ToolName(a[0]);
    if (name == "echo") {
      std::size_t first = a.size() > 1 && a[1] == "-n" ? 2 : 1;
      for (std::size_t i = first; i < a.size(); ++i) *out += (i > first ? " " : "") + a[i];
      if (first == 1) *out += "\n";
      return 0;
    }
    if (name == "nstat") {
      std::string error;
      int status = RunNstat(*ParseNstatArgs({a.begin() + 1, a.end()}), out, &error);
      if (!error.empty()) Error(c, error);
      return status;
    }
    // grep
    GrepCommand g = *ParseGrep(a);
    bool matched = false, failed = false;
    auto scan = [&](const std::string& text, const std::string& prefix) {
      std::size_t start = 0;
      while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? text.size() : end + 1;
        if (line.find(g.pattern) == std::string::npos) continue;
        matched = true;
        if (!g.quiet) *out += prefix + line + "\n";
      }
    };
    if (g.files.empty()) {
      scan(input ? *input : std::string(), "");
    }
    for (const std::string& file : g.files) {
      std::optional<std::string> text = ReadFile(ResolvePath(file));
      if (!text) {
        Error(c, "grep: " + file + ": " + std::strerror(errno ? errno : ENOENT));
        failed = true;
        continue;
      }
      scan(*text, g.files.size() > 1 ? file + ":" : "");
    }
    if (g.quiet && matched) return 0;
    return failed ? 2 : matched ? 0 : 1;
  }

  int RunRm(const SimpleCommand& c) {
    const std::vector<std::string>& a = c.argv;
    bool force = false;
    for (std::size_t i = 1; i < a.size(); ++i) force = force || a[i] == "-f";
    int status = 0;
    for (std::size_t i = 1; i < a.size(); ++i) {
      if (a[i] == "-f") continue;
      std::string path = ResolvePath(a[i]);
      struct stat st;
      if (lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        Error(c, "rm: cannot remove '" + a[i] + "': Is a directory");
        status = 1;
      } else if (unlink(path.c_str()) != 0 && !(force && errno == ENOENT)) {
        Error(c, "rm: cannot remove '" + a[i] + "': " + std::strerror(errno));
        status = 1;
      }
    }
    return status;
  }

  int RunDd(const SimpleCommand& c) {
    DdCommand d = *ParseDd(c.argv);
    int in = open(ResolvePath(d.input).c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) {
      Error(c, "dd: failed to open '" + d.input + "': " + std::strerror(errno));
      return 1;
    }
    int out = open(ResolvePath(d.output).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
      Error(c, "dd: failed to open '" + d.output + "': " + std::strerror(errno));
      close(in);
      return 1;
    }
    std::vector<char> block(d.block);
    int status = 0;
    for (std::size_t i = 0; i < d.count; ++i) {
      ssize_t n = read(in, block.data(), block.size());
      if (n < 0) {
        Error(c, "dd: error reading '" + d.input + "': " + std::strerror(errno));
        status = 1;
        break;
      }
      if (n == 0) break;
      if (write(out, block.data(), static_cast<std::size_t>(n)) != n) {
        Error(c, "dd: error writing '" + d.output + "': " + std::strerror(errno));
        status = 1;
        break;
      }
    }
    close(in);
    close(out);
    return status;
  }

  int RunOne(const SimpleCommand& c) {
    const std::vector<std::string>& a = c.argv;
    const std::string name = ToolName(a[0]);
    std::fflush(stdout);
    if (name == "grep" || name == "nstat") {
      std::string text;
      int status = Produce(c, nullptr, &text);
      Print(c, text);
      return status;
    }
    if (name == "rm") return RunRm(c);
    if (name == "dd") return RunDd(c);
    if (name == "true" || name == ":") return 0;
    if (name == "sleep") {
      timespec left{};
      ParseSleepOperand(a[1], &left);  // Supported() accepted it.
      while (nanosleep(&left, &left) != 0 && errno == EINTR) {
      }
      return 0;
    }
    if (name == "echo") {
      std::string text;
      size_t first = 1;
      bool newline = true;
      if (a.size() > 1 && a[1] == "-n") {
        newline = false;
        first = 2;
      }
      for (size_t i = first; i < a.size(); ++i) text += (i > first ? " " : "") + a[i];
      if (!c.stdout_file.empty()) {
        int err = 0;
        if (!WriteProcFile(c.stdout_file, text, &err)) {
          Error(c, "sh: 1: echo: echo: I/O error");
          return 1;
        }
        return 0;
      }
      if (!c.stdout_null) std::printf("%s%s", text.c_str(), newline ? "\n" : "");
      return 0;
    }
    if (name == "sysctl") {
      int status = 0;
      for (size_t i = 1; i < a.size(); ++i) {
        if (a[i][0] == '-') continue;
        size_t eq = a[i].find('=');
        std::string key = a[i].substr(0, eq);
        std::string path = "/proc/sys/" + key;
        for (size_t j = 10; j < path.size(); ++j) {
          if (path[j] == '.') path[j] = '/';
        }
        struct stat st;
        if (stat(path.c_str(), &st) != 0) {
          Error(c, "sysctl: cannot stat " + path + ": " + std::strerror(errno));
          status = 1;
          continue;
        }
        int err = 0;
        if (!WriteProcFile(path, a[i].substr(eq + 1), &err)) {
          Error(c, "sysctl: setting key \"" + key + "\": " + std::strerror(err));
          status = 1;
        }
      }
      return status;
    }
    if (name == "ip" && a[1] == "tcp_metrics") {
      std::string error;
      if (!Netlink().FlushTcpMetrics(&error)) {
        Error(c, error);
        return 1;
      }
      return 0;
    }
    if (name == "ip") {
      size_t i = a[3] == "dev" ? 4 : 3;
      int ifindex = static_cast<int>(if_nametoindex(a[i].c_str()));
      if (ifindex == 0) {
        Error(c, "Cannot find device \"" + a[i] + "\"");
        return 1;
      }
      Netlink netlink;
      std::string error;
      bool ok = a[i + 1] == "mtu"   ? netlink.SetMtu(ifindex, std::atoi(a[i + 2].c_str()), &error)
                : a[i + 1] == "up" ? netlink.SetLinkUp(ifindex, &error)
                                   : netlink.SetLinkDown(ifindex, &error);
      if (!ok) {
        Error(c, error);
        return 2;
      }
      return 0;
    }
    if (name == "tc") {
      TcCommand t = *ParseTc(a);
      int ifindex = static_cast<int>(if_nametoindex(t.device.c_str()));
      if (ifindex == 0) {
        Error(c, "Cannot find device \"" + t.device + "\"");
        return 1;
      }
      std::string error;
      Netlink netlink;
      bool ok = t.remove ? netlink.DeleteRootQdisc(ifindex, &error)
                         : netlink.SetRootQdisc(ifindex, t.kind, t.limit, t.replace, &error);
      if (!ok) {
        Error(c, error);
        return 2;
      }
      return 0;
    }
    if (name == "ethtool") return RunEthtool(c);
    if (Basename(name) == "set_sysctls.py") return RunSetSysctls(c);
    std::string path = (name == "sh" || name == "bash") ? a[1] : a[0];
    return Run(*ScriptBody(path));
  }

  int RunEthtool(const SimpleCommand& c) {
    const std::vector<std::string>& a = c.argv;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 1;
    int status = 0;
    for (size_t i = 3; i + 1 < a.size(); i += 2) {
      ethtool_value value{};
      const std::string& f = a[i];
      value.cmd = f == "tso" ? ETHTOOL_STSO : f == "gso" ? ETHTOOL_SGSO : f == "gro" ? ETHTOOL_SGRO : ETHTOOL_SSG;
      value.data = a[i + 1] == "on";
      ifreq ifr{};
      std::strncpy(ifr.ifr_name, a[2].c_str(), IFNAMSIZ - 1);
      ifr.ifr_data = reinterpret_cast<char*>(&value);
      if (ioctl(fd, SIOCETHTOOL, &ifr) != 0) {
        Error(c, "Cannot change " + f + ": " + std::strerror(errno));
        status = 1;
      }
    }
    close(fd);
    return status;
  }

  // The kernel selftests' set_sysctls.py: records the old values in
  // /tmp/sysctl_restore_${PACKETDRILL_PID}.sh, then sets the new ones.
  int RunSetSysctls(const SimpleCommand& c) {
    std::string restore = "/tmp/sysctl_restore_" + context_.packetdrill_pid + ".sh";
    std::ofstream out(restore);
    if (!out) {
      Error(c, "set_sysctls.py: cannot write " + restore);
      return 1;
    }
    out << "#!/bin/bash\n";
    for (size_t i = 1; i < c.argv.size(); ++i) {
      const std::string& arg = c.argv[i];
      size_t eq = arg.find('=');
      std::string path = arg.substr(0, eq);
      std::optional<std::string> current = ReadFile(path);
      if (!current) {
        Error(c, "cat: " + path + ": No such file or directory");
        return 1;
      }
      while (!current->empty() && (current->back() == '\n' || current->back() == ' ')) current->pop_back();
      out << "echo \"" << *current << "\" > " << path << "\n";
      int err = 0;
      WriteProcFile(path, arg.substr(eq + 1), &err);  // os.system(echo ...): errors not fatal
    }
    out.close();
    chmod(restore.c_str(), 0755);
    return 0;
  }

  const NativeCommandContext& context_;
  std::map<std::string, std::vector<SimpleCommand>> plans_;
};

}  // namespace

bool RunNativeCommand(const std::string& text, const NativeCommandContext& context, int* status) {
  Executor executor(context);
  if (!executor.Plan(text, 0)) return false;
  std::fflush(stdout);
  std::fflush(stderr);
  *status = executor.Run(text);
  std::fflush(stdout);
  std::fflush(stderr);
  return true;
}

bool IsNativeCommand(const std::string& text, const NativeCommandContext& context) {
  return Executor(context).Plan(text, 0);
}

bool ParseSleepOperand(const std::string& text, timespec* duration) {
  std::size_t point = text.find('.');
  std::string whole = text.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : text.substr(point + 1);
  auto digits = [](const std::string& s) {
    return s.find_first_not_of("0123456789") == std::string::npos;
  };
  if ((whole.empty() && fraction.empty()) || !digits(whole) || !digits(fraction) ||
      whole.size() > 9) {
    return false;
  }
  duration->tv_sec = whole.empty() ? 0 : std::stol(whole);
  long nanoseconds = 0;
  for (std::size_t i = 0; i < 9; ++i) {
    nanoseconds = nanoseconds * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  duration->tv_nsec = nanoseconds;
  return true;
}

}  // namespace pktc::rt
