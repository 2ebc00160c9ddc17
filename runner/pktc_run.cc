// pktc-run: runs many pktc test binaries (or .pkt scripts, compiled on the fly through a cache)
// in parallel. Each binary isolates itself in namespaces, so they can run side by side. Prints
// progress, nested KTAP, a summary table, optionally merged JUnit XML; exits 1 on any failure.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Test {
  std::string name;    ///< Script name without .pkt
  std::string source;  ///< The .pkt, if compiled here
  std::string binary;
  std::string output;  ///< Everything the binary printed
  int junit_fd = -1;   ///< memfd holding its JUnit report
  int exit_code = -1;
  double seconds = 0;
  pid_t pid = 0;
  int pipe_fd = -1;
  double started = 0;
  std::vector<std::pair<std::string, std::string>> families;  ///< family, verdict
};

struct Options {
  int jobs = 0;
  std::string junit;
  std::string pktc;
  std::string cache_dir;
  std::vector<std::string> pass_through;  ///< Arguments for every test binary (after --).
  bool quiet = false;
  int timeout_seconds = 300;
};

volatile sig_atomic_t g_interrupted = 0;
std::mutex g_stderr_mutex;  ///< Compile threads print pktc's diagnostics whole.
std::vector<Test>* g_tests = nullptr;

double Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

void OnSignal(int) { g_interrupted = 1; }

std::string Basename(std::string path) {
  if (size_t slash = path.rfind('/'); slash != std::string::npos) path = path.substr(slash + 1);
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".pkt") == 0)
    path.resize(path.size() - 4);
  return path;
}

/// Runs a command and returns its exit status (stdout captured into `out` if given). The
/// command gets SIGTERM if the runner dies, so pktc can stop its compiler and clean up.
int RunCommand(const std::vector<std::string>& argv, std::string* out) {
  // Built before fork: the runner has compile threads, and the child may not allocate.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    dup2(fds[1], STDOUT_FILENO);
    if (!out) dup2(fds[1], STDERR_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  if (out) {
    *out = text;
  } else if (!text.empty()) {
    std::lock_guard<std::mutex> lock(g_stderr_mutex);
    std::fputs(text.c_str(), stderr);
  }
  return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// FNV-1a: enough to key a cache by content.
std::string Hash(const std::string& data) {
  unsigned long long h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

/// Compiles a script unless the cache holds a binary for the same script, helper files and
/// pktc; returns the binary's path or "" (with pktc's diagnostics already printed).
std::string CompileCached(const Options& o, const std::string& script) {
  std::string deps;
  if (RunCommand({o.pktc, "-M", script, "-o", "x"}, &deps) != 0) {
    RunCommand({o.pktc, "--check", script}, nullptr);
    return "";
  }
  std::string key_material = ReadFile(o.pktc.find('/') != std::string::npos ? o.pktc : "") + deps;
  std::istringstream lines(deps);
  std::string word;
  while (lines >> word) {
    if (word == "\\" || word.back() == ':') continue;
    key_material += ReadFile(word);
  }
  std::string binary = o.cache_dir + "/" + Basename(script) + "-" + Hash(key_material);
  struct stat st;
  if (stat(binary.c_str(), &st) == 0) return binary;
  mkdir(o.cache_dir.c_str(), 0755);
  if (RunCommand({o.pktc, script, "-o", binary}, nullptr) != 0) return "";
  return binary;
}

/// Seconds each test took in earlier runs, kept in the cache directory as "name<TAB>seconds"
/// lines, so that the longest tests start first, as CTest does with its cost data: a long test
/// started last would run on alone after everything else has finished.
std::map<std::string, double> ReadDurations(const std::string& path) {
  std::map<std::string, double> durations;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    durations[line.substr(0, tab)] = std::strtod(line.c_str() + tab + 1, nullptr);
  }
  return durations;
}

void WriteDurations(const std::string& path, const std::map<std::string, double>& durations) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp);
    for (const auto& [name, seconds] : durations) out << name << '\t' << seconds << '\n';
    if (!out) {
      std::remove(tmp.c_str());
      return;  // Only a hint for the next run.
    }
  }
  std::rename(tmp.c_str(), path.c_str());
}

void Start(Test& t, const Options& o) {
  int fds[2];
  if (pipe(fds) != 0) return;
  // The test writes its JUnit report into an anonymous memory file the runner reads back:
  // no temporary file exists that a killed runner could leave behind.
  if (!o.junit.empty()) t.junit_fd = memfd_create("pktc-junit", MFD_CLOEXEC);
  std::vector<std::string> argv = {t.binary};
  if (t.junit_fd >= 0) argv.insert(argv.end(), {"--junit", "/proc/self/fd/3"});
  argv.insert(argv.end(), o.pass_through.begin(), o.pass_through.end());
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t parent = getpid();
  t.pid = fork();
  if (t.pid == 0) {
    // Dies with the runner, and the test's own families die with it: nothing outlives a kill.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    setpgid(0, 0);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    // dup2 clears close-on-exec on the copy; a memfd that is already 3 needs it cleared.
    if (t.junit_fd == 3)
      fcntl(3, F_SETFD, 0);
    else if (t.junit_fd >= 0)
      dup2(t.junit_fd, 3);
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  t.pipe_fd = fds[0];
  fcntl(t.pipe_fd, F_SETFL, O_NONBLOCK);
  t.started = Now();
}

void ParseFamilies(Test& t) {
  std::istringstream lines(t.output);
  std::string line;
  while (std::getline(lines, line)) {
    for (const char* prefix : {"ok ", "not ok "}) {
      if (line.rfind(prefix, 0) != 0) continue;
      std::istringstream words(line.substr(std::strlen(prefix)));
      std::string number, family;
      words >> number >> family;
      std::string verdict = std::strcmp(prefix, "ok ") == 0 ? "ok" : "FAIL";
      if (line.find("# SKIP") != std::string::npos) verdict = "skip";
      if (line.find("# XFAIL") != std::string::npos) verdict = "xfail";
      t.families.push_back({family, verdict});
    }
  }
}

void Usage() {
  std::puts(
      "usage: pktc-run [options] TEST... [-- ARGS for every test]\n"
      "Runs pktc test binaries, or .pkt scripts compiled on the fly (cached), in parallel.\n"
      "  -j N            parallel tests (default: twice the number of CPUs)\n"
      "  --junit FILE    merged JUnit XML of every test\n"
      "  --pktc PATH     compiler for .pkt arguments (default: pktc next to pktc-run, or PATH)\n"
      "  --cache DIR     compiled binaries, and each test's last duration: the longest\n"
      "                  start first (default: $XDG_CACHE_HOME/pktc or ~/.cache/pktc)\n"
      "  --timeout S     per test (default 300)\n"
      "  -q              no progress lines\n"
      "Prints nested KTAP and a summary; exit 0 when every test passed or skipped, else 1.");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string> inputs;
  bool rest = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* what) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "pktc-run: %s needs a value\n", what);
        std::exit(2);
      }
      return argv[++i];
    };
    if (rest)
      o.pass_through.push_back(a);
    else if (a == "--")
      rest = true;
    else if (a == "-h" || a == "--help")
      return Usage(), 0;
    else if (a == "-j")
      o.jobs = std::atoi(value("-j").c_str());
    else if (a.rfind("-j", 0) == 0)
      o.jobs = std::atoi(a.c_str() + 2);
    else if (a == "--junit")
      o.junit = value("--junit");
    else if (a == "--pktc")
      o.pktc = value("--pktc");
    else if (a == "--cache")
      o.cache_dir = value("--cache");
    else if (a == "--timeout")
      o.timeout_seconds = std::atoi(value("--timeout").c_str());
    else if (a == "-q")
      o.quiet = true;
    else if (a[0] == '-') {
      std::fprintf(stderr, "pktc-run: unknown option '%s' (see --help)\n", a.c_str());
      return 2;
    } else
      inputs.push_back(a);
  }
  if (inputs.empty()) {
    Usage();
    return 2;
  }
  // Tests mostly sleep until their next event, so twice as many as there are CPUs keep the
  // CPUs busy without making events late: on 2 CPUs the kernel corpus takes 23 s at -j 4
  // against 44 s at -j 2, with the same verdicts (bench/RESULTS.md).
  if (o.jobs <= 0) o.jobs = 2 * static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  if (o.pktc.empty()) {
    char self[4096] = {};
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    std::string sibling = n > 0 ? std::string(self, n) : "";
    sibling = sibling.substr(0, sibling.rfind('/') + 1) + "pktc";
    o.pktc = access(sibling.c_str(), X_OK) == 0 ? sibling : "pktc";
  }
  if (o.cache_dir.empty()) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    std::string base = xdg && *xdg ? xdg : std::string(home && *home ? home : "/tmp") + "/.cache";
    mkdir(base.c_str(), 0755);
    o.cache_dir = base + "/pktc";
  }
  mkdir(o.cache_dir.c_str(), 0755);

  std::vector<Test> tests;
  for (const std::string& input : inputs) {
    Test t;
    t.name = Basename(input);
    if (input.size() > 4 && input.compare(input.size() - 4, 4, ".pkt") == 0) {
      t.source = input;
    } else {
      t.binary = input[0] == '/' || input.find('/') != std::string::npos ? input : "./" + input;
    }
    tests.push_back(t);
  }
  // Compile the scripts first, one per CPU: compiling is CPU-bound, while the tests mostly
  // sleep and must not share the CPUs with compilers while they keep time.
  std::atomic<std::size_t> next_compile{0};
  auto compile_worker = [&] {
    for (std::size_t i; (i = next_compile++) < tests.size();) {
      Test& t = tests[i];
      if (t.source.empty()) continue;
      t.binary = CompileCached(o, t.source);
      if (t.binary.empty()) {
        t.exit_code = 1;
        t.output = "not ok 1 compile\n# pktc could not compile " + t.source + "\n";
      }
    }
  };
  std::vector<std::thread> compilers;
  long cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  for (long i = 0; i < cpus; ++i) compilers.emplace_back(compile_worker);
  for (std::thread& c : compilers) c.join();
  bool compile_failed = false;
  for (const Test& t : tests) compile_failed |= !t.source.empty() && t.binary.empty();

  g_tests = &tests;
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  bool tty = isatty(STDERR_FILENO) && !o.quiet;
  // Longest first by earlier runs; tests never seen before go first, in the given order.
  const std::string durations_path = o.cache_dir + "/durations";
  std::map<std::string, double> durations = ReadDurations(durations_path);
  std::vector<size_t> start_order(tests.size());
  for (size_t i = 0; i < tests.size(); ++i) start_order[i] = i;
  auto expected = [&](size_t i) {
    auto it = durations.find(tests[i].name);
    return it == durations.end() ? 1e300 : it->second;
  };
  std::stable_sort(start_order.begin(), start_order.end(),
                   [&](size_t a, size_t b) { return expected(a) > expected(b); });
  size_t next = 0, done = 0, running = 0;
  double start = Now();
  for (Test& t : tests) {
    if (t.exit_code >= 0) ++done;
  }
  while (done < tests.size() && !g_interrupted) {
    while (running < static_cast<size_t>(o.jobs) && next < tests.size()) {
      Test& t = tests[start_order[next++]];
      if (t.exit_code >= 0) continue;
      Start(t, o);
      ++running;
    }
    std::vector<pollfd> fds;
    std::vector<Test*> owners;
    for (Test& t : tests) {
      if (t.pipe_fd < 0) continue;
      fds.push_back({t.pipe_fd, POLLIN, 0});
      owners.push_back(&t);
    }
    poll(fds.data(), fds.size(), 100);
    for (size_t i = 0; i < fds.size(); ++i) {
      Test& t = *owners[i];
      char buf[8192];
      ssize_t n;
      while ((n = read(t.pipe_fd, buf, sizeof buf)) > 0)
        t.output.append(buf, static_cast<size_t>(n));
      bool timed_out = Now() - t.started > o.timeout_seconds;
      if (n == 0 || timed_out) {
        if (timed_out) {
          kill(-t.pid, SIGKILL);
          t.output += "# pktc-run: timed out after " + std::to_string(o.timeout_seconds) + " s\n";
        }
        close(t.pipe_fd);
        t.pipe_fd = -1;
        int status = 0;
        waitpid(t.pid, &status, 0);
        t.exit_code = timed_out           ? 124
                      : WIFEXITED(status) ? WEXITSTATUS(status)
                                          : 128 + WTERMSIG(status);
        t.seconds = Now() - t.started;
        ParseFamilies(t);
        --running;
        ++done;
        if (tty) {
          const char* verdict = t.exit_code == 0 ? "ok" : t.exit_code == 4 ? "skip" : "FAIL";
          std::fprintf(stderr, "[%zu/%zu] %-50s %s (%.2f s)\n", done, tests.size(), t.name.c_str(),
                       verdict, t.seconds);
        }
      }
    }
  }
  for (const Test& t : tests) {
    if (t.pid > 0 && t.pipe_fd < 0) durations[t.name] = t.seconds;  // Finished.
  }
  WriteDurations(durations_path, durations);
  if (g_interrupted) {
    for (Test& t : tests) {
      if (t.pipe_fd >= 0) kill(-t.pid, SIGKILL);
    }
    std::fprintf(stderr, "pktc-run: interrupted\n");
    return 130;
  }

  // Nested KTAP: each test's own KTAP, indented, then its result line.
  std::printf("TAP version 13\n1..%zu\n", tests.size());
  int pass = 0, fail = 0, skip = 0;
  for (size_t i = 0; i < tests.size(); ++i) {
    const Test& t = tests[i];
    std::istringstream lines(t.output);
    std::string line;
    while (std::getline(lines, line)) std::printf("  %s\n", line.c_str());
    if (t.exit_code == 0) {
      std::printf("ok %zu %s\n", i + 1, t.name.c_str());
      ++pass;
    } else if (t.exit_code == 4) {
      std::printf("ok %zu %s # SKIP\n", i + 1, t.name.c_str());
      ++skip;
    } else {
      std::printf("not ok %zu %s\n", i + 1, t.name.c_str());
      ++fail;
    }
  }
  std::printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", pass, fail, skip);

  // Summary table.
  std::printf("#\n# %-50s %-6s %-6s %8s\n", "test", "ipv4", "ipv6", "seconds");
  for (const Test& t : tests) {
    std::map<std::string, std::string> v(t.families.begin(), t.families.end());
    auto get = [&](const char* f) { return v.count(f) ? v[f] : std::string("-"); };
    std::printf("# %-50s %-6s %-6s %8.2f\n", t.name.c_str(), get("ipv4").c_str(),
                get("ipv6").c_str(), t.seconds);
  }
  std::printf("# %zu tests in %.2f s with -j %d: %d passed, %d failed, %d skipped\n", tests.size(),
              Now() - start, o.jobs, pass, fail, skip);

  if (!o.junit.empty()) {
    std::string merged = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
    for (const Test& t : tests) {
      std::string xml =
          t.junit_fd >= 0 ? ReadFile("/proc/self/fd/" + std::to_string(t.junit_fd)) : "";
      size_t a = xml.find("<testsuite "), b = xml.rfind("</testsuite>");
      if (a != std::string::npos && b != std::string::npos) {
        merged += xml.substr(a, b + std::strlen("</testsuite>") - a) + "\n";
      } else {
        merged += "  <testsuite name=\"" + t.name +
                  "\" tests=\"1\" failures=\"0\" errors=\"1\">"
                  "<testcase name=\"run\"><error message=\"no report\"/></testcase></testsuite>\n";
      }
      if (t.junit_fd >= 0) close(t.junit_fd);
    }
    merged += "</testsuites>\n";
    std::string tmp = o.junit + ".tmp";
    std::ofstream(tmp) << merged;
    std::rename(tmp.c_str(), o.junit.c_str());
  }
  std::printf("%d passed, %d failed\n", pass, fail);
  return fail || compile_failed ? 1 : 0;
}
