// rt::SuiteMain: the entry point of a suite binary (pktc a.pkt b.pkt -o suite), which holds
// many compiled scripts as a GoogleTest binary holds many tests. Each script runs as its own
// binary would, in a child process whose output becomes a nested KTAP subtest.
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "harness/child_process.h"
#include "kernel_hz.h"
#include "pktc/run_report.h"
#include "pktc/runtime.h"

namespace pktc::rt {

namespace {

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitSkip = 4;

/// The subtest indentation of KTAP v1 nesting: two spaces per level.
constexpr const char* kIndent = "  ";

/// Whether `name` matches the --filter value: globs separated by ':', as GoogleTest's.
bool Matches(const std::string& filter, const char* name) {
  std::size_t start = 0;
  for (;;) {
    std::size_t colon = filter.find(':', start);
    std::string glob = filter.substr(start, colon - start);
    if (!glob.empty() && fnmatch(glob.c_str(), name, 0) == 0) return true;
    if (colon == std::string::npos) return false;
    start = colon + 1;
  }
}

/// Writes `data` to stdout with every line indented; `at_line_start` carries across chunks.
void WriteIndented(const char* data, std::size_t size, bool* at_line_start) {
  for (std::size_t i = 0; i < size; ++i) {
    if (*at_line_start) std::fputs(kIndent, stdout);
    std::fputc(data[i], stdout);
    *at_line_start = data[i] == '\n';
  }
}

/// Runs one script as its own binary would, in a child process with `args` (argv[0] first), its
/// stdout and stderr shown indented as they come. Returns the child's exit code, or 128 + the
/// signal that killed it.
int RunScript(const ScriptInfo& script, const std::vector<std::string>& args) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    std::printf("%s# cannot create a pipe: %s\n", kIndent, std::strerror(errno));
    return kExitFail;
  }
  // Nothing outlives the suite: the script dies with it, and its families with the script.
  pid_t pid = ForkTiedToThisProcess();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    close(out[0]);
    if (out[1] > STDERR_FILENO) close(out[1]);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::exit(Main(static_cast<int>(args.size()), argv.data(), script));
  }
  close(out[1]);
  if (pid < 0) {
    close(out[0]);
    std::printf("%s# cannot fork: %s\n", kIndent, std::strerror(errno));
    return kExitFail;
  }
  bool at_line_start = true;
  char buf[4096];
  for (;;) {
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n > 0) {
      WriteIndented(buf, static_cast<std::size_t>(n), &at_line_start);
      std::fflush(stdout);
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(out[0]);
  if (!at_line_start) std::fputc('\n', stdout);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  std::printf("%s# killed by signal %s\n", kIndent, strsignal(sig));
  return 128 + sig;
}

std::string SuiteUsage(const char* argv0, std::size_t count) {
  std::string u;
  u += "Usage: " + std::string(argv0) + " [--list] [--filter=GLOB[:GLOB...]] [FLAGS...]\n";
  u += "       " + std::string(argv0) + " NAME [FLAGS...]\n\n";
  u += "A pktc suite of " + std::to_string(count) + " packetdrill scripts.\n\n";
  u += "Without NAME, runs every script (or those --filter selects) one after the other, each\n"
       "as its own test binary would with FLAGS, and prints nested KTAP: one subtest per\n"
       "script. Exit status: 0 all passed, 1 any failed, 4 all skipped.\n"
       "With NAME, behaves exactly as that script's own binary: same flags (NAME --help lists\n"
       "them), output and exit status.\n\n"
       "  --list           print the test names, one a line, and exit\n"
       "  --filter=GLOB    run only the names that match a glob (several: GLOB:GLOB)\n"
       "  --help           this text\n";
  return u;
}

}  // namespace

int SuiteMain(int argc, char** argv, const ScriptInfo* const* scripts, std::size_t count) {
  const char* argv0 = argc > 0 ? argv[0] : "suite";
  // NAME mode: the script's own binary, with the suite and name as its program name.
  if (argc > 1 && argv[1][0] != '-') {
    for (std::size_t i = 0; i < count; ++i) {
      if (std::strcmp(scripts[i]->name, argv[1]) != 0) continue;
      std::string program = std::string(argv0) + " " + argv[1];
      std::vector<char*> args = {program.data()};
      for (int a = 2; a < argc; ++a) args.push_back(argv[a]);
      args.push_back(nullptr);
      return Main(argc - 1, args.data(), *scripts[i]);
    }
    std::fprintf(stderr, "%s: no test named '%s' in this suite (--list shows the names)\n",
                 argv0, argv[1]);
    return kExitFail;
  }
  bool list = false;
  std::string filter = "*";
  std::vector<std::string> flags;  // For every script.
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg == "--list") {
      list = true;
    } else if (arg.rfind("--filter=", 0) == 0) {
      filter = arg.substr(9);
    } else if (arg == "--filter" && a + 1 < argc) {
      filter = argv[++a];
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(SuiteUsage(argv0, count).c_str(), stdout);
      return kExitPass;
    } else {
      flags.push_back(arg);
    }
  }
  std::vector<const ScriptInfo*> selected;
  for (std::size_t i = 0; i < count; ++i) {
    if (Matches(filter, scripts[i]->name)) selected.push_back(scripts[i]);
  }
  if (list) {
    for (const ScriptInfo* s : selected) std::printf("%s\n", s->name);
    return kExitPass;
  }
  if (selected.empty()) {
    std::printf("TAP version 13\n1..0 # SKIP no test matches --filter=%s\n", filter.c_str());
    return kExitSkip;
  }
  std::printf("TAP version 13\n1..%zu\n", selected.size());
  // The kernel HZ note once, at the top, not in every subtest.
  if (!std::getenv(report::kHzNotedEnv)) {
    if (std::string note = KernelHzNote(KernelHz()); !note.empty()) {
      std::printf("# %s\n", note.c_str());
    }
    setenv(report::kHzNotedEnv, "1", 1);
  }
  std::fflush(stdout);
  // A child's death must not kill the suite while it writes its report.
  signal(SIGPIPE, SIG_IGN);
  int pass = 0, fail = 0, skip = 0;
  for (std::size_t k = 0; k < selected.size(); ++k) {
    const ScriptInfo& script = *selected[k];
    std::vector<std::string> args = {std::string(argv0) + " " + script.name};
    args.insert(args.end(), flags.begin(), flags.end());
    int code = RunScript(script, args);
    if (code == kExitPass) {
      ++pass;
      std::printf("ok %zu %s\n", k + 1, script.name);
    } else if (code == kExitSkip) {
      ++skip;
      std::printf("ok %zu %s # SKIP\n", k + 1, script.name);
    } else {
      ++fail;
      std::printf("not ok %zu %s\n", k + 1, script.name);
    }
    std::fflush(stdout);
  }
  std::printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", pass, fail, skip);
  std::fflush(stdout);
  if (fail) return kExitFail;
  if (skip && !pass) return kExitSkip;
  return kExitPass;
}

}  // namespace pktc::rt
