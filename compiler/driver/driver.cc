// Driver: file handling, stage sequencing, invoking the C++ compiler. No language logic here.
#include "driver/driver.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

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

/// Runs `argv` in a process group of its own with TMPDIR=`tmpdir` (so the compiler's own
/// temporary files land where pktc cleans up) and returns its exit status, -1 if it could not
/// start, or -2 if a stop signal arrived (the compiler is then killed and reaped).
int RunProcess(const std::vector<std::string>& argv, const std::string& tmpdir, bool verbose) {
  if (verbose) {
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    llvm::errs() << line << "\n";
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string tmpdir_entry = "TMPDIR=" + tmpdir;
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "TMPDIR=", 7) != 0) env.push_back(*e);
  }
  env.push_back(tmpdir_entry.data());
  env.push_back(nullptr);
  // The stop signals stay blocked except inside ppoll, so one that arrives between the spawn
  // and the wait is not lost; the compiler starts with the original mask.
  sigset_t stop_signals, old_mask;
  sigemptyset(&stop_signals);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_signals, sig);
  sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &old_mask);
  pid_t pid;
  int rc =
      g_stop_signal ? EINTR : posix_spawnp(&pid, args[0], nullptr, &attr, args.data(), env.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    if (g_stop_signal) return -2;
    Fail("cannot run C++ compiler '" + argv[0] + "': " + std::strerror(rc) +
         " (set CXX to a C++20 compiler)");
    return -1;
  }
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  int status = 0;
  if (pidfd < 0) {
    // Kernels before 5.3: wait with the signals let in (a signal just before the wait is then
    // noticed only when the compiler ends).
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR && !g_stop_signal) {
    }
    sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  }
  while (pidfd >= 0 && !g_stop_signal) {
    pollfd exited{pidfd, POLLIN, 0};
    if (ppoll(&exited, 1, nullptr, &old_mask) == 1) break;
  }
  if (pidfd >= 0) close(pidfd);
  if (g_stop_signal) kill(-pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  if (g_stop_signal) return -2;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string DefaultOutput(const std::string& input, EmitKind emit) {
  std::string base = std::string(llvm::sys::path::filename(input));
  if (llvm::StringRef(base).endswith(".pkt")) base.resize(base.size() - 4);
  return emit == EmitKind::kCpp ? base + ".cc" : base;
}

/// The compiler command lines that turn `source` into `binary` against a runtime variant: one,
/// or a compile and then a link where generated code gets other sanitizers than the variant was
/// built with (the variant's archive needs all of its sanitizer runtimes at link time).
std::vector<std::vector<std::string>> CompilerCommands(const DriverOptions& options,
                                                       const RuntimeVariant& variant,
                                                       const RuntimePaths& runtime,
                                                       const std::string& source,
                                                       const std::string& binary) {
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
  std::vector<std::string> compile = base;
  append(&compile, code_flags);
  compile.push_back("-pipe");  // No temporary assembly file.
  for (const std::string& dir : runtime.include_dirs) compile.push_back("-I" + dir);
  if (one_step) {
    append(&compile, link_flags);
    append(&compile, {source, runtime.library, "-o", binary});
    return {compile};
  }
  std::string object = binary + ".o";
  append(&compile, {"-c", source, "-o", object});
  std::vector<std::string> link = base;
  append(&link, variant.cxx_flags);
  append(&link, link_flags);
  append(&link, {object, runtime.library, "-o", binary});
  return {compile, link};
}

int BuildExecutable(const std::string& cpp, const std::string& output,
                    const DriverOptions& options) {
  RuntimeVariant variant = ChooseRuntimeVariant(options);
  std::optional<RuntimePaths> runtime = FindRuntime(options, variant);
  if (!runtime) return 1;
  if (!variant.cxx.empty() && !llvm::sys::findProgramByName(variant.cxx)) {
    Fail("target '" + variant.target + "' needs the cross compiler " + variant.cxx +
         ", which is not installed (Debian package " + CrossCompilerPackage(variant.target) +
         ")");
    return 1;
  }
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
  if (!variant.cxx.empty()) {
    llvm::ErrorOr<std::string> lld = llvm::sys::findProgramByName("ld.lld");
    std::string tool_dir = std::string(dir) + "/bin";
    if (lld && !llvm::sys::fs::create_directory(tool_dir) &&
        !llvm::sys::fs::create_link(*lld, tool_dir + "/ld.lld")) {
      variant.tool_dir = tool_dir;
    }
  }
  int rc = 1;
  if (WriteFileAtomically(source, cpp)) {
    int status = 0;
    for (const std::vector<std::string>& argv :
         CompilerCommands(options, variant, *runtime, source, binary)) {
      status = RunProcess(argv, std::string(dir), options.verbose);
      if (status != 0) break;
    }
    struct stat st;
    bool special_output = stat(output.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
    if (status == 0 && special_output) {
      // -o /dev/null: a check that the script builds; never replace a device node.
      std::ifstream in(binary, std::ios::binary);
      std::ofstream out(output, std::ios::binary);
      out << in.rdbuf();
      rc = out ? 0 : 1;
    } else if (status == 0) {
      if (std::rename(binary.c_str(), output.c_str()) == 0) {
        rc = 0;
      } else if (errno == EXDEV) {
        // Different file systems: copy next to the target, then rename there.
        std::string tmp = output + ".tmp" + std::to_string(getpid());
        if (!llvm::sys::fs::copy_file(binary, tmp) &&
            !llvm::sys::fs::setPermissions(tmp,
                                           llvm::sys::fs::all_exe | llvm::sys::fs::owner_all) &&
            std::rename(tmp.c_str(), output.c_str()) == 0) {
          rc = 0;
        } else {
          Fail("cannot write '" + output + "': " + std::strerror(errno));
          std::remove(tmp.c_str());
        }
      } else {
        Fail("cannot write '" + output + "': " + std::strerror(errno));
      }
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

int RunDriver(const DriverOptions& options) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(options.input, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/true);
  if (!file) {
    Fail("cannot read '" + options.input + "': " + file.getError().message());
    return 1;
  }
  if (llvm::sys::fs::is_directory(options.input)) {
    Fail("'" + options.input + "' is a directory");
    return 1;
  }
  llvm::SourceMgr sources;
  unsigned buffer = sources.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
  DiagnosticEngine diags(sources);

  Lexer lexer(sources, buffer, diags);
  for (const std::string& define : options.defines) {
    size_t eq = define.find('=');
    if (eq == 0 || eq == std::string::npos) {
      Fail("bad -D '" + define + "': expected NAME=VALUE");
      return 1;
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
  if (!ir) return 1;
  if (options.check_only) return 0;
  ir->text = sources.getMemoryBuffer(buffer)->getBuffer().str();
  if (options.emit == EmitKind::kIr) {
    std::string dump = DumpIr(*ir);
    std::string out = options.output.empty() ? "-" : options.output;
    if (out == "-") {
      llvm::outs() << dump;
      return 0;
    }
    return WriteFileAtomically(out, dump) ? 0 : 1;
  }
  if (!CheckRuntimeSupport(*ir, diags)) return 1;

  std::string output =
      options.output.empty() ? DefaultOutput(options.input, options.emit) : options.output;
  if (options.deps_only || options.write_deps) {
    std::vector<std::string> deps = {options.input};
    for (const ir::EmbeddedFile& f : ir->files) deps.push_back(f.source_path);
    // A cross target's binary also depends on that target's runtime, which no CMake target
    // stands for in an installed package (the host's is pktc::runtime).
    if (std::string triple = TargetVariant(options.target);
        !triple.empty() && options.emit == EmitKind::kExecutable) {
      llvm::SmallString<256> lib(PktcPrefix(options.argv0, options.main_address));
      llvm::sys::path::append(lib, "lib", "pktc", triple, "libpktc_runtime.a");
      deps.push_back(std::string(lib));
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

}  // namespace pktc
