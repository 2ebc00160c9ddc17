// rt::Main: the entry point of every generated test. Runs each IP family in a child process
// that enters network and mount namespaces of its own, and reports KTAP like ksft_runner.sh.
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "clock.h"
#include "commands.h"
#include "junit.h"
#include "netlink.h"
#include "pcap.h"
#include "options.h"
#include "pktc/runtime.h"
#include "report.h"
#include "run.h"
#include "tun_device.h"

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
int RunFamily(const ScriptInfo& script, const FamilyConfig& config) {
  // Opened before the namespaces: the directory may be under the /tmp the run will hide.
  PcapWriter pcap;
  std::string pcap_error;
  if (!config.pcap_dir.empty() &&
      !pcap.Open(config.pcap_dir + "/" + script.name + "." + config.name + ".pcap", &pcap_error)) {
    return Error(script, pcap_error);
  }
  // Like packetdrill: a failed write to a closed socket is an EPIPE to check, not a death;
  // real-time scheduling and locked memory keep the event timing tight on a busy machine.
  signal(SIGPIPE, SIG_IGN);
  if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
    sched_param param{};
    param.sched_priority = sched_get_priority_min(SCHED_RR);
    sched_setscheduler(0, SCHED_RR, &param);  // Best effort.
  }
  SendZeros(0);  // Map the zero region now, not during an event.
  // MCL_ONFAULT: lock pages as they are touched rather than populating every mapping (the
  // 64 MB zero region, thread stacks) up front, which cost memory and milliseconds.
  mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);  // Best effort.
  if (unshare(CLONE_NEWNET) != 0) {
    return Skip(std::string("cannot create a network namespace (") + std::strerror(errno) +
                "); run as root or with CAP_SYS_ADMIN and CAP_NET_ADMIN");
  }
  // A private /tmp, so concurrent runs do not see each other's files. Not essential: carry on
  // without it where mount namespaces are not allowed.
  if (unshare(CLONE_NEWNS) == 0 &&
      mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
      mount("pktc-tmp", "/tmp", "tmpfs", 0, "mode=1777") == 0) {
    // Whatever TMPDIR named under the old /tmp is hidden now.
    setenv("TMPDIR", "/tmp", 1);
  }
  Netlink netlink;
  std::string error;
  if (!netlink.ok()) return Error(script, "cannot open a netlink socket");
  int lo = static_cast<int>(if_nametoindex("lo"));
  if (lo == 0 || !netlink.SetLinkUp(lo, &error)) return Error(script, "lo: " + error);

  TunDevice tun;
  switch (tun.Open(&error)) {
    case TunDevice::OpenResult::kOk: break;
    case TunDevice::OpenResult::kNoDevice: return Skip(error + " (is the tun module loaded?)");
    case TunDevice::OpenResult::kNoPermission: return Skip(error);
    case TunDevice::OpenResult::kError: return Error(script, error);
  }
  if ((config.mtu != 1500 && !netlink.SetMtu(tun.ifindex(), config.mtu, &error)) ||
      !netlink.SetLinkUp(tun.ifindex(), &error) ||
      !netlink.AddAddress(tun.ifindex(), config.local, config.local_prefix_len, &error) ||
      !netlink.AddRoute(tun.ifindex(), config.remote, config.remote_prefix_len, &error) ||
      !tun.OpenSniffer(&error)) {
    return Error(script, tun.name() + ": " + error);
  }
  if (pcap.is_open()) tun.RecordTo(&pcap);
  CommandRunner commands;
  if (!commands.Prepare(script, &error)) return Error(script, error);

  RunImpl run(script, config, tun, commands);
  run.Start();
  script.body(run);
  // As packetdrill: the cleanup command first, then the wait for a blocking call.
  run.Finish();
  run.RunCodeBlocks();
  run.End();
  return kExitPass;
}

FamilyResult RunFamilyInChild(const ScriptInfo& script, const FamilyConfig& config) {
  FamilyResult result;
  result.family = config.name;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    result.verdict = Verdict::kFail;
    result.lines.push_back(std::string("cannot create a pipe: ") + std::strerror(errno));
    return result;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // If the runner dies, the run must not outlive it (its namespaces then vanish with it).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(kExitFail);
    close(pipe_fds[0]);
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[1]);
    int code = RunFamily(script, config);
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(code);
  }
  close(pipe_fds[1]);
  std::string output;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    output.append(buf, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  if (pid < 0) {
    result.verdict = Verdict::kFail;
    result.lines.push_back(std::string("cannot fork: ") + std::strerror(errno));
    return result;
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::istringstream lines(output);
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
  }
  return result;
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
  std::vector<FamilyResult> results;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    std::int64_t start = NowNs();
    FamilyResult r = RunFamilyInChild(script, configs[i]);
    r.seconds = static_cast<double>(NowNs() - start) / 1e9;
    if (slow && r.verdict == Verdict::kFail) r.verdict = Verdict::kXfail;
    PrintKtapResult(static_cast<int>(i + 1), r);
    results.push_back(std::move(r));
  }
  int code = PrintKtapTotals(results);
  if (!options.junit_file.empty() && !WriteJunit(options.junit_file, script, results, &error)) {
    std::fprintf(stderr, "%s: %s\n", argv0, error.c_str());
    return kExitFail;
  }
  return code;
}

}  // namespace pktc::rt
