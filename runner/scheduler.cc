// Running tests side by side, and retries (see scheduler.h).
#include "scheduler.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace pktc::runner {

namespace {

double Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void Start(TestCase& t, const RunSettings& settings) {
  int fds[2];
  if (pipe(fds) != 0) return;
  // The test writes its JUnit report into an anonymous memory file the runner reads back:
  // no temporary file exists that a killed runner could leave behind.
  if (settings.junit && t.junit_fd < 0) t.junit_fd = memfd_create("pktc-junit", MFD_CLOEXEC);
  std::vector<std::string> argv = {t.binary};
  if (!t.suite_name.empty()) argv.push_back(t.suite_name);  // The script's own binary, then.
  if (t.junit_fd >= 0) argv.insert(argv.end(), {"--junit", "/proc/self/fd/3"});
  argv.insert(argv.end(), settings.args.begin(), settings.args.end());
  argv.insert(argv.end(), t.extra_args.begin(), t.extra_args.end());
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
    if (t.junit_fd == 3) {
      fcntl(3, F_SETFD, 0);
    } else if (t.junit_fd >= 0) {
      dup2(t.junit_fd, 3);
    }
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  t.pipe_fd = fds[0];
  fcntl(t.pipe_fd, F_SETFL, O_NONBLOCK);
  t.started = Now();
}

/// Reads what `t` printed; true once it has ended (or was killed at its timeout).
bool Collect(TestCase& t, const RunSettings& settings) {
  char buf[8192];
  ssize_t n;
  while ((n = read(t.pipe_fd, buf, sizeof buf)) > 0) t.output.append(buf, static_cast<size_t>(n));
  bool timed_out = Now() - t.started > settings.timeout_seconds;
  if (n != 0 && !timed_out) return false;
  if (timed_out) {
    kill(-t.pid, SIGKILL);
    t.output += "# pktc-run: timed out after " + std::to_string(settings.timeout_seconds) + " s\n";
  }
  close(t.pipe_fd);
  t.pipe_fd = -1;
  int status = 0;
  waitpid(t.pid, &status, 0);
  t.exit_code = timed_out           ? 124
                : WIFEXITED(status) ? WEXITSTATUS(status)
                                    : 128 + WTERMSIG(status);
  t.seconds = Now() - t.started;
  t.families = ParseFamilies(t.output);
  return true;
}

}  // namespace

int Weight(std::optional<double> margin, int jobs) {
  if (!margin || *margin >= kAmpleMargin) return 1;
  if (*margin >= kAloneMargin) return std::max(1, jobs / 4);
  return jobs;
}

double RecordedMargin(std::optional<double> before, double measured) {
  return before ? std::min(measured, *before + kMarginRecovery) : measured;
}

std::vector<std::size_t> StartOrder(const std::vector<double>& seconds,
                                    const std::vector<int>& weights, int jobs) {
  std::vector<std::size_t> order(seconds.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    bool alone_a = weights[a] >= jobs, alone_b = weights[b] >= jobs;
    if (alone_a != alone_b) return alone_a;
    return seconds[a] > seconds[b];
  });
  return order;
}

void RunTests(std::vector<TestCase>& tests, const std::vector<std::size_t>& order,
              const std::vector<int>& weights, const RunSettings& settings,
              const volatile std::sig_atomic_t* interrupted) {
  std::size_t next = 0;
  int in_use = 0;
  std::vector<std::size_t> running;
  while ((next < order.size() || !running.empty()) && !*interrupted) {
    // In order: a heavy test waits for room rather than being overtaken for ever.
    while (next < order.size()) {
      std::size_t i = order[next];
      int w = std::min(weights[i], settings.jobs);
      if (!running.empty() && in_use + w > settings.jobs) break;
      Start(tests[i], settings);
      ++next;
      if (tests[i].pipe_fd < 0) {  // Could not even start.
        tests[i].exit_code = 127;
        continue;
      }
      running.push_back(i);
      in_use += w;
    }
    std::vector<pollfd> fds;
    for (std::size_t i : running) fds.push_back({tests[i].pipe_fd, POLLIN, 0});
    poll(fds.data(), fds.size(), 100);
    for (std::size_t k = 0; k < running.size();) {
      TestCase& t = tests[running[k]];
      if (!Collect(t, settings)) {
        ++k;
        continue;
      }
      in_use -= std::min(weights[running[k]], settings.jobs);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
      if (settings.progress) {
        const char* verdict = t.exit_code == 0 ? "ok" : t.exit_code == 4 ? "skip" : "FAIL";
        std::fprintf(stderr, "%-50s %s (%.2f s)\n", t.name.c_str(), verdict, t.seconds);
      }
    }
  }
  for (std::size_t i : running) kill(-tests[i].pid, SIGKILL);
}

void RetryTimingFailures(std::vector<TestCase>& tests, int retries, const TestHistory& history,
                         const RunSettings& settings,
                         const volatile std::sig_atomic_t* interrupted) {
  RunSettings alone = settings;
  alone.jobs = 1;
  alone.junit = false;  // The first run's report stands; retries only change its verdict.
  for (TestCase& t : tests) {
    if (t.exit_code != 1 || t.families.empty()) continue;
    bool only_timing = true;
    for (const FamilyOutcome& f : t.families) {
      if (f.verdict == FamilyVerdict::kFail && !f.timing_failure) only_timing = false;
    }
    if (!only_timing) continue;
    auto record = history.find(t.name);
    bool still_failing = false;
    for (FamilyOutcome& f : t.families) {
      if (f.verdict != FamilyVerdict::kFail) continue;
      if (f.failure_line > 0 && record != history.end() &&
          record->second.repeated_timing_failures.count(f.FailureKey())) {
        f.repeated_timing_failure = true;
        still_failing = true;
        if (retries > 0) {
          f.retry_note = f.family + " failed on a time window at line " +
                         std::to_string(f.failure_line) +
                         ", as in every attempt of the last run: not retried";
        }
        continue;
      }
      if (retries <= 0) {
        still_failing = true;
        continue;
      }
      bool same_line = f.failure_line > 0;
      int attempt = 1;
      for (; attempt <= retries && !*interrupted; ++attempt) {
        std::vector<TestCase> retry(1);
        retry[0].name = t.name;
        retry[0].binary = t.binary;
        retry[0].suite_name = t.suite_name;
        retry[0].extra_args = {"--ip_version=" + f.family};
        RunTests(retry, {0}, {1}, alone, interrupted);
        t.output += "# pktc-run: retry " + std::to_string(attempt) + " of " +
                    std::to_string(retries) + " (" + f.family + ")\n" + retry[0].output;
        if (retry[0].exit_code == 0) break;
        const std::vector<FamilyOutcome>& again = retry[0].families;
        same_line &= again.size() == 1 && again[0].timing_failure &&
                     again[0].failure_line == f.failure_line;
      }
      if (attempt <= retries) {
        f.verdict = FamilyVerdict::kFlaky;
        f.retry_note = f.family + " failed on a time window, passed on retry " +
                       std::to_string(attempt) + " of " + std::to_string(retries);
      } else {
        still_failing = true;
        f.repeated_timing_failure = same_line && !*interrupted;
        f.retry_note = f.family + " failed on a time window in all " +
                       std::to_string(retries + 1) + " runs";
      }
    }
    if (!still_failing) t.exit_code = 0;
  }
}

}  // namespace pktc::runner
