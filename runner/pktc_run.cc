// pktc-run: runs many pktc test binaries (or .pkt scripts, compiled on the fly through a cache)
// in parallel. Each binary isolates itself in namespaces, so they can run side by side. Prints
// progress, nested KTAP, a summary table, optionally merged JUnit XML; exits 1 on any failure.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <thread>
#include <time.h>

#include "compile_cache.h"
#include "kernel_hz.h"
#include "pktc/run_report.h"
#include "runner_options.h"
#include "scheduler.h"
#include "shard.h"
#include "suite_report.h"
#include "test_history.h"

namespace pktc::runner {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void OnSignal(int) { g_interrupted = 1; }

double Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

/// pktc next to pktc-run (the build tree, an install), else on PATH.
std::string DefaultCompiler() {
  char self[4096] = {};
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string sibling = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : "";
  sibling = sibling.substr(0, sibling.rfind('/') + 1) + "pktc";
  return access(sibling.c_str(), X_OK) == 0 ? sibling : "pktc";
}

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::string base = xdg && *xdg ? xdg : std::string(home && *home ? home : "/tmp") + "/.cache";
  mkdir(base.c_str(), 0755);
  return base + "/pktc";
}

/// The test names in a suite binary, from `binary --list`; false for a binary of one script
/// (which rejects --list as an unknown option) or one that cannot run.
bool ListSuite(const std::string& binary, std::vector<std::string>* names) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDERR_FILENO);
    execl(binary.c_str(), binary.c_str(), "--list", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; pid > 0 && ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR));) {
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (pid < 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return false;
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    if (end > start) names->push_back(out.substr(start, end - start));
    start = end + 1;
  }
  return true;
}

std::vector<TestCase> MakeTests(const RunnerOptions& o) {
  std::vector<TestCase> tests;
  for (const std::string& input : o.inputs) {
    TestCase t;
    t.name = TestName(input);
    if (input.size() > 4 && input.compare(input.size() - 4, 4, ".pkt") == 0) {
      t.source = input;
    } else {
      t.binary = input.find('/') != std::string::npos ? input : "./" + input;
      // A suite binary is one test per script in it, each run as `suite NAME`.
      std::vector<std::string> names;
      if (ListSuite(t.binary, &names)) {
        for (const std::string& name : names) {
          TestCase s = t;
          s.name = name;
          s.suite_name = name;
          tests.push_back(s);
        }
        continue;
      }
    }
    tests.push_back(t);
  }
  return tests;
}

/// Compiles the scripts, one per CPU: compiling is CPU-bound, while the tests mostly sleep and
/// must not share the CPUs with compilers while they keep time. False if any failed.
bool CompileScripts(std::vector<TestCase>& tests, const RunnerOptions& o) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next++) < tests.size();) {
      TestCase& t = tests[i];
      if (t.source.empty()) continue;
      t.binary = CompileCached(o.pktc, o.cache_dir, t.source, o.target);
      if (t.binary.empty()) {
        t.exit_code = 1;
        t.output = "not ok 1 compile\n# pktc could not compile " + t.source + "\n";
      }
    }
  };
  std::vector<std::thread> compilers;
  long cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  for (long i = 0; i < cpus; ++i) compilers.emplace_back(worker);
  for (std::thread& c : compilers) c.join();
  bool ok = true;
  for (const TestCase& t : tests) ok &= t.source.empty() || !t.binary.empty();
  return ok;
}

int MergeJunitMode(const RunnerOptions& o) {
  std::vector<std::string> documents;
  for (const std::string& path : o.inputs) {
    if (access(path.c_str(), R_OK) != 0) {
      std::fprintf(stderr, "pktc-run: cannot read %s\n", path.c_str());
      return 2;
    }
    documents.push_back(ReadFile(path));
  }
  if (!WriteFileAtomically(o.merge_junit_out, MergeJunitFiles(documents))) {
    std::fprintf(stderr, "pktc-run: cannot write %s\n", o.merge_junit_out.c_str());
    return 2;
  }
  return 0;
}

int Run(int argc, char** argv) {
  RunnerOptions o;
  std::string error;
  int exit_now = -1;
  if (!ParseRunnerOptions(argc, argv, &o, &error, &exit_now)) {
    if (exit_now >= 0) return exit_now;
    std::fprintf(stderr, "pktc-run: %s\n", error.c_str());
    return 2;
  }
  if (!o.merge_junit_out.empty()) return MergeJunitMode(o);
  if (o.pktc.empty()) o.pktc = DefaultCompiler();
  if (o.cache_dir.empty()) o.cache_dir = DefaultCacheDir();
  mkdir(o.cache_dir.c_str(), 0755);

  std::vector<TestCase> tests = MakeTests(o);
  if (o.shard_count > 1) {
    std::vector<std::string> names;
    for (const TestCase& t : tests) names.push_back(t.name);
    TestHistory shared = o.durations_file.empty() ? TestHistory() : ReadHistory(o.durations_file);
    std::vector<TestCase> mine;
    for (std::size_t i : SelectShard(names, shared, o.shard_index, o.shard_count)) {
      mine.push_back(tests[i]);
    }
    tests = std::move(mine);
  }
  // Bazel asks a test that understands sharding to say so.
  if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE")) std::fclose(std::fopen(status, "w"));
  bool compiled = CompileScripts(tests, o);

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const std::string history_path = o.cache_dir + "/durations";
  TestHistory history = ReadHistory(history_path);
  // Longest first by earlier runs, as CTest with its cost data: a long test started last would
  // run on alone after everything else. Tests never seen before go first, in the given order.
  std::vector<double> seconds;
  std::vector<int> weights;
  for (const TestCase& t : tests) {
    auto it = history.find(t.name);
    seconds.push_back(it == history.end() ? 1e300 : it->second.seconds);
    weights.push_back(Weight(it == history.end() ? std::nullopt : it->second.margin, o.jobs));
  }
  std::vector<std::size_t> order = StartOrder(seconds, weights, o.jobs);
  order.erase(std::remove_if(order.begin(), order.end(),
                             [&](std::size_t i) { return tests[i].exit_code >= 0; }),
              order.end());

  // The kernel's tick rate is the machine's, not a test's: said once here, not in every test.
  std::string note = KernelHzNote(KernelHz());
  setenv(report::kHzNotedEnv, "1", 1);
  RunSettings settings;
  settings.jobs = o.jobs;
  settings.timeout_seconds = o.timeout_seconds;
  settings.progress = isatty(STDERR_FILENO) && !o.quiet;
  settings.junit = !o.junit.empty();
  settings.args = {"--report-margins"};
  if (o.skip_missing_features) settings.args.push_back("--skip-missing-features");
  settings.args.insert(settings.args.end(), o.pass_through.begin(), o.pass_through.end());
  double start = Now();
  RunTests(tests, order, weights, settings, &g_interrupted);
  RetryTimingFailures(tests, o.retries, history, settings, &g_interrupted);

  for (const TestCase& t : tests) {
    if (t.pid <= 0 || t.pipe_fd >= 0) continue;  // Not run, or still running.
    TestRecord& r = history[t.name];
    r.seconds = t.seconds;
    // The margin of a run that passed: a failure's own event is outside its window whether or
    // not neighbours disturbed it (a test that fails on this kernel every time must not run
    // alone for that). A flaky test missed a window under load: it gets more room next time.
    if (t.Flaky()) {
      r.margin = kFlakyMargin;
    } else if (std::optional<double> m = t.Margin(); t.exit_code == 0 && m) {
      r.margin = RecordedMargin(r.margin, *m);
    }
    r.repeated_timing_failures.clear();
    for (const FamilyOutcome& f : t.families) {
      if (f.repeated_timing_failure) {
        r.repeated_timing_failures.insert(f.FailureKey());
      }
    }
  }
  WriteHistory(history_path, history);
  if (g_interrupted) {
    std::fprintf(stderr, "pktc-run: interrupted\n");
    return 130;
  }
  SuiteCounts counts = PrintSuiteReport(tests, Now() - start, o.jobs,
                                        note.empty() ? "" : "# " + note + "\n");
  if (!o.junit.empty() && !WriteFileAtomically(o.junit, MergeTestReports(tests))) {
    std::fprintf(stderr, "pktc-run: cannot write %s\n", o.junit.c_str());
    return 1;
  }
  std::printf("%d passed, %d flaky, %d failed\n", counts.pass, counts.flaky, counts.fail);
  return counts.fail || !compiled ? 1 : 0;
}

}  // namespace
}  // namespace pktc::runner

int main(int argc, char** argv) { return pktc::runner::Run(argc, argv); }
