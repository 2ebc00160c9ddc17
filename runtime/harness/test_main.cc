// rt::Main: the entry point of every generated test. Runs each IP family in a child process
// that enters network and mount namespaces of its own, and reports KTAP like ksft_runner.sh.
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <sys/socket.h>
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
#include "harness/child_process.h"
#include "harness/missing_feature.h"
#include "kernel_hz.h"
#include "harness/namespaces.h"
#include "net/netlink.h"
#include "harness/options.h"
#include "harness/wire_main.h"
#include "net/pcap.h"
#include "pktc/run_report.h"
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

/// packetdrill's run_init_scripts(): each comma-separated command with the shell, in order; the
/// first that fails ends the run.
bool RunInitScripts(const ScriptInfo& script, const std::string& scripts,
                    CommandRunner& commands) {
  std::size_t start = 0;
  while (start < scripts.size()) {
    std::size_t comma = scripts.find(',', start);
    std::string command = scripts.substr(start, comma - start);
    std::string error;
    if (!commands.Run(command, &error)) {
      std::fprintf(stderr, "%s: error executing init script '%s': %s\n", script.path,
                   command.c_str(), error.c_str());
      return false;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

/// Whether `address` is assigned to an interface of this network namespace.
bool IsLocalAddress(const IpAddress& address) {
  int fd = socket(address.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_storage ss{};
  socklen_t len = sizeof(sockaddr_in);
  if (address.family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, address.bytes, 4);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, address.bytes, 16);
    len = sizeof(sockaddr_in6);
  }
  bool local = bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
  close(fd);
  return local;
}

/// Everything one family's run does; executes in a child process.
int RunFamily(const ScriptInfo& script, const FamilyConfig& config, const RunLink& link) {
  // packetdrill parses the script for the family it runs before it touches anything.
  int wire_family = config.remote.family == AF_INET6 ? 6 : 4;
  for (std::size_t i = 0; i < script.family_error_count; ++i) {
    const FamilyError& e = script.family_errors[i];
    if (e.family != wire_family) continue;
    std::fprintf(stderr, "%s:%u: semantic error: %s\n", script.path, e.line, e.message);
    return kExitFail;
  }
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
    SendZeros(0);  // Map the zero region now, not during an event.
    TuneForTiming();
  }
  Netlink netlink;
  std::string error;
  if (!netlink.ok()) return Error(script, "cannot open a netlink socket");
  int lo = static_cast<int>(if_nametoindex("lo"));
  if (lo == 0 || !netlink.SetLinkUp(lo, &error)) return Error(script, "lo: " + error);
  CommandRunner commands;
  if (!commands.Prepare(script, &error)) return Error(script, error);
  // packetdrill runs --init_scripts after parsing, before it creates the device.
  if (!RunInitScripts(script, config.init_scripts, commands)) return kExitFail;

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
  if (config.is_anyip && IsLocalAddress(config.local)) {
    return Error(script, "error: live_local_ip " + config.local.ToString() +
                             " is not remote for anyip");
  }
  // With --is_anyip the local address stays off tun0 (the script routes it, e.g. to lo); the
  // route to the peer never has a gateway here, with or without it (see README).
  if ((config.speed && !tun.SetSpeed(*config.speed, &error)) ||
      (config.mtu != 1500 && !netlink.SetMtu(tun.ifindex(), config.mtu, &error)) ||
      !netlink.SetLinkUp(tun.ifindex(), &error) ||
      (!config.is_anyip &&
       (!netlink.AddAddress(tun.ifindex(), config.local, config.local_prefix_len, &error) ||
        !netlink.WaitUntilLocal(config.local, &error))) ||
      !netlink.AddRoute(tun.ifindex(), config.remote, config.remote_prefix_len, &error) ||
      !tun.OpenSniffer(&error)) {
    return Error(script, tun.name() + ": " + error);
  }
  if (pcap.is_open()) tun.RecordTo(&pcap);

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
                 const std::vector<FamilyChild>& siblings, FamilyChild* child,
                 const WireClientSettings* wire = nullptr) {
  child->result.family = config.name;
  child->start_ns = NowNs();
  int output[2], status[2], go[2];
  if (pipe2(output, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) {
    child->result.verdict = Verdict::kFail;
    child->result.lines.push_back(std::string("cannot create a pipe: ") + std::strerror(errno));
    return;
  }
  // If the parent dies, the run must not outlive it (its namespaces then vanish with it).
  pid_t pid = ForkTiedToThisProcess();
  if (pid == 0) {
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
    EndRun(wire ? RunWireClientFamily(script, config, *wire, link)
                : RunFamily(script, config, link));
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

/// Lets one child exit and reaps it.
void ReleaseFamily(FamilyChild& c) {
  for (int* fd : {&c.status_fd, &c.go_fd, &c.netns_fd}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  if (c.pid < 0) return;
  int status;
  while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  c.pid = -1;
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
  if (options.wire_client && !options.wire_server_ip) {
    std::fprintf(stderr,
                 "%s: --wire_client needs --wire_server_ip=ADDRESS (or --wire_server_at), the "
                 "machine running this test with --wire_server\n",
                 argv0);
    return kExitFail;
  }
  if (options.dry_run) return kExitPass;
  if (options.wire_server) return RunWireServer(script, options, argv0);

  PrintKtapHeader(static_cast<int>(configs.size()));
  if (!std::getenv(report::kHzNotedEnv)) {
    if (std::string note = KernelHzNote(KernelHz()); !note.empty()) std::printf("# %s\n", note.c_str());
  }
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
  if (options.wire_client) {
    // One session with the server, and one configuration of the device, at a time.
    for (std::size_t i = 0; i < configs.size(); ++i) {
      WireClientSettings wire;
      wire.server = *options.wire_server_ip;
      wire.port = options.wire_server_port;
      wire.device = options.wire_client_dev.value_or("");
      wire.timeout_secs = options.wire_timeout_secs;
      wire.args = WireClientArgs(script, configs[i], options);
      StartFamily(script, configs[i], children, &children[i], &wire);
      StartWhenReady(&children[i]);
      CollectFamilies({&children[i]});
      ReleaseFamily(children[i]);
    }
  } else {
    for (std::size_t i = 0; i < configs.size(); ++i) {
      StartFamily(script, configs[i], children, &children[i]);
    }
  }
  if (options.wire_client) {
    // Done above.
  } else if (options.parallel) {
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
    if (options.skip_missing_features && r.verdict == Verdict::kFail) {
      if (std::optional<std::string> reason = MissingFeatureReason(r.lines)) {
        r.verdict = Verdict::kSkip;
        r.reason = *reason;
      }
    }
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
