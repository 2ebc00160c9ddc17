// Wire mode's entry points (docs: README, "Wire mode"): a family's run as a wire client, and the
// wire server's loop of sessions, each a run of the compiled script's packets for one client.
#include "harness/wire_main.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "base/clock.h"
#include "commands/command_runner.h"
#include "exec/run.h"
#include "harness/child_process.h"
#include "harness/namespaces.h"
#include "net/pcap.h"
#include "net/wire_link.h"
#include "wire/wire_client.h"
#include "wire/wire_devices.h"
#include "wire/wire_protocol.h"
#include "wire/wire_server.h"

namespace pktc::rt {

namespace {

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;

int Error(const ScriptInfo& script, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", script.path, message.c_str());
  return kExitFail;
}

/// The -D values the kernel's kselftest runner passes per family (compiler/sema/sema.cc
/// compiles them into the script): a packetdrill server needs them to parse the script.
struct RunnerDefine {
  const char* name;
  const char* ipv4;
  const char* ipv6;
};
constexpr RunnerDefine kRunnerDefines[] = {
    {"CMSG_LEVEL_IP", "SOL_IP", "SOL_IPV6"},
    {"CMSG_TYPE_RECVERR", "IP_RECVERR", "IPV6_RECVERR"},
    {"TFO_COOKIE", "3021b9d889017eeb", "c1d1e9742a47a9bc"},
    {"TFO_COOKIE_ZERO", "b7c12350a90dc8f5", "82af1a8f9a205c34"},
};

/// An address, or a host name's first address.
bool ResolveHost(const std::string& host, IpAddress* out, std::string* error) {
  if (IpAddress::Parse(host, out)) return true;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0 || !list) {
    *error = "bad --wire_server_ip: " + host + " (" + gai_strerror(rc) + ")";
    return false;
  }
  char text[INET6_ADDRSTRLEN] = "";
  if (list->ai_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(list->ai_addr)->sin_addr, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(list->ai_addr)->sin6_addr, text,
              sizeof text);
  }
  freeaddrinfo(list);
  return IpAddress::Parse(text, out);
}

std::string Ipv4Netmask(int prefix_len) {
  std::uint32_t mask = prefix_len == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_len);
  in_addr a{htonl(mask)};
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, text, sizeof text);
  return text;
}

/// Calls `Restore()` of `T` from EndRun() while in scope, so that a run that fails (and exits
/// from deep inside an event) undoes its device changes too.
template <typename T>
class RestoreAtRunEnd {
 public:
  explicit RestoreAtRunEnd(T* target) { AtRunEnd(&Call, target); }
  ~RestoreAtRunEnd() { AtRunEnd(nullptr, nullptr); }
  RestoreAtRunEnd(const RestoreAtRunEnd&) = delete;
  RestoreAtRunEnd& operator=(const RestoreAtRunEnd&) = delete;

 private:
  static void Call(void* target) { static_cast<T*>(target)->Restore(); }
};

/// A wire client's packet link: it has none, the server sends and receives.
class NoLink final : public PacketLink {
 public:
  bool Inject(const std::vector<std::uint8_t>&, int, std::string* error) override {
    *error = "a wire client sends no packets";
    return false;
  }
  bool NextOutbound(std::int64_t, std::vector<std::uint8_t>*, std::int64_t*,
                    std::string* error) override {
    *error = "a wire client sniffs no packets";
    return false;
  }
};

void PrintTimeZero(const FamilyConfig& config, const char* side, std::int64_t live_start_ns) {
  if (!config.timing_report) return;
  std::printf("timing: %s script time 0 at CLOCK_MONOTONIC %" PRId64 " ns\n", side, live_start_ns);
}

}  // namespace

std::vector<std::string> WireClientArgs(const ScriptInfo& script, const FamilyConfig& config,
                                        const Options& options) {
  bool v6 = config.local.family == AF_INET6;
  std::string remote = config.remote.ToString();
  if (config.remote_prefix_len != (v6 ? 128 : 32)) {
    remote += "/" + std::to_string(config.remote_prefix_len);
  }
  char percent[32];
  std::snprintf(percent, sizeof percent, "%g", config.tolerance_percent);
  std::vector<std::string> args = {
      "packetdrill",
      "--ip_version=" + config.name,
      "--local_ip=" + config.local.ToString(),
      "--remote_ip=" + remote,
      "--gateway_ip=" + config.gateway.ToString(),
  };
  if (!v6) args.push_back("--netmask_ip=" + Ipv4Netmask(config.local_prefix_len));
  args.push_back("--bind_port=" + std::to_string(config.bind_port));
  args.push_back("--connect_port=" + std::to_string(config.connect_port));
  args.push_back("--mtu=" + std::to_string(config.mtu));
  args.push_back("--tolerance_usecs=" + std::to_string(config.tolerance_usecs));
  args.push_back(std::string("--tolerance_percent=") + percent);
  if (config.tcp_ts_tick_usecs) {
    args.push_back("--tcp_ts_tick_usecs=" + std::to_string(config.tcp_ts_tick_usecs));
  }
  if (config.mss) args.push_back("--mss=" + std::to_string(config.mss));
  for (const RunnerDefine& d : kRunnerDefines) {
    if (!config.defines.count(d.name)) {
      args.push_back(std::string("--define=") + d.name + "=" + (v6 ? d.ipv6 : d.ipv4));
    }
  }
  for (const auto& [name, value] : config.defines) args.push_back("--define=" + name + "=" + value);
  if (options.wire_server_ip) args.push_back("--wire_server_ip=" + *options.wire_server_ip);
  args.push_back(script.path);
  return args;
}

// ---------------------------------------------------------------------------------------------
// The client

int RunWireClientFamily(const ScriptInfo& script, const FamilyConfig& config,
                        const WireClientSettings& wire, const RunLink& link) {
  signal(SIGPIPE, SIG_IGN);
  std::string error;
  if (EnterNamespacesKeepingNetwork(link, &error) == Isolation::kUnavailable) {
    return Error(script, error);
  }
  SendZeros(0);
  TuneForTiming();
  IpAddress server;
  if (!ResolveHost(wire.server, &server, &error)) return Error(script, error);
  std::string device = wire.device;
  if (device.empty() && !GuessClientDevice(server, &device, &error)) return Error(script, error);
  WireClientDevice dev;
  RestoreAtRunEnd<WireClientDevice> restore(&dev);
  if (!dev.Set(device, config, &error)) return Error(script, error);

  WireClient client(script, wire.timeout_secs);
  WireHello hello{wire.args, dev.mac(), config.local, config.remote};
  if (!client.Connect(server, wire.port, hello, &error) || !client.WaitForServerReady(&error)) {
    return Error(script, error);
  }
  CommandRunner commands;
  if (!commands.Prepare(script, &error)) return Error(script, error);
  NoLink no_link;
  RunImpl run(script, config, no_link, commands);
  run.SetPeer(&client);
  run.RunInitCommand();
  if (!ReportReadyAndWaitForGo(link)) _exit(kExitFail);
  run.Start();
  PrintTimeZero(config, "client", run.live_start_ns());
  if (!client.Starting(run.live_start_ns(), &error)) {
    run.FailWithReport(std::string(script.path) + ": " + error);
  }
  script.body(run);
  run.FinishWithPeer();
  // As packetdrill: the cleanup command first, then the wait for a blocking call.
  run.Finish();
  run.RunCodeBlocks();
  run.End();
  return kExitPass;
}

// ---------------------------------------------------------------------------------------------
// The server

namespace {

/// The server's devices for one session, restored together.
struct ServerDevices {
  WireServerDevice device;
  WireLink link;
  void Restore() {
    link.Close();
    device.Restore();
  }
};

/// The client's command line as the server applies it: its options, without its program
/// name and script path (the script is this binary's).
std::vector<std::string> OptionArgs(const std::vector<std::string>& args) {
  std::vector<std::string> out = {"client"};
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.empty() || a[0] != '-') continue;  // The script's path.
    out.push_back(a);
    bool separate_value = a == "-D";
    if (a.rfind("--", 0) == 0 && a.find('=') == std::string::npos) {
      const OptionSpec* spec = FindOption(a.substr(2));
      separate_value = spec && spec->TakesValue();
    }
    if (separate_value && i + 1 < args.size()) out.push_back(args[++i]);
  }
  return out;
}

/// One session, in its own process: returns its exit code.
int RunWireSession(const ScriptInfo& script, const Options& server_options,
                   WireConnection& connection, const std::string& peer_name) {
  auto fail = [&](const std::string& message) {
    std::fprintf(stderr, "%s: wire session with %s: %s\n", script.path, peer_name.c_str(),
                 message.c_str());
    return kExitFail;
  };
  auto refuse = [&](const std::string& message) {
    RefuseClient(connection, message);
    return fail(message);
  };
  int timeout = server_options.wire_timeout_secs;
  connection.Tune(timeout);
  WireClientHello hello;
  std::string error;
  if (!ReceiveClientHello(connection, NowNs() + timeout * 1'000'000'000LL, &hello, &error)) {
    return fail(error);
  }
  std::string mismatch = CompareWithCompiledScript(script, hello);
  if (!mismatch.empty()) return refuse(mismatch);

  // The run's settings are the client's, as a packetdrill server's are.
  std::vector<std::string> args = OptionArgs(hello.args);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  Options options;
  if (!ParseOptions(script, static_cast<int>(argv.size()), argv.data(), &options, &error)) {
    return refuse("the client's command line: " + error);
  }
  IpAddress local, remote;
  if (!IpAddress::Parse(hello.local_ip, &local) || !IpAddress::Parse(hello.remote_ip, &remote)) {
    return refuse("bad live addresses from the client: " + hello.local_ip + ", " + hello.remote_ip);
  }
  std::string family = options.ip_versions.front();
  if (!options.ip_version_given) family = local.family == AF_INET6 ? "ipv6" : "ipv4";
  FamilyConfig config;
  if (!ResolveFamily(options, family, &config, &error)) return refuse(error);
  if (local.family != config.local.family || remote.family != config.remote.family) {
    return refuse("the client's live addresses " + hello.local_ip + " and " + hello.remote_ip +
                  " are not " + family + " addresses");
  }
  config.local = local;
  config.remote = remote;
  config.verbose = server_options.verbose;
  config.pcap_dir = server_options.pcap_dir;
  config.timing_report = server_options.timing_report;

  std::string device_name = server_options.wire_server_dev.value_or("");
  if (device_name.empty()) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    getsockname(connection.fd(), reinterpret_cast<sockaddr*>(&addr), &len);
    char text[INET6_ADDRSTRLEN] = "";
    inet_ntop(addr.ss_family,
              addr.ss_family == AF_INET6
                  ? static_cast<void*>(&reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr)
                  : &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr,
              text, sizeof text);
    std::string here = text;
    if (here.rfind("::ffff:", 0) == 0) here = here.substr(7);
    IpAddress address;
    if (!IpAddress::Parse(here, &address) || !GuessServerDevice(address, &device_name, &error)) {
      return refuse("wire server: " + error);
    }
  }
  ServerDevices devices;
  RestoreAtRunEnd<ServerDevices> restore(&devices);
  // packetdrill's server adds the gateway when it is not one of its addresses; a client that
  // names none routes through the server's own address.
  if (!devices.device.Set(device_name, config, config.gateway_given, &error) ||
      !devices.link.Open(device_name, &error)) {
    return refuse("wire server: " + error);
  }
  MacAddress destination = devices.device.Destination(config, hello.mac);
  devices.link.SetDestination(destination);
  devices.link.SetPathMtu(config.mtu);
  PcapWriter pcap;
  if (!config.pcap_dir.empty()) {
    if (!pcap.Open(config.pcap_dir + "/" + script.name + "." + config.name + ".wire.pcap",
                   &error)) {
      return refuse("wire server: " + error);
    }
    devices.link.RecordTo(&pcap);
  }
  std::printf(
      "# wire session with %s: %s run of %s, local %s remote %s gateway %s, "
      "frames to %s on %s\n",
      peer_name.c_str(), config.name.c_str(), hello.script_path.c_str(),
      config.local.ToString().c_str(), config.remote.ToString().c_str(),
      config.gateway.ToString().c_str(), destination.ToString().c_str(), device_name.c_str());
  std::fflush(stdout);

  CommandRunner commands;  // Unused: the client runs the commands.
  RunImpl run(script, config, devices.link, commands);
  WireServerPeer peer(connection, timeout);
  run.SetPeer(&peer);
  TuneForTiming();
  std::int64_t start_ns = 0;
  if (!peer.ReadyAndWaitForStart(&start_ns, &error)) return fail(error);
  run.StartAt(start_ns);
  PrintTimeZero(config, "server", start_ns);
  script.body(run);
  run.FinishWithPeer();
  bool ended = peer.WaitForClientEnd(&error);
  run.ResetConnection();
  run.Finish();
  if (!ended) return fail(error);
  return kExitPass;
}

}  // namespace

int RunWireServer(const ScriptInfo& script, const Options& options, const char* argv0) {
  signal(SIGPIPE, SIG_IGN);
  WireListener listener;
  std::string error;
  if (!listener.Listen(options.wire_server_port, &error)) {
    std::fprintf(stderr, "%s: %s\n", argv0, error.c_str());
    return kExitFail;
  }
  std::printf("# %s: wire server for %s on port %d\n", argv0, script.path, listener.port());
  std::fflush(stdout);
  int sessions = 0, failed = 0;
  while (options.wire_sessions == 0 || sessions < options.wire_sessions) {
    WireConnection connection;
    std::string peer;
    if (!listener.Accept(-1, &connection, &peer, &error)) {
      std::fprintf(stderr, "%s: %s\n", argv0, error.c_str());
      return kExitFail;
    }
    ++sessions;
    pid_t pid = ForkTiedToThisProcess();
    if (pid == 0) {
      EndRun(RunWireSession(script, options, connection, peer));
    }
    connection.Close();
    int status = 0;
    if (pid < 0) {
      std::fprintf(stderr, "%s: cannot fork: %s\n", argv0, std::strerror(errno));
    } else {
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    bool ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == kExitPass;
    if (!ok) ++failed;
    std::printf("%s %d session with %s\n", ok ? "ok" : "not ok", sessions, peer.c_str());
    std::fflush(stdout);
  }
  return failed ? kExitFail : kExitPass;
}

}  // namespace pktc::rt
