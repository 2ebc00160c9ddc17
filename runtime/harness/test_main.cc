// rt::Main: the entry point of every generated test. Runs each IP family in a child process
// that enters network and mount namespaces of its own, and reports KTAP like ksft_runner.sh.
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "base/clock.h"
#include "base/sanitizer.h"
#include "commands/command_runner.h"
#include "report/junit.h"
#include "harness/namespaces.h"
#include "net/netlink.h"
#include "harness/options.h"
#include "net/pcap.h"
#include "pktc/runtime.h"
#include "report/ktap.h"
#include "exec/run.h"
#include "net/tun_device.h"

namespace pktc::rt {

namespace {

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitSkip = 4;
constexpr const char* kSkipMarker = "pktc-skip: ";

int Skip(const std::string& reason) {
  std::fprintf(stderr, "%s%s\n", kSkipMarker, reason.c_str());
  return kExitSkip;
}

int Error(const ScriptInfo& script, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", script.path, message.c_str());
  return kExitFail;
}

/// Everything one family's run does; executes in a child process.
int RunFamily(const ScriptInfo& script, const FamilyConfig& config, const RunLink& link) {
  // Opened before the namespaces: the directory may be under the /tmp the run will hide.
  PcapWriter pcap;
  std::string pcap_error;
  if (!config.pcap_dir.empty() &&
      !pcap.Open(config.pcap_dir + "/" + script.name + "." + config.name + ".pcap", &pcap_error)) {
    return Error(script, pcap_error);
  }
  // Like packetdrill: a failed write to a closed socket is an EPIPE to check, not a death.
  signal(SIGPIPE, SIG_IGN);
  std::string why_not;
  Isolation isolation = EnterNamespaces(link, &why_not);
  if (isolation == Isolation::kUnavailable) return Skip(why_not);
  // Real-time scheduling and locked memory keep the event timing tight on a busy machine.
  // Only with real privilege: inside a user namespace both fail or, for mlockall(MCL_FUTURE)
  // under a small RLIMIT_MEMLOCK, would make later allocations fail.
  if (isolation == Isolation::kPrivileged) {
    if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
      sched_param param{};
      param.sched_priority = sched_get_priority_min(SCHED_RR);
      // Children (shell commands, python) get normal priority back: a command running at
      // real-time priority would delay the events of every other run on its CPU.
      sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &param);  // Best effort.
    }
    SendZeros(0);  // Map the zero region now, not during an event.
    // MCL_ONFAULT: lock pages as they are touched rather than populating every mapping (the
    // 64 MB zero region, thread stacks) up front, which cost memory and milliseconds.
    mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);  // Best effort.
  }
  Netlink netlink;
  std::string error;
  if (!netlink.ok()) return Error(script, "cannot open a netlink socket");
  int lo = static_cast<int>(if_nametoindex("lo"));
  if (lo == 0 || !netlink.SetLinkUp(lo, &error)) return Error(script, "lo: " + error);

  TunDevice tun;
  switch (tun.Open(&error)) {
    case TunDevice::OpenResult::kOk:
      break;
    case TunDevice::OpenResult::kNoDevice:
      return Skip(error + " (is the tun module loaded?)");
    case TunDevice::OpenResult::kNoPermission:
      return Skip(error);
    case TunDevice::OpenResult::kError:
      return Error(script, error);
  }
  if ((config.mtu != 1500 && !netlink.SetMtu(tun.ifindex(), config.mtu, &error)) ||
      !netlink.SetLinkUp(tun.ifindex(), &error) ||
      !netlink.AddAddress(tun.ifindex(), config.local, config.local_prefix_len, &error) ||
      !netlink.WaitUntilLocal(config.local, &error) ||
      !netlink.AddRoute(tun.ifindex(), config.remote, config.remote_prefix_len, &error) ||
      !tun.OpenSniffer(&error)) {
    return Error(script, tun.name() + ": " + error);
  }
  if (pcap.is_open()) tun.RecordTo(&pcap);
  CommandRunner commands;
  if (!commands.Prepare(script, &error)) return Error(script, error);

  RunImpl run(script, config, /*link=*/tun, commands);
  run.RunInitCommand();
  if (!ReportReadyAndWaitForGo(link)) _exit(kExitFail);
  RunSanitizerSelfTest();
  run.Start();
  script.body(run);
  // As packetdrill: the cleanup command first, then the wait for a blocking call.
  run.Finish();
  run.RunCodeBlocks();
  run.End();
  return kExitPass;
}

/// One family's run in a child process, and what the parent collects from it.
struct FamilyChild {
  pid_t pid = -1;
  int output_fd = -1;  ///< Read end of the child's stdout and stderr.
  int status_fd = -1;  ///< Read end of RunLink::status_fd.
  int go_fd = -1;      ///< Write end of RunLink::go_fd; closing it releases the child.
  int netns_fd = -1;   ///< Keeps the child's network namespace until the parent exits.
  bool done = false;   ///< The child reported how the run ended (below), so is not reaped yet.
  bool sanitizer_report = false;  ///< It ended with SanitizerExitStatus().
  int wait_status = 0;
  std::string output;
  std::int64_t start_ns = 0;
  FamilyResult result;
};

/// Forks the child that runs one family; its stdout and stderr go to a pipe the parent reads.
/// The child sets up its namespaces and devices at once, then waits for StartWhenReady().
void StartFamily(const ScriptInfo& script, const FamilyConfig& config,
                 const std::vector<FamilyChild>& siblings, FamilyChild* child) {
  child->result.family = config.name;
  child->start_ns = NowNs();
  int output[2], status[2], go[2];
  if (pipe2(output, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) {
    child->result.verdict = Verdict::kFail;
    child->result.lines.push_back(std::string("cannot create a pipe: ") + std::strerror(errno));
    return;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // If the parent dies, the run must not outlive it (its namespaces then vanish with it).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(kExitFail);
    dup2(output[1], STDOUT_FILENO);
    dup2(output[1], STDERR_FILENO);
    // Each end of each pipe in exactly the processes that use it, or end of file never comes.
    close(output[0]);
    if (output[1] > STDERR_FILENO) close(output[1]);
    close(status[0]);
    close(go[1]);
    for (const FamilyChild& s : siblings) {
      for (int fd : {s.output_fd, s.status_fd, s.go_fd, s.netns_fd}) {
        if (fd >= 0) close(fd);
      }
    }
    RunLink link{status[1], go[0]};
    SetRunLink(link);
    EndRun(RunFamily(script, config, link));
  }
  close(output[1]);
  close(status[1]);
  close(go[0]);
  if (pid < 0) {
    close(output[0]);
    close(status[0]);
    close(go[1]);
    child->result.verdict = Verdict::kFail;
    child->result.lines.push_back(std::string("cannot fork: ") + std::strerror(errno));
    return;
  }
  child->pid = pid;
  child->output_fd = output[0];
  child->status_fd = status[0];
  child->go_fd = go[1];
}

/// Reads the kRunDone report (after its first byte) from the child's status pipe.
void ReadDoneReport(FamilyChild* child) {
  char report[2];
  std::size_t got = 0;
  while (got < sizeof report) {
    ssize_t n = read(child->status_fd, report + got, sizeof report - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0 || errno != EINTR) {
      return;
    }
  }
  int value = static_cast<unsigned char>(report[1]);
  child->wait_status = report[0] == kDoneExited ? (value << 8) : value;  // As waitpid's.
  child->done = true;
}

/// Reads the child's next status message (see RunLink) and returns its kind: kRunReady, or
/// kRunDone with the report read into `child`; 0 at end of file.
char ReadStatus(FamilyChild* child) {
  if (child->status_fd < 0) return 0;
  char kind = 0;
  ssize_t n;
  while ((n = read(child->status_fd, &kind, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1) return 0;
  if (kind == kRunDone) ReadDoneReport(child);
  return kind;
}

/// Waits until the child has set up (or ended), then lets it start the script. Its network
/// namespace is kept until the parent exits (see RunLink).
void StartWhenReady(FamilyChild* child) {
  if (ReadStatus(child) == kRunReady) {
    // The child is PID 1 of a PID namespace under `pid`, which stays in the network namespace.
    std::string path = "/proc/" + std::to_string(child->pid) + "/ns/net";
    child->netns_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);  // Best effort.
    child->start_ns = NowNs();  // The family's time is its run's, not its wait for a sibling.
    if (write(child->go_fd, &kRunGo, 1) != 1) {
      // The child died since; CollectFamilies reports how.
    }
  }
}

/// Reads every child's output until all have closed it, then how each run ended, so that
/// families run at the same time in parallel mode.
void CollectFamilies(std::vector<FamilyChild*> children) {
  std::vector<pollfd> fds;
  std::vector<FamilyChild*> readers;
  for (;;) {
    fds.clear();
    readers.clear();
    for (FamilyChild* c : children) {
      if (c->output_fd < 0) continue;
      fds.push_back({c->output_fd, POLLIN, 0});
      readers.push_back(c);
    }
    if (fds.empty()) break;
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      // Only the ready ones: a read of a pipe with nothing in it would wait for that child
      // while the other's output piles up.
      if (fds[i].revents == 0) continue;
      FamilyChild* c = readers[i];
      char buf[4096];
      ssize_t n = read(c->output_fd, buf, sizeof buf);
      if (n > 0) {
        c->output.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(c->output_fd);
        c->output_fd = -1;
      }
    }
  }
  for (FamilyChild* c : children) {
    if (c->pid < 0) continue;
    if (!c->done) ReadStatus(c);
    int status = c->wait_status;
    if (!c->done) {  // No PID namespace, or the child died: its exit status says how.
      while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
      }
      c->pid = -1;
    }
    FamilyResult& result = c->result;
    result.seconds = static_cast<double>(NowNs() - c->start_ns) / 1e9;
    std::istringstream lines(c->output);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind(kSkipMarker, 0) == 0) {
        result.reason = line.substr(std::strlen(kSkipMarker));
        continue;
      }
      result.lines.push_back(line);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == kExitPass) {
      result.verdict = Verdict::kPass;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == kExitSkip) {
      result.verdict = Verdict::kSkip;
    } else {
      result.verdict = Verdict::kFail;
      if (WIFSIGNALED(status)) {
        result.lines.push_back(std::string("the run was killed by signal ") +
                               strsignal(WTERMSIG(status)));
      }
      if (SanitizedRuntime() && WIFEXITED(status) && WEXITSTATUS(status) == SanitizerExitStatus()) {
        c->sanitizer_report = true;
        result.lines.push_back("the run ended with a sanitizer report (exit status " +
                               std::to_string(SanitizerExitStatus()) + ")");
      }
    }
  }
}

/// Lets every child exit, which tears its namespaces down, and reaps it.
void ReleaseFamilies(std::vector<FamilyChild>& children) {
  for (FamilyChild& c : children) {
    for (int* fd : {&c.status_fd, &c.go_fd, &c.netns_fd}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
  }
  for (FamilyChild& c : children) {
    if (c.pid < 0) continue;
    int status;
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

bool MachineSlow() {
  const char* v = std::getenv("KSFT_MACHINE_SLOW");
  return v && *v;  // ksft_runner.sh: [[ -n "${KSFT_MACHINE_SLOW}" ]]
}

}  // namespace

int Main(int argc, char** argv, const ScriptInfo& script) {
  Options options;
  std::string error;
  const char* argv0 = argc > 0 ? argv[0] : script.name;
  if (!ParseOptions(script, argc, argv, &options, &error)) {
    std::fprintf(stderr, "%s: %s\n", argv0, error.c_str());
    return kExitFail;
  }
  if (options.help) {
    std::fputs(UsageText(script, argv0).c_str(), stdout);
    return kExitPass;
  }
  if (options.version) {
    std::printf("%s: compiled by pktc from %s (runtime ABI %d)\n", argv0, script.path,
                kRuntimeAbiVersion);
    return kExitPass;
  }
  bool slow = MachineSlow();
  if (slow) options.tolerance_usecs = std::max<std::int64_t>(options.tolerance_usecs, 14000);

  std::vector<FamilyConfig> configs;
  for (const std::string& family : options.ip_versions) {
    FamilyConfig config;
    if (!ResolveFamily(options, family, &config, &error)) {
      std::fprintf(stderr, "%s: %s\n", argv0, error.c_str());
      return kExitFail;
    }
    configs.push_back(config);
  }
  if (options.dry_run) return kExitPass;

  PrintKtapHeader(static_cast<int>(configs.size()));
  // Each family has its own namespaces and /tmp, so --parallel may run them at the same time;
  // by default they run one after the other, as ksft_runner.sh does: two runs with the same
  // schedule on one machine make the kernel's jiffy-based timers fire a jiffy late more often
  // (tcp_fastopen_server_fin-close-socket: 2 failures in 3 corpus runs, none serially).
  // The results are printed in order either way. Every family sets up at once, so the second
  // family's set-up is long done when its script starts, and every family keeps its
  // namespaces until all have run (see RunLink).
  // A family's child may die between saying it is ready and being told to go: that write must
  // fail, not kill this process with SIGPIPE before it reports the death.
  signal(SIGPIPE, SIG_IGN);
  std::vector<FamilyChild> children(configs.size());
  for (std::size_t i = 0; i < configs.size(); ++i) {
    StartFamily(script, configs[i], children, &children[i]);
  }
  if (options.parallel) {
    std::vector<FamilyChild*> all;
    for (FamilyChild& c : children) {
      StartWhenReady(&c);
      all.push_back(&c);
    }
    CollectFamilies(all);
  } else {
    for (FamilyChild& c : children) {
      StartWhenReady(&c);
      CollectFamilies({&c});
    }
  }
  ReleaseFamilies(children);
  std::vector<FamilyResult> results;
  for (std::size_t i = 0; i < children.size(); ++i) {
    FamilyResult& r = children[i].result;
    if (slow && r.verdict == Verdict::kFail) r.verdict = Verdict::kXfail;
    PrintKtapResult(static_cast<int>(i + 1), r);
    results.push_back(std::move(r));
  }
  int code = PrintKtapTotals(results);
  // A sanitizer report is not the script's failure: say so in the exit status too.
  for (const FamilyChild& c : children) {
    if (c.sanitizer_report) code = SanitizerExitStatus();
  }
  if (!options.junit_file.empty() && !WriteJunit(options.junit_file, script, results, &error)) {
    std::fprintf(stderr, "%s: %s\n", argv0, error.c_str());
    return kExitFail;
  }
  return code;
}

}  // namespace pktc::rt
