// CodeBlockRunner: deferred execution of code blocks, natively or with python3.
#include "exec/code_block_runner.h"

#include "commands/command_signal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

extern char** environ;

namespace pktc::rt {

// ---------------------------------------------------------------------------------------------
// Python integer operators (declared in pktc/runtime.h for generated code)

namespace py {

namespace {
[[noreturn]] void Raise(const std::string& error) { throw CodeBlockError(error); }
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
}  // namespace

namespace {
[[noreturn]] void RaiseOverflow(const std::string& expression) {
  Raise("OverflowError: " + expression +
        " does not fit in 64 bits (native code blocks use 64-bit integers)");
}
}  // namespace

std::int64_t Add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    RaiseOverflow(std::to_string(a) + " + " + std::to_string(b));
  return r;
}

std::int64_t Subtract(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r))
    RaiseOverflow(std::to_string(a) + " - " + std::to_string(b));
  return r;
}

std::int64_t Multiply(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    RaiseOverflow(std::to_string(a) + " * " + std::to_string(b));
  return r;
}

std::int64_t Negate(std::int64_t a) {
  if (a == kMin) RaiseOverflow("-(" + std::to_string(a) + ")");
  return -a;
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  if (b == 0) Raise("ZeroDivisionError: integer division or modulo by zero");
  if (a == kMin && b == -1) Raise("OverflowError: " + std::to_string(a) + " // -1 needs 65 bits");
  std::int64_t q = a / b;
  // C++ truncates toward zero; Python floors.
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t Mod(std::int64_t a, std::int64_t b) {
  if (b == 0) Raise("ZeroDivisionError: integer modulo by zero");
  if (b == -1) return 0;  // Also avoids INT64_MIN % -1, which traps.
  std::int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

std::int64_t LeftShift(std::int64_t a, std::int64_t b) {
  if (b < 0) Raise("ValueError: negative shift count");
  if (a == 0) return 0;
  // The result fits in 64 bits only if shifting back gives `a` again (shifting a negative
  // value is defined since C++20).
  if (b >= 64 || (a << b) >> b != a) RaiseOverflow(std::to_string(a) + " << " + std::to_string(b));
  return a << b;
}

std::int64_t RightShift(std::int64_t a, std::int64_t b) {
  if (b < 0) Raise("ValueError: negative shift count");
  if (b >= 63) return a < 0 ? -1 : 0;
  return a >> b;  // Arithmetic in C++20, i.e. floor like Python.
}

}  // namespace py

namespace {

// ---------------------------------------------------------------------------------------------
// The native blocks' namespace

/// The module namespace packetdrill's Python program has, for native blocks: every block first
/// assigns its snapshot's variables (overwriting earlier values, as the generated assignment
/// lines do), then runs. Names keep their values across blocks.
class NativeScope final : public CodeContext {
 public:
  explicit NativeScope(const CodeBlockRunner::PrintSink& print) : print_(print) {}

  void Load(const TcpInfoSnapshot& snapshot) {
    for (InfoSource source : {InfoSource::kTcpInfo, InfoSource::kCcInfo, InfoSource::kMemInfo}) {
      for (const auto& [name, value] : snapshot.Variables(source)) Define(name, value);
    }
    // A variable this snapshot lacks keeps an earlier snapshot's value, as in Python; if it
    // never had one, Get() explains why it is missing.
    for (const InfoField& f : InfoFields()) {
      std::string reason;
      if (f.packetdrill_variable && !snapshot.Field(f, &reason)) missing_[f.name] = reason;
    }
  }

  std::int64_t Get(const char* name) override {
    if (auto it = values_.find(name); it != values_.end()) return it->second;
    if (auto it = too_big_.find(name); it != too_big_.end()) {
      throw CodeBlockError(std::string("OverflowError: ") + name + " = " +
                           std::to_string(it->second) +
                           " does not fit in the 64-bit integers of native code blocks");
    }
    std::string error = std::string("NameError: name '") + name + "' is not defined";
    if (auto it = missing_.find(name); it != missing_.end()) error += ": " + it->second;
    throw CodeBlockError(error);
  }

  void Set(const char* name, std::int64_t value) override {
    values_[name] = value;
    too_big_.erase(name);
  }

  void Assert(bool ok, const char* source, const std::string& message) override {
    if (ok) return;
    std::string error = std::string("assert ") + source + " failed";
    if (!message.empty()) error += ": " + message;
    throw CodeBlockError(error);
  }

  void Print(const std::string& text) override {
    if (print_) {
      print_(text);
      return;
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
  }

 private:
  void Define(const std::string& name, std::uint64_t value) {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      values_.erase(name);
      too_big_[name] = value;
      return;
    }
    Set(name.c_str(), static_cast<std::int64_t>(value));
  }

  const CodeBlockRunner::PrintSink& print_;
  std::map<std::string, std::int64_t, std::less<>> values_;
  /// Unsigned 64-bit values beyond INT64_MAX (e.g. an unlimited tcpi_max_pacing_rate); the
  /// compiler sends blocks that read such fields to Python, so reading one here is an error.
  std::map<std::string, std::uint64_t, std::less<>> too_big_;
  std::map<std::string, std::string, std::less<>> missing_;
};

// ---------------------------------------------------------------------------------------------
// The Python program

// Behaves as packetdrill's preamble: an uncaught exception is reported after a line naming the
// script and the line of the block that raised it (`_file` and `_line`, set before each block).
constexpr char kPythonPreamble[] =
    "import sys\n"
    "import traceback\n"
    "def excepthook(etype, value, tb):\n"
    "  sys.stderr.write('%s:%d: error in Python code\\n' % (_file, _line))\n"
    "  traceback.print_exception(etype, value, tb)\n"
    "\n"
    "sys.excepthook = excepthook\n"
    "\n";

// A single-quoted Python string literal. packetdrill pastes the path between quotes as it is;
// escaping changes nothing for ordinary paths and keeps odd ones valid.
std::string PythonQuoted(const char* text) {
  std::string out = "'";
  for (const char* p = text; *p; ++p) {
    if (*p == '\\' || *p == '\'') out.push_back('\\');
    out.push_back(*p);
  }
  return out + "'";
}

// For /bin/sh: the path of our own temporary file, in single quotes.
std::string ShellQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

bool WriteAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

/// Runs `command` with /bin/sh in directory `dir`, stdout inherited and stderr collected into
/// `*err`. Returns the wait status, or -1 if the shell could not be started.
int RunCapturingStderr(const std::string& command, const std::string& dir, std::string* err) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  std::fflush(stdout);
  std::fflush(stderr);
  CommandSignalScope signal_scope;  // packetdrill runs the block with system().
  // The test's own directory may not exist here: each run mounts a private /tmp, and
  // interpreter wrappers such as pyenv's shims fail when they cannot enter $PWD. The
  // environment with PWD is made before fork(): the child of a process with a second thread
  // may not allocate (see CommandRunner::Run).
  std::string pwd_entry = "PWD=" + dir;
  std::vector<char*> env_in_dir;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "PWD=", 4) != 0) env_in_dir.push_back(*e);
  }
  env_in_dir.push_back(pwd_entry.data());
  env_in_dir.push_back(nullptr);
  const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    signal_scope.RestoreInChild();
    dup2(fds[1], STDERR_FILENO);
    char** env = chdir(dir.c_str()) == 0 ? env_in_dir.data() : environ;
    execve("/bin/sh", const_cast<char* const*>(argv), env);
    _exit(127);
  }
  close(fds[1]);
  char buf[4096];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    err->append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// CodeBlockRunner

CodeBlockRunner::CodeBlockRunner(std::string code_command)
    : code_command_(std::move(code_command)) {}

bool CodeBlockRunner::Snapshot(int live_fd, std::string* error) {
  TcpInfoSnapshot snapshot;
  if (!ReadTcpInfo(live_fd, &snapshot, error)) return false;
  AddSnapshot(std::move(snapshot));
  return true;
}

void CodeBlockRunner::AddSnapshot(TcpInfoSnapshot snapshot) { pending_ = std::move(snapshot); }

CodeBlockRunner::Block& CodeBlockRunner::NewBlock(int line) {
  Block& block = blocks_.emplace_back();
  block.line = line;
  // Without a snapshot every variable would be missing; callers always snapshot first.
  if (pending_) block.snapshot = std::move(*pending_);
  pending_.reset();
  return block;
}

void CodeBlockRunner::AddNative(int line, CodeFn fn) { NewBlock(line).native = fn; }

void CodeBlockRunner::AddPython(int line, std::string text) {
  NewBlock(line).python = std::move(text);
}

bool CodeBlockRunner::RunAll(const char* script_path, std::string* failure_message) {
  return RunNative(script_path, failure_message) && RunPython(script_path, failure_message);
}

bool CodeBlockRunner::RunNative(const char* script_path, std::string* failure_message) {
  NativeScope scope(print_);
  for (const Block& block : blocks_) {
    if (!block.native) continue;
    scope.Load(block.snapshot);
    try {
      block.native(scope);
    } catch (const CodeBlockError& e) {
      *failure_message = std::string(script_path) + ":" + std::to_string(block.line) +
                         ": error in Python code: " + e.what();
      return false;
    }
  }
  return true;
}

std::string CodeBlockRunner::PythonProgram(const char* script_path) const {
  std::string out = std::string(kPythonPreamble) + "\n";
  char line[128];
  for (const Block& block : blocks_) {
    if (block.native) continue;
    for (InfoSource source : {InfoSource::kTcpInfo, InfoSource::kCcInfo, InfoSource::kMemInfo}) {
      for (const auto& [name, value] : block.snapshot.Variables(source)) {
        std::snprintf(line, sizeof line, "%s = %" PRIu64 "\n", name, value);
        out += line;
      }
      out += "\n";
    }
    out += "_file = " + PythonQuoted(script_path) + "\n";
    out += "_line = " + std::to_string(block.line) + "\n";
    out += block.python + "\n\n";
  }
  return out;
}

bool CodeBlockRunner::RunPython(const char* script_path, std::string* failure_message) {
  bool any = false;
  for (const Block& block : blocks_) any = any || !block.native;
  if (!any) return true;

  auto fail = [&](const std::string& error) {
    *failure_message = std::string(script_path) + ": error executing code: " + error;
    return false;
  };
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/code_XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) return fail(std::string("cannot create the Python file: ") + std::strerror(errno));
  std::string program = PythonProgram(script_path);
  bool written = WriteAll(fd, program);
  close(fd);
  if (!written) {
    unlink(path.c_str());
    return fail("cannot write " + path + ": " + std::strerror(errno));
  }

  std::string command = code_command_ + " " + ShellQuoted(path);
  if (verbose_) {
    std::printf("%s", program.c_str());
    std::printf("running: '%s'\n", command.c_str());
  }
  std::string err;
  int status = RunCapturingStderr(command, path.substr(0, path.rfind('/')), &err);
  unlink(path.c_str());

  std::string problem;
  if (status == -1) {
    problem = "error running '" + code_command_ + "': " + std::strerror(errno);
  } else if (WIFSIGNALED(status)) {
    problem = "'" + code_command_ + "' got signal " + std::to_string(WTERMSIG(status)) + " (" +
              strsignal(WTERMSIG(status)) + ")";
  } else if (WEXITSTATUS(status) != 0) {
    problem =
        "'" + code_command_ + "' returned non-zero status " + std::to_string(WEXITSTATUS(status));
    if (WEXITSTATUS(status) == 127) problem += " (is " + code_command_ + " installed?)";
  }
  if (problem.empty()) {
    // Warnings and the like still belong in the test's output.
    std::fputs(err.c_str(), stderr);
    return true;
  }
  while (!err.empty() && err.back() == '\n') err.pop_back();
  fail(problem);
  if (!err.empty()) *failure_message = err + "\n" + *failure_message;
  return false;
}

}  // namespace pktc::rt
