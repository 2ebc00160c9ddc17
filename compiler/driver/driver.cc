// Driver: file handling, stage sequencing, invoking the C++ compiler. No language logic here.
#include "driver/driver.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "codegen/cpp_emitter.h"
#include "codegen/runtime_support.h"
#include "driver/targets.h"
#include "support/diagnostics.h"
#include "ir/ir_dump.h"
#include "frontend/lexer.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "frontend/parser.h"
#include "pktc_config.h"
#include "sema/sema.h"

extern char** environ;

namespace pktc {

namespace {

void Fail(const llvm::Twine& message) { llvm::errs() << "pktc: error: " << message << "\n"; }

bool WriteFileAtomically(const std::string& path, const std::string& contents) {
  // A device or pipe (-o /dev/null, -o /dev/stdout) is written in place: renaming a file onto
  // it would replace the device node itself.
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    std::error_code ec;
    llvm::raw_fd_ostream out(path, ec);
    if (!ec) out << contents;
    if (ec || out.has_error()) {
      Fail("cannot write '" + path + "': " + (ec ? ec.message() : out.error().message()));
      out.clear_error();
      return false;
    }
    return true;
  }
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(tmp, ec);
    if (ec) {
      Fail("cannot write '" + path + "': " + ec.message());
      return false;
    }
    out << contents;
    out.close();
    if (out.has_error()) {
      Fail("cannot write '" + path + "': " + out.error().message());
      out.clear_error();
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    Fail("cannot write '" + path + "': " + std::strerror(errno));
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

/// A build of the runtime that generated code links against, and what generated code is
/// compiled with for it. The default build is lib/libpktc_runtime.a with include/pktc/
/// runtime.h.gch; every other variant (the sanitized one, and one per cross target, named by its
/// triple) lives in lib/pktc/<name>/ as libpktc_runtime.a and include/pktc/runtime.h.gch.
struct RuntimeVariant {
  std::string name;  ///< Its directory under lib/pktc/; empty for the default runtime.
  /// Flags beyond PKTC_GENERATED_CXX_FLAGS that the variant's archive and runtime.h.gch were
  /// built with; generated code must be compiled and linked with them to use the .gch.
  std::vector<std::string> cxx_flags;
  bool static_link = true;  ///< False where the sanitizer runtimes must be shared libraries.
  /// The C++ compiler for the variant (a cross target's <triple>-g++); empty: $CXX or the one
  /// pktc was built with.
  std::string cxx;
  std::string target;  ///< The cross target's triple; empty for the host's.
  /// A directory given to a cross compiler with -B, holding only ld.lld (a link to the host's),
  /// or empty: see CompilerCommands.
  std::string tool_dir;
};

RuntimeVariant ChooseRuntimeVariant(const DriverOptions& options) {
  if (std::string triple = TargetVariant(options.target); !triple.empty()) {
    RuntimeVariant cross;
    cross.name = triple;
    cross.target = triple;
    cross.cxx = CrossCompiler(triple);
    return cross;
  }
  if (options.sanitizers.empty()) return {};
  RuntimeVariant sanitized;
  sanitized.name = PKTC_SANITIZED_RUNTIME_VARIANT;
  for (const char* flag : PKTC_SANITIZE_CXX_FLAGS) sanitized.cxx_flags.push_back(flag);
  sanitized.static_link = false;
  return sanitized;
}

/// Where a runtime variant's archive and headers are, found next to the pktc executable as
/// `../lib` and `../include`, the same in the build tree and in an install tree.
struct RuntimePaths {
  std::vector<std::string> include_dirs;  ///< The variant's own (its .gch) before include/.
  std::string library;
};

std::optional<RuntimePaths> FindRuntime(const DriverOptions& options,
                                        const RuntimeVariant& variant) {
  std::string exe = llvm::sys::fs::getMainExecutable(options.argv0.c_str(), options.main_address);
  llvm::SmallString<256> prefix(llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
  llvm::SmallString<256> include = prefix;
  llvm::sys::path::append(include, "include");
  llvm::SmallString<256> header = include;
  llvm::sys::path::append(header, "pktc", "runtime.h");
  llvm::SmallString<256> lib_dir = prefix;
  llvm::sys::path::append(lib_dir, "lib");
  RuntimePaths paths;
  if (!variant.name.empty()) {
    llvm::sys::path::append(lib_dir, "pktc", variant.name);
    llvm::SmallString<256> variant_include = lib_dir;
    llvm::sys::path::append(variant_include, "include");
    paths.include_dirs.push_back(std::string(variant_include));
  }
  paths.include_dirs.push_back(std::string(include));
  llvm::SmallString<256> lib = lib_dir;
  llvm::sys::path::append(lib, "libpktc_runtime.a");
  paths.library = std::string(lib);
  if (!variant.target.empty() && !llvm::sys::fs::exists(lib)) {
    Fail("target '" + variant.target + "' is not installed (no " + std::string(lib) +
         "; pktc --print-targets lists the installed ones)");
    return std::nullopt;
  }
  if (!llvm::sys::fs::exists(header) || !llvm::sys::fs::exists(lib)) {
    std::string what = variant.name.empty() ? "the pktc runtime"
                                            : "the pktc runtime variant '" + variant.name + "'";
    Fail("cannot find " + what + " (looked for " + std::string(header) + " and " +
         std::string(lib) + ")");
    return std::nullopt;
  }
  return paths;
}

/// The linker to ask the compiler driver for, or "" for its default.
std::string ChooseLinker() {
  if (const char* forced = std::getenv("PKTC_LINKER")) return forced;
  return llvm::sys::findProgramByName("ld.lld") ? "lld" : "";
}

/// Set by SIGINT, SIGTERM or SIGHUP while the C++ compiler runs: pktc then stops it and removes
/// its temporary directory before dying of the same signal (ninja's Ctrl-C, pktc-run's death).
volatile sig_atomic_t g_stop_signal = 0;

void OnStopSignal(int sig) { g_stop_signal = sig; }

/// Runs the commands, up to `jobs` at a time (one at a time: in order, stopping at the first
/// that fails), each in a process group of its own with TMPDIR=`tmpdir` (so the compiler's own
/// temporary files land where pktc cleans up). Returns 0 when all succeeded; otherwise the index
/// of the first command that failed in `failed` and its status: its exit status, -1 if it could
/// not start, or -2 if a stop signal arrived (every running command is then killed and reaped).
int RunProcesses(const std::vector<std::vector<std::string>>& commands, const std::string& tmpdir,
                 unsigned jobs, bool verbose, std::size_t* failed) {
  std::string tmpdir_entry = "TMPDIR=" + tmpdir;
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "TMPDIR=", 7) != 0) env.push_back(*e);
  }
  env.push_back(tmpdir_entry.data());
  env.push_back(nullptr);
  // The stop signals stay blocked except inside ppoll, so one that arrives between a spawn
  // and the wait is not lost; the commands start with the original mask.
  sigset_t stop_signals, old_mask;
  sigemptyset(&stop_signals);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_signals, sig);
  sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
  struct Running {
    pid_t pid;
    int pidfd;
    std::size_t index;
  };
  std::vector<Running> running;
  std::size_t next = 0;
  int result = 0;
  auto reap = [](const Running& r) {
    int status = 0;
    while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (r.pidfd >= 0) close(r.pidfd);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  };
  while (result == 0 && (next < commands.size() || !running.empty())) {
    while (result == 0 && next < commands.size() && running.size() < std::max(jobs, 1u) &&
           !g_stop_signal) {
      const std::vector<std::string>& argv = commands[next];
      if (verbose) llvm::errs() << llvm::join(argv, " ") << "\n";
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      posix_spawnattr_t attr;
      posix_spawnattr_init(&attr);
      posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
      posix_spawnattr_setpgroup(&attr, 0);
      posix_spawnattr_setsigmask(&attr, &old_mask);
      pid_t pid;
      int rc = posix_spawnp(&pid, args[0], nullptr, &attr, args.data(), env.data());
      posix_spawnattr_destroy(&attr);
      if (rc != 0) {
        Fail("cannot run C++ compiler '" + argv[0] + "': " + std::strerror(rc) +
             " (set CXX to a C++20 compiler)");
        *failed = next;
        result = -1;
        break;
      }
      int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
      running.push_back({pid, pidfd, next++});
      if (pidfd < 0) {
        // Kernels before 5.3: one command at a time, waited for with the stop signals let in
        // (one that arrives just before the wait is then noticed only when the command ends).
        // A command still running when one arrives is killed and reaped below.
        sigprocmask(SIG_SETMASK, &old_mask, nullptr);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR && !g_stop_signal) {
        }
        sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
        if (g_stop_signal) break;
        running.pop_back();
        status = WIFEXITED(status) ? WEXITSTATUS(status)
                                   : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        if (status != 0) {
          *failed = next - 1;
          result = status;
        }
      }
    }
    if (g_stop_signal) result = -2;
    if (result != 0 || running.empty()) break;
    std::vector<pollfd> fds;
    for (const Running& r : running) fds.push_back({r.pidfd, POLLIN, 0});
    if (ppoll(fds.data(), fds.size(), nullptr, &old_mask) <= 0) continue;
    for (std::size_t i = fds.size(); i-- > 0;) {
      if (fds[i].revents == 0) continue;
      int status = reap(running[i]);
      if (status != 0 && result == 0) {
        *failed = running[i].index;
        result = status;
      }
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  // A failure or a stop signal: end the others.
  for (const Running& r : running) {
    kill(-r.pid, SIGKILL);
    reap(r);
  }
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  if (g_stop_signal) return -2;
  return result;
}

std::string DefaultOutput(const std::string& input, EmitKind emit) {
  std::string base = std::string(llvm::sys::path::filename(input));
  if (llvm::StringRef(base).endswith(".pkt")) base.resize(base.size() - 4);
  return emit == EmitKind::kCpp ? base + ".cc" : base;
}

/// The pieces of the compiler command lines for generated code against a runtime variant.
struct CompilerCommandParts {
  std::vector<std::string> compile;     ///< Compiler, code flags, -pipe, -I...: add the source.
  std::vector<std::string> link;        ///< Compiler, variant and link flags: add the objects.
  std::vector<std::string> link_flags;  ///< -static, -fuse-ld=...
  /// Whether one command may compile and link (the code's flags are the variant's own).
  bool one_step = true;
};

CompilerCommandParts CompilerParts(const DriverOptions& options, const RuntimeVariant& variant,
                                   const RuntimePaths& runtime) {
  const char* cxx = std::getenv("CXX");
  std::vector<std::string> base = {!variant.cxx.empty() ? variant.cxx
                                   : cxx && *cxx     ? cxx
                                                     : PKTC_DEFAULT_CXX};
  for (const char* flag : PKTC_GENERATED_CXX_FLAGS) base.push_back(flag);
  // Generated code gets the sanitizers asked for. The variant's runtime.h.gch was built with
  // its own list: where the lists differ GCC must not take it (see PKTC_NO_PCH in runtime.h).
  std::vector<std::string> code_flags = variant.cxx_flags;
  if (!options.sanitizers.empty()) {
    std::string wanted = "-fsanitize=" + llvm::join(options.sanitizers, ",");
    for (std::string& flag : code_flags) {
      if (llvm::StringRef(flag).startswith("-fsanitize=")) flag = wanted;
    }
  }
  bool one_step = code_flags == variant.cxx_flags;
  if (!one_step) code_flags.push_back("-DPKTC_NO_PCH");
  std::vector<std::string> link_flags;
  if (variant.static_link) link_flags.push_back("-static");
  // lld links a static test three times faster than BFD ld (0.09 s against 0.27 s): a third
  // of the remaining compile time. PKTC_LINKER overrides the choice ("bfd", "gold", "lld").
  // A cross compiler looks for -fuse-ld=lld's linker as <triple>-ld.lld, which Debian does not
  // have, or as ld.lld in its -B directories: BuildExecutable gives it one holding only that
  // (lld is multi-target). Without it the cross compiler's own ld links (3 times slower, and it
  // warns about getaddrinfo in static binaries).
  if (std::string linker = ChooseLinker(); !linker.empty()) {
    if (variant.cxx.empty()) {
      link_flags.push_back("-fuse-ld=" + linker);
    } else if (linker != "lld") {
      link_flags.push_back("-fuse-ld=" + linker);
    } else if (!variant.tool_dir.empty()) {
      link_flags.push_back("-B" + variant.tool_dir + "/");
      link_flags.push_back("-fuse-ld=lld");
    }
  }
  auto append = [](std::vector<std::string>* to, const std::vector<std::string>& from) {
    to->insert(to->end(), from.begin(), from.end());
  };
  CompilerCommandParts parts;
  parts.compile = base;
  append(&parts.compile, code_flags);
  parts.compile.push_back("-pipe");  // No temporary assembly file.
  for (const std::string& dir : runtime.include_dirs) parts.compile.push_back("-I" + dir);
  parts.link = base;
  append(&parts.link, variant.cxx_flags);
  append(&parts.link, link_flags);
  parts.link_flags = link_flags;
  parts.one_step = one_step;
  return parts;
}

/// The compiler command lines that turn `source` into `binary` against a runtime variant: one,
/// or a compile and then a link where generated code gets other sanitizers than the variant was
/// built with (the variant's archive needs all of its sanitizer runtimes at link time).
std::vector<std::vector<std::string>> CompilerCommands(const DriverOptions& options,
                                                       const RuntimeVariant& variant,
                                                       const RuntimePaths& runtime,
                                                       const std::string& source,
                                                       const std::string& binary) {
  CompilerCommandParts parts = CompilerParts(options, variant, runtime);
  auto append = [](std::vector<std::string>* to, const std::vector<std::string>& from) {
    to->insert(to->end(), from.begin(), from.end());
  };
  std::vector<std::string> compile = parts.compile;
  if (parts.one_step) {
    append(&compile, parts.link_flags);
    append(&compile, {source, runtime.library, "-o", binary});
    return {compile};
  }
  std::string object = binary + ".o";
  append(&compile, {"-c", source, "-o", object});
  std::vector<std::string> link = parts.link;
  append(&link, {object, runtime.library, "-o", binary});
  return {compile, link};
}

/// Moves the linked `binary` to `output` in one step (or copies it onto a device such as
/// /dev/null); returns the exit code.
int InstallBinary(const std::string& binary, const std::string& output) {
  struct stat st;
  bool special_output = stat(output.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
  if (special_output) {
    // -o /dev/null: a check that the script builds; never replace a device node.
    std::ifstream in(binary, std::ios::binary);
    std::ofstream out(output, std::ios::binary);
    out << in.rdbuf();
    return out ? 0 : 1;
  }
  if (std::rename(binary.c_str(), output.c_str()) == 0) return 0;
  if (errno == EXDEV) {
    // Different file systems: copy next to the target, then rename there.
    std::string tmp = output + ".tmp" + std::to_string(getpid());
    if (!llvm::sys::fs::copy_file(binary, tmp) &&
        !llvm::sys::fs::setPermissions(tmp, llvm::sys::fs::all_exe | llvm::sys::fs::owner_all) &&
        std::rename(tmp.c_str(), output.c_str()) == 0) {
      return 0;
    }
    Fail("cannot write '" + output + "': " + std::strerror(errno));
    std::remove(tmp.c_str());
    return 1;
  }
  Fail("cannot write '" + output + "': " + std::strerror(errno));
  return 1;
}

/// A cross target's compiler must be installed: false (with a one-line error naming the
/// Debian package) when it is not.
bool CrossCompilerInstalled(const RuntimeVariant& variant) {
  if (variant.cxx.empty() || llvm::sys::findProgramByName(variant.cxx)) return true;
  Fail("target '" + variant.target + "' needs the cross compiler " + variant.cxx +
       ", which is not installed (Debian package " + CrossCompilerPackage(variant.target) + ")");
  return false;
}

/// For a cross compiler, a -B directory in `dir` holding only ld.lld (see CompilerParts).
void GiveCrossCompilerLld(const std::string& dir, RuntimeVariant* variant) {
  if (variant->cxx.empty()) return;
  llvm::ErrorOr<std::string> lld = llvm::sys::findProgramByName("ld.lld");
  std::string tool_dir = dir + "/bin";
  if (lld && !llvm::sys::fs::create_directory(tool_dir) &&
      !llvm::sys::fs::create_link(*lld, tool_dir + "/ld.lld")) {
    variant->tool_dir = tool_dir;
  }
}

/// A cross target's binary also depends on that target's runtime, which no CMake target stands
/// for in an installed package (the host's is pktc::runtime): its path, or "" for the host.
std::string CrossRuntimeDependency(const DriverOptions& options) {
  std::string triple = TargetVariant(options.target);
  if (triple.empty()) return "";
  llvm::SmallString<256> lib(PktcPrefix(options.argv0, options.main_address));
  llvm::sys::path::append(lib, "lib", "pktc", triple, "libpktc_runtime.a");
  return std::string(lib);
}

int BuildExecutable(const std::string& cpp, const std::string& output,
                    const DriverOptions& options) {
  RuntimeVariant variant = ChooseRuntimeVariant(options);
  std::optional<RuntimePaths> runtime = FindRuntime(options, variant);
  if (!runtime || !CrossCompilerInstalled(variant)) return 1;
  struct sigaction stop {};
  stop.sa_handler = OnStopSignal;  // No SA_RESTART: the wait for the compiler must wake up.
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &stop, nullptr);
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("pktc", dir)) {
    Fail("cannot create a temporary directory: " + ec.message());
    return 1;
  }
  std::string source_name = DefaultOutput(options.input, EmitKind::kCpp);
  std::string source = std::string(dir) + "/" + source_name;
  std::string binary = std::string(dir) + "/a.out";
  GiveCrossCompilerLld(std::string(dir), &variant);
  int rc = 1;
  if (WriteFileAtomically(source, cpp)) {
    std::size_t failed = 0;
    int status = RunProcesses(CompilerCommands(options, variant, *runtime, source, binary),
                              std::string(dir), 1, options.verbose, &failed);
    if (status == 0) {
      rc = InstallBinary(binary, output);
    } else if (status > 0) {
      Fail("the C++ compiler failed on the code generated for '" + options.input +
           "' (this is a pktc bug; rerun with --emit=cpp to see the code" +
           (variant.static_link ? ")"
                                : ", and check that $CXX is the compiler pktc was built with "
                                  "and has its ASan and UBSan libraries, which --sanitize needs)"));
    }
  }
  // The whole directory: a killed compiler leaves its own temporary files here too.
  llvm::sys::fs::remove_directories(dir);
  if (int sig = g_stop_signal) {
    signal(sig, SIG_DFL);
    raise(sig);
  }
  return rc;
}

/// "target: dep1 dep2" with Make escaping, plus "dep:" lines for -MP.
std::string DependencyRule(const std::string& target, const std::vector<std::string>& deps,
                           bool phony) {
  auto escape = [](const std::string& path) {
    std::string out;
    for (char c : path) {
      if (c == ' ' || c == '#') out += '\\';
      if (c == '$') out += '$';
      out += c;
    }
    return out;
  };
  std::string rule = escape(target) + ":";
  for (const std::string& dep : deps) rule += " \\\n  " + escape(dep);
  rule += "\n";
  if (phony) {
    for (size_t i = 1; i < deps.size(); ++i) rule += "\n" + escape(deps[i]) + ":\n";
  }
  return rule;
}

}  // namespace

bool ParseSanitizers(const std::string& list, std::vector<std::string>* sanitizers,
                     std::string* error) {
  static const char* const kKnown[] = {"address", "undefined"};  // In the order flags name them.
  llvm::SmallVector<llvm::StringRef, 4> items;
  llvm::StringRef(list).split(items, ',');
  bool wanted[std::size(kKnown)] = {};
  for (llvm::StringRef item : items) {
    auto known = std::find(std::begin(kKnown), std::end(kKnown), item);
    if (known == std::end(kKnown)) {
      *error = "--sanitize=" + list + ": " +
               (item.empty() ? std::string("empty sanitizer name")
                             : "unknown sanitizer '" + item.str() + "'") +
               " (expected address, undefined or address,undefined)";
      return false;
    }
    wanted[known - std::begin(kKnown)] = true;
  }
  sanitizers->clear();
  for (std::size_t i = 0; i < std::size(kKnown); ++i) {
    if (wanted[i]) sanitizers->push_back(kKnown[i]);
  }
  return true;
}

std::string VersionString() {
  return std::string("pktc ") + PKTC_VERSION + " (git " + PKTC_GIT_COMMIT + ")";
}

namespace {

/// Reads, parses and checks `options.input`, reporting its errors; the checked script, or
/// nullopt (`checked_ok` then says whether it failed only because of --check: no IR wanted).
std::optional<ir::Script> LoadScript(const DriverOptions& options, bool* checked_ok) {
  *checked_ok = false;
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(options.input, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/true);
  if (!file) {
    Fail("cannot read '" + options.input + "': " + file.getError().message());
    return std::nullopt;
  }
  if (llvm::sys::fs::is_directory(options.input)) {
    Fail("'" + options.input + "' is a directory");
    return std::nullopt;
  }
  llvm::SourceMgr sources;
  unsigned buffer = sources.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
  DiagnosticEngine diags(sources);

  Lexer lexer(sources, buffer, diags);
  for (const std::string& define : options.defines) {
    size_t eq = define.find('=');
    if (eq == 0 || eq == std::string::npos) {
      Fail("bad -D '" + define + "': expected NAME=VALUE");
      return std::nullopt;
    }
    lexer.DefineFromCommandLine(define.substr(0, eq), define.substr(eq + 1));
  }
  Parser parser(lexer, diags, sources);
  ast::Script script = parser.ParseScript();
  // Check what parsed even after syntax errors, so one run reports every independent error;
  // events that did not parse are simply absent and cause no follow-on errors.
  SemaOptions sema_options;
  sema_options.after_syntax_errors = diags.HadErrors();
  sema_options.script_path = options.input;
  sema_options.script_dir = std::string(llvm::sys::path::parent_path(options.input));
  std::optional<ir::Script> ir = CheckScript(script, sema_options, diags);
  if (!ir) return std::nullopt;
  if (options.check_only) {
    *checked_ok = true;
    return std::nullopt;
  }
  ir->text = sources.getMemoryBuffer(buffer)->getBuffer().str();
  if (options.emit != EmitKind::kIr && !CheckRuntimeSupport(*ir, diags)) return std::nullopt;
  return ir;
}

}  // namespace

int RunDriver(const DriverOptions& options) {
  bool checked_ok = false;
  std::optional<ir::Script> ir = LoadScript(options, &checked_ok);
  if (!ir) return checked_ok ? 0 : 1;
  if (options.emit == EmitKind::kIr) {
    std::string dump = DumpIr(*ir);
    std::string out = options.output.empty() ? "-" : options.output;
    if (out == "-") {
      llvm::outs() << dump;
      return 0;
    }
    return WriteFileAtomically(out, dump) ? 0 : 1;
  }

  std::string output =
      options.output.empty() ? DefaultOutput(options.input, options.emit) : options.output;
  if (options.deps_only || options.write_deps) {
    std::vector<std::string> deps = {options.input};
    for (const ir::EmbeddedFile& f : ir->files) deps.push_back(f.source_path);
    if (std::string lib = CrossRuntimeDependency(options);
        !lib.empty() && options.emit == EmitKind::kExecutable) {
      deps.push_back(lib);
    }
    std::string rule = DependencyRule(options.deps_target.empty() ? output : options.deps_target,
                                      deps, options.phony_deps);
    if (options.deps_only) {
      if (options.deps_file.empty()) {
        llvm::outs() << rule;
        return 0;
      }
      return WriteFileAtomically(options.deps_file, rule) ? 0 : 1;
    }
    std::string deps_file = options.deps_file.empty() ? output + ".d" : options.deps_file;
    if (!WriteFileAtomically(deps_file, rule)) return 1;
  }
  EmitOptions emit_options;
  emit_options.output_name = options.emit == EmitKind::kCpp && output != "-"
                                 ? output
                                 : DefaultOutput(options.input, EmitKind::kCpp);
  emit_options.line_directives = options.line_directives;
  emit_options.compiler_version = PKTC_VERSION;
  std::string cpp = EmitCpp(*ir, emit_options);

  if (options.emit == EmitKind::kCpp) {
    if (output == "-") {
      llvm::outs() << cpp;
      llvm::outs().flush();
      return 0;
    }
    return WriteFileAtomically(output, cpp) ? 0 : 1;
  }
  return BuildExecutable(cpp, output, options);
}

// ---------------------------------------------------------------------------------------------
// Suites: many scripts in one test binary (pktc a.pkt b.pkt -o suite).

namespace {

/// A file name for a script's generated source: its index and name, safe for any shell.
std::string SuiteSourceName(std::size_t index, const std::string& name) {
  std::string safe;
  for (char c : name) safe += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  return fmt::format("{:04}_{}.cc", index, safe);
}

}  // namespace

unsigned DefaultJobs() {
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) return std::max(1, CPU_COUNT(&cpus));
  return std::max(1u, std::thread::hardware_concurrency());
}

bool ExpandInputs(const std::vector<std::string>& inputs, std::vector<std::string>* scripts) {
  for (const std::string& input : inputs) {
    if (!llvm::sys::fs::is_directory(input)) {
      scripts->push_back(input);
      continue;
    }
    std::vector<std::string> found;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(input, ec), end; it != end && !ec;
         it.increment(ec)) {
      if (llvm::StringRef(it->path()).endswith(".pkt") &&
          !llvm::sys::fs::is_directory(it->path())) {
        found.push_back(it->path());
      }
    }
    if (ec) {
      Fail("cannot read directory '" + input + "': " + ec.message());
      return false;
    }
    if (found.empty()) {
      Fail("no .pkt scripts in directory '" + input + "'");
      return false;
    }
    std::sort(found.begin(), found.end());
    scripts->insert(scripts->end(), found.begin(), found.end());
  }
  return true;
}

int RunSuiteDriver(const DriverOptions& options) {
  if (options.output.empty()) {
    Fail("a suite of several scripts needs -o to name its binary");
    return 1;
  }
  // Every script is checked first, with all its errors reported, before anything is built.
  std::vector<ir::Script> scripts;
  bool ok = true;
  for (const std::string& input : options.inputs) {
    DriverOptions one = options;
    one.input = input;
    one.check_only = false;
    one.emit = EmitKind::kExecutable;
    bool checked_ok;
    std::optional<ir::Script> ir = LoadScript(one, &checked_ok);
    if (ir) {
      scripts.push_back(std::move(*ir));
    } else {
      ok = false;
    }
  }
  if (!ok) return 1;
  // Test names select scripts (suite NAME, --filter): two scripts may not share one.
  for (std::size_t i = 0; i < scripts.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (scripts[i].name == scripts[j].name) {
        Fail("two scripts have the test name '" + scripts[i].name + "': '" + scripts[j].path +
             "' and '" + scripts[i].path + "' (a suite needs distinct names)");
        ok = false;
      }
    }
  }
  if (!ok) return 1;
  if (options.deps_only || options.write_deps) {
    std::vector<std::string> deps;
    for (const ir::Script& script : scripts) {
      deps.push_back(script.path);
      for (const ir::EmbeddedFile& f : script.files) deps.push_back(f.source_path);
    }
    if (std::string lib = CrossRuntimeDependency(options); !lib.empty()) deps.push_back(lib);
    std::vector<std::string> unique;
    for (const std::string& d : deps) {
      if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(d);
    }
    std::string rule =
        DependencyRule(options.deps_target.empty() ? options.output : options.deps_target, unique,
                       options.phony_deps);
    if (options.deps_only) {
      if (options.deps_file.empty()) {
        llvm::outs() << rule;
        return 0;
      }
      return WriteFileAtomically(options.deps_file, rule) ? 0 : 1;
    }
    std::string deps_file = options.deps_file.empty() ? options.output + ".d" : options.deps_file;
    if (!WriteFileAtomically(deps_file, rule)) return 1;
  }

  RuntimeVariant variant = ChooseRuntimeVariant(options);
  std::optional<RuntimePaths> runtime = FindRuntime(options, variant);
  if (!runtime || !CrossCompilerInstalled(variant)) return 1;
  struct sigaction stop {};
  stop.sa_handler = OnStopSignal;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &stop, nullptr);
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("pktc", dir)) {
    Fail("cannot create a temporary directory: " + ec.message());
    return 1;
  }
  GiveCrossCompilerLld(std::string(dir), &variant);
  // One translation unit per script, compiled in parallel, and one for main(); one link.
  CompilerCommandParts parts = CompilerParts(options, variant, *runtime);
  std::vector<std::vector<std::string>> compiles;
  std::vector<std::string> objects;
  int rc = 1;
  bool written = true;
  for (std::size_t i = 0; i <= scripts.size() && written; ++i) {
    std::string name = i < scripts.size() ? SuiteSourceName(i, scripts[i].name) : "suite_main.cc";
    std::string source = std::string(dir) + "/" + name;
    std::string cpp;
    if (i < scripts.size()) {
      EmitOptions emit_options;
      emit_options.output_name = name;
      emit_options.line_directives = options.line_directives;
      emit_options.compiler_version = PKTC_VERSION;
      emit_options.suite_index = static_cast<int>(i);
      cpp = EmitCpp(scripts[i], emit_options);
    } else {
      cpp = EmitSuiteMain(scripts.size(), PKTC_VERSION);
    }
    written = WriteFileAtomically(source, cpp);
    std::string object = source.substr(0, source.size() - 3) + ".o";
    std::vector<std::string> compile = parts.compile;
    compile.insert(compile.end(), {"-c", source, "-o", object});
    compiles.push_back(std::move(compile));
    objects.push_back(object);
  }
  if (written) {
    std::size_t failed = 0;
    unsigned jobs = options.jobs ? options.jobs : DefaultJobs();
    int status = RunProcesses(compiles, std::string(dir), jobs, options.verbose, &failed);
    if (status > 0) {
      Fail("the C++ compiler failed on the code generated for '" +
           (failed < scripts.size() ? scripts[failed].path : std::string("the suite's main")) +
           "' (this is a pktc bug; rerun with --emit=cpp on that script to see the code)");
    }
    if (status == 0) {
      std::string binary = std::string(dir) + "/a.out";
      std::vector<std::string> link = parts.link;
      link.insert(link.end(), objects.begin(), objects.end());
      link.insert(link.end(), {runtime->library, "-o", binary});
      status = RunProcesses({link}, std::string(dir), 1, options.verbose, &failed);
      if (status > 0) Fail("linking the suite '" + options.output + "' failed");
      if (status == 0) rc = InstallBinary(binary, options.output);
    }
  }
  llvm::sys::fs::remove_directories(dir);
  if (int sig = g_stop_signal) {
    signal(sig, SIG_DFL);
    raise(sig);
  }
  return rc;
}

}  // namespace pktc
