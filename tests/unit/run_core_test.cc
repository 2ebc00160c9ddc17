// The run core (RunImpl) driven through an in-memory packet link, without root: what it
// injects for scripted inbound packets, how it matches and remaps the kernel's outbound ones,
// the time windows of outbound packets and system-call returns, and the failure report.
//
// A failed run ends the process through EndRun(1), as in a real test binary, so failures are
// checked with death tests: they observe exactly what a user sees (the report on stderr, exit
// code 1) with no test-only branch in the runtime. The threadsafe style re-executes the test
// binary for each one, since the run owns a thread (the blocking-call thread).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "commands/command_runner.h"
#include "exec/run.h"
#include "memory_link.h"

namespace pktc::rt {
namespace {

const ScriptInfo kScript{"unit.pkt", "unit", nullptr, 0, nullptr, 0, nullptr, nullptr, nullptr,
                         nullptr, 0};
constexpr std::uint32_t kKernelIsn = 0x12345678;
constexpr std::uint16_t kBindPort = 8080;
/// Wide enough that scheduling noise on a shared machine never reaches it; late packets in
/// these tests are 10 times later.
constexpr std::int64_t kToleranceUs = 50000;
constexpr std::int64_t kLateUs = 500000;

IpAddress Address(const char* text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::Parse(text, &a));
  return a;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out.flush());
}

/// Moves this process into a network namespace of its own (inside a user namespace when not
/// root) where group 0, ours there, may open ping sockets: outbound ICMP lines match only an ICMP
/// socket, and ping_group_range allows none by default. Call only in a death test's child.
bool EnterPingNamespace() {
  if (unshare(CLONE_NEWNET) != 0) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0 ||
        !WriteFile("/proc/self/setgroups", "deny") ||
        !WriteFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
        !WriteFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
      return false;
    }
  }
  if (!WriteFile("/proc/sys/net/ipv4/ping_group_range", "0 0")) return false;
  int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  if (fd < 0) return false;
  close(fd);
  return true;
}

/// Whether EnterPingNamespace() works here, probed in a child so this process stays put.
bool PingNamespaceAvailable() {
  pid_t pid = fork();
  if (pid == 0) _exit(EnterPingNamespace() ? 0 : 1);
  int status = 0;
  return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

FamilyConfig Ipv4Config() {
  FamilyConfig c;
  c.name = "ipv4";
  c.socket_family = AF_INET;
  // The run binds a throw-away socket to the local address to pick the peer's port.
  c.local = Address("127.0.0.1");
  c.remote = Address("192.0.2.1");
  c.bind_port = c.connect_port = kBindPort;
  c.tolerance_usecs = kToleranceUs;
  return c;
}

DecodedPacket Decode(const std::vector<std::uint8_t>& bytes) {
  DecodedPacket p;
  std::string error;
  EXPECT_TRUE(DecodePacket(bytes.data(), bytes.size(), &p, &error)) << error;
  return p;
}

/// A scripted TCP segment, as generated code spells one with designated initializers.
TcpSegment Segment(std::uint16_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t len = 0,
                   std::optional<std::uint16_t> win = std::nullopt) {
  TcpSegment seg;
  seg.flags = flags;
  seg.seq = seq;
  seg.ack = ack;
  seg.len = len;
  seg.win = win;
  return seg;
}

UdpDatagram Datagram(std::uint16_t len, std::uint16_t src_port = 0, std::uint16_t dst_port = 0) {
  UdpDatagram udp;
  udp.len = len;
  udp.src_port = src_port;
  udp.dst_port = dst_port;
  return udp;
}

class RunCore : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }

  /// A run at script time 0, its first event due now.
  RunImpl& Start() {
    run_ = std::make_unique<RunImpl>(kScript, config_, link_, commands_);
    run_->Start();
    return *run_;
  }

  /// `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3`, `+0 listen(3, 1) = 0` (the kernel binds
  /// the listener to a port of its own: the script's 8080 never reaches the kernel), then
  /// `+0 < S 1000:1000(0) win 65535`. Returns the peer port the run chose.
  std::uint16_t ListenAndReceiveSyn(RunImpl& run) {
    run.Syscall({1, At(0)}, SyscallId::kSocket, {Dots(), Int(SOCK_STREAM), Int(IPPROTO_TCP)}, {.result = 3});
    run.Syscall({2, Plus(0)}, SyscallId::kListen, {Int(3), Int(1)}, {.result = 0});
    run.Inbound({3, Plus(0)}, Segment(kSyn, 1000, 0, 0, 65535));
    EXPECT_EQ(link_.injected().size(), 1u);
    return Decode(link_.injected().back().bytes).tcp.src_port;
  }

  /// The kernel's segment from the listener to the peer, in live numbers.
  std::vector<std::uint8_t> KernelSegment(std::uint16_t peer_port, std::uint16_t flags,
                                          std::uint32_t seq, std::uint32_t ack,
                                          std::size_t len = 0) const {
    TcpHeader h;
    h.src_port = kBindPort;
    h.dst_port = peer_port;
    h.seq = seq;
    h.ack = ack;
    h.flags = flags;
    h.win = 65535;
    return EncodeTcpPacket(config_.local, config_.remote, IpFields{}, h, len, "");
  }

  /// `0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3`: the socket under test of a UDP script.
  void UdpSocket(RunImpl& run) {
    run.Syscall({1, At(0)}, SyscallId::kSocket, {Dots(), Int(SOCK_DGRAM), Int(IPPROTO_UDP)}, {.result = 3});
  }

  std::vector<std::uint8_t> KernelDatagram(std::size_t len) const {
    return EncodeUdpPacket(config_.local, config_.remote, IpFields{}, 40000, 5000, len);
  }

  /// The kernel's port unreachable for a datagram the peer sent.
  std::vector<std::uint8_t> KernelPortUnreachable() const {
    std::vector<std::uint8_t> echoed =
        EncodeUdpPacket(config_.remote, config_.local, IpFields{}, 5000, 40000, 0);
    return EncodeIcmpPacket(config_.local, config_.remote, IpFields{}, /*type=*/3, /*code=*/3, 0,
                            echoed);
  }

  static IcmpMessage PortUnreachable() {
    IcmpMessage m;
    m.type_v4 = 3;
    m.code_v4 = 3;
    m.has_v4 = true;
    m.echoed = IcmpMessage::Echoed::kUdp;
    return m;
  }

  /// `0 socket(..., SOCK_DGRAM, IPPROTO_ICMP) = 3`: a ping socket, the only kind of socket
  /// outbound ICMP lines match. After EnterPingNamespace(), which must precede Start() (a
  /// process with threads cannot enter a user namespace).
  void IcmpSocket(RunImpl& run) {
    run.Syscall({1, At(0)}, SyscallId::kSocket, {Dots(), Int(SOCK_DGRAM), Int(IPPROTO_ICMP)},
                {.result = 3});
  }

  /// An echo request the kernel sent for the ping socket.
  std::vector<std::uint8_t> KernelEchoRequest() const {
    return EncodeIcmpPacket(config_.local, config_.remote, IpFields{}, /*type=*/8, /*code=*/0, 0,
                            {});
  }

  static IcmpMessage EchoRequest() {
    IcmpMessage m;
    m.type_v4 = 8;
    m.has_v4 = true;
    m.echoed = IcmpMessage::Echoed::kRaw;
    return m;
  }

  FamilyConfig config_ = Ipv4Config();
  MemoryLink link_;
  CommandRunner commands_;
  std::unique_ptr<RunImpl> run_;
};

// ---------------------------------------------------------------------------------------------
// Inbound injection

TEST_F(RunCore, InboundSynCarriesScriptIsnAndConnectionPorts) {
  RunImpl& run = Start();
  std::uint16_t peer_port = ListenAndReceiveSyn(run);
  DecodedPacket syn = Decode(link_.injected()[0].bytes);
  EXPECT_EQ(syn.protocol, IPPROTO_TCP);
  EXPECT_TRUE(syn.src == config_.remote);
  EXPECT_TRUE(syn.dst == config_.local);
  EXPECT_EQ(syn.tcp.flags, kSyn);
  EXPECT_EQ(syn.tcp.seq, 1000u);  // The peer's live ISN is the script's.
  EXPECT_EQ(syn.tcp.dst_port, kBindPort);
  EXPECT_NE(peer_port, 0);
  EXPECT_EQ(syn.tcp.win, 65535);
  EXPECT_EQ(link_.injected()[0].gso_size, 0);
  run.End();
}

TEST_F(RunCore, InboundAckIsRemappedToTheKernelIsn) {
  RunImpl& run = Start();
  std::uint16_t peer_port = ListenAndReceiveSyn(run);
  link_.QueueOutbound(KernelSegment(peer_port, kSyn | kAck, kKernelIsn, 1001));
  run.Outbound({4, Plus(0)}, Segment(kSyn | kAck, 0, 1001));
  run.Inbound({5, Plus(0)}, Segment(kAck, 1, 1, 0, 514));
  ASSERT_EQ(link_.injected().size(), 2u);
  DecodedPacket ack = Decode(link_.injected()[1].bytes);
  EXPECT_EQ(ack.tcp.seq, 1001u);           // Script 1 past the peer's ISN 1000.
  EXPECT_EQ(ack.tcp.ack, kKernelIsn + 1);  // Script 1 past the kernel's ISN.
  EXPECT_EQ(ack.tcp.src_port, peer_port);
  EXPECT_EQ(ack.tcp.dst_port, kBindPort);
  run.End();
}

TEST_F(RunCore, InboundUdpCarriesScriptedPortsAndLength) {
  RunImpl& run = Start();
  UdpSocket(run);
  run.Inbound({2, Plus(0)}, Datagram(100, 5000, 6000));
  ASSERT_EQ(link_.injected().size(), 1u);
  DecodedPacket udp = Decode(link_.injected()[0].bytes);
  EXPECT_EQ(udp.protocol, IPPROTO_UDP);
  EXPECT_TRUE(udp.src == config_.remote);
  EXPECT_EQ(udp.udp_src_port, 5000);
  EXPECT_EQ(udp.udp_dst_port, 6000);
  EXPECT_EQ(udp.payload_len, 100u);
  run.End();
}

// ---------------------------------------------------------------------------------------------
// Outbound matching

TEST_F(RunCore, OutboundSegmentsMatchInScriptSequenceSpace) {
  RunImpl& run = Start();
  std::uint16_t peer_port = ListenAndReceiveSyn(run);
  // Script `> S. 0:0(0) ack 1001`: the kernel's ISN becomes script 0.
  link_.QueueOutbound(KernelSegment(peer_port, kSyn | kAck, kKernelIsn, 1001));
  run.Outbound({4, Plus(0)}, Segment(kSyn | kAck, 0, 1001));
  // Script `> P. 1:101(100) ack 1`: live seq ISN+1 and ack 1001 are script 1 and 1.
  link_.QueueOutbound(KernelSegment(peer_port, kPsh | kAck, kKernelIsn + 1, 1001, 100));
  run.Outbound({5, Plus(0)}, Segment(kPsh | kAck, 1, 1, 100));
  run.End();
}

TEST_F(RunCore, OutboundSegmentMismatchReportsLineExpectedAndActual) {
  EXPECT_EXIT(
      {
        RunImpl& run = Start();
        std::uint16_t peer_port = ListenAndReceiveSyn(run);
        link_.QueueOutbound(KernelSegment(peer_port, kSyn | kAck, kKernelIsn, 1005));
        run.Outbound({4, Plus(0)}, Segment(kSyn | kAck, 0, 1001));
      },
      ::testing::ExitedWithCode(1),
      "^unit\\.pkt:4: error handling packet: live packet field tcp_ack: expected: 1001 "
      "\\(0x3e9\\) vs actual: 1005 \\(0x3ed\\)\n"
      "script packet:  0\\.0[0-9]+ S\\. 0:0\\(0\\) ack 1001\n"
      "actual packet:  0\\.0[0-9]+ S\\. 0:0\\(0\\) ack 1005 win 65535\n"
      "event time: scheduled 0\\.0[0-9]+ sec, failed at 0\\.0[0-9]+ sec\n"
      "last packets \\(live sequence numbers\\):\n"
      "  0\\.0[0-9]+ < S 1000:1000\\(0\\) win 65535\n"
      "  0\\.0[0-9]+ > S\\. 305419896:305419896\\(0\\) ack 1005 win 65535\n$");
}

TEST_F(RunCore, OutboundTimeoutReportsTheScriptPacket) {
  EXPECT_EXIT(
      {
        RunImpl& run = Start();
        ListenAndReceiveSyn(run);
        run.Outbound({4, Plus(0)}, Segment(kSyn | kAck, 0, 1001));
      },
      ::testing::ExitedWithCode(1),
      "^unit\\.pkt:4: error handling packet: Timed out waiting for packet\n"
      "script packet:  0\\.0[0-9]+ S\\. 0:0\\(0\\) ack 1001\n");
}

TEST_F(RunCore, OutboundUdpLearnsThePortOfAnUnboundSocket) {
  RunImpl& run = Start();
  UdpSocket(run);
  link_.QueueOutbound(KernelDatagram(10));
  link_.QueueOutbound(EncodeUdpPacket(config_.local, config_.remote, IpFields{}, 40001, 5000, 20));
  link_.QueueOutbound(KernelDatagram(20));
  run.Outbound({2, Plus(0)}, Datagram(10));
  // The datagram from another port is not the socket's: the next one from 40000 is.
  run.Outbound({3, Plus(0)}, Datagram(20));
  run.End();
}

// ---------------------------------------------------------------------------------------------
// Time windows: the same rule for every outbound packet and for system-call returns

TEST_F(RunCore, OutboundTcpWithinToleranceIsOnTime) {
  RunImpl& run = Start();
  std::uint16_t peer_port = ListenAndReceiveSyn(run);
  link_.QueueOutbound(KernelSegment(peer_port, kSyn | kAck, kKernelIsn, 1001),
                      /*delay_us=*/kToleranceUs / 2);
  run.Outbound({4, Plus(0)}, Segment(kSyn | kAck, 0, 1001));
  run.End();
}

TEST_F(RunCore, OutboundTcpOutsideToleranceIsATimingError) {
  EXPECT_EXIT(
      {
        RunImpl& run = Start();
        std::uint16_t peer_port = ListenAndReceiveSyn(run);
        link_.QueueOutbound(KernelSegment(peer_port, kSyn | kAck, kKernelIsn, 1001), kLateUs);
        run.Outbound({4, Plus(0)}, Segment(kSyn | kAck, 0, 1001));
      },
      ::testing::ExitedWithCode(1),
      "^unit\\.pkt:4: error handling packet: timing error: expected outbound packet at 0\\.0[0-9]+ sec but happened "
      "at 0\\.5[0-9]+ sec; tolerance 0\\.050000 sec\n"
      "script packet:  0\\.0[0-9]+ S\\. 0:0\\(0\\) ack 1001\n"
      "actual packet:  0\\.5[0-9]+ S\\. 0:0\\(0\\) ack 1001 win 65535\n");
}

TEST_F(RunCore, OutboundTcpRangeIsCheckedFromItsStartToItsEnd) {
  RunImpl& run = Start();
  std::uint16_t peer_port = ListenAndReceiveSyn(run);
  link_.QueueOutbound(KernelSegment(peer_port, kSyn | kAck, kKernelIsn, 1001), kLateUs);
  run.Outbound({4, PlusBetween(0, kLateUs)}, Segment(kSyn | kAck, 0, 1001));
  run.End();
}

TEST_F(RunCore, OutboundUdpWithinToleranceIsOnTime) {
  RunImpl& run = Start();
  UdpSocket(run);
  link_.QueueOutbound(KernelDatagram(10), /*delay_us=*/kToleranceUs / 2);
  run.Outbound({2, Plus(0)}, Datagram(10));
  run.End();
}

TEST_F(RunCore, OutboundUdpOutsideToleranceIsATimingError) {
  EXPECT_EXIT(
      {
        RunImpl& run = Start();
        UdpSocket(run);
        link_.QueueOutbound(KernelDatagram(10), kLateUs);
        run.Outbound({2, Plus(0)}, Datagram(10));
      },
      ::testing::ExitedWithCode(1),
      "^unit\\.pkt:2: error handling packet: timing error: expected outbound packet at 0\\.0[0-9]+ sec but happened "
      "at 0\\.5[0-9]+ sec; tolerance 0\\.050000 sec\n");
}

TEST_F(RunCore, OutboundIcmpWithinToleranceIsOnTime) {
  if (!PingNamespaceAvailable()) GTEST_SKIP() << "no network namespace for a ping socket";
  EXPECT_EXIT(
      {
        if (!EnterPingNamespace()) std::_Exit(2);
        RunImpl& run = Start();
        IcmpSocket(run);
        link_.QueueOutbound(KernelEchoRequest(), /*delay_us=*/kToleranceUs / 2);
        run.Outbound({2, Plus(0)}, EchoRequest());
        run.End();
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

// Regression: an outbound ICMP message was matched on type and code only, never checked
// against its time window as TCP and UDP packets (and packetdrill's) are.
TEST_F(RunCore, OutboundIcmpOutsideToleranceIsATimingError) {
  if (!PingNamespaceAvailable()) GTEST_SKIP() << "no network namespace for a ping socket";
  EXPECT_EXIT(
      {
        if (!EnterPingNamespace()) std::_Exit(2);
        RunImpl& run = Start();
        IcmpSocket(run);
        link_.QueueOutbound(KernelEchoRequest(), kLateUs);
        run.Outbound({2, Plus(0)}, EchoRequest());
      },
      ::testing::ExitedWithCode(1),
      "^unit\\.pkt:2: error handling packet: timing error: expected outbound packet at 0\\.0[0-9]+ sec but happened "
      "at 0\\.5[0-9]+ sec; tolerance 0\\.050000 sec\n");
}

// Regression: the kernel's ICMP error about a UDP socket's traffic matched an outbound ICMP
// line; packetdrill matches live ICMP only to an ICMP socket, so the line times out.
TEST_F(RunCore, OutboundIcmpIsNotTheUdpSocketsKernelError) {
  EXPECT_EXIT(
      {
        RunImpl& run = Start();
        UdpSocket(run);
        link_.QueueOutbound(KernelPortUnreachable(), /*delay_us=*/0);
        run.Outbound({2, Plus(0)}, PortUnreachable());
      },
      ::testing::ExitedWithCode(1), "^unit\\.pkt:2: error handling packet: Timed out waiting for packet\n");
}

TEST_F(RunCore, OutboundAnyTimeIsNeverLate) {
  RunImpl& run = Start();
  UdpSocket(run);
  link_.QueueOutbound(KernelDatagram(10), 10 * kLateUs);
  run.Outbound({2, AnyTime()}, Datagram(10));
  run.End();
}

// `0...0.3 poll([], 0, 300) = 0`: a blocking call whose return is due when poll times out.
TEST_F(RunCore, BlockingCallReturningInItsWindowIsOnTime) {
  RunImpl& run = Start();
  run.Syscall({1, At(0), /*returns_us=*/300000}, SyscallId::kPoll, {List({}), Int(0), Int(300)},
              {.result = 0});
  run.End();
}

TEST_F(RunCore, BlockingCallReturningLateIsATimingError) {
  EXPECT_EXIT(
      {
        RunImpl& run = Start();
        run.Syscall({1, At(0), /*returns_us=*/100000}, SyscallId::kPoll, {List({}), Int(0), Int(300)},
                    {.result = 0});
        run.End();
      },
      ::testing::ExitedWithCode(1),
      "^unit\\.pkt:1: timing error: expected system call return at 0\\.100000 sec but happened "
      "at 0\\.3[0-9]+ sec; tolerance 0\\.050000 sec\n");
}

// ---------------------------------------------------------------------------------------------
// Encapsulated packets: outer headers as written, the connection by the inner packet's tuple

/// `ipv4 192.168.0.2 > 127.0.0.1: gre flags [key present] ... key 7 ...:` inbound, and the
/// kernel's reply through the same tunnel outbound.
std::vector<EncapHeader> InboundTunnel() {
  return {encap::Ipv4("192.168.0.2", "127.0.0.1"), encap::Gre({.flags = kGreKey, .key = 7})};
}
std::vector<EncapHeader> OutboundTunnel() {
  return {encap::Ipv4("127.0.0.1", "192.168.0.2"), encap::Gre({.flags = kGreKey, .key = 7})};
}

TcpSegment Tunnelled(TcpSegment seg, std::vector<EncapHeader> outer) {
  seg.encap = std::move(outer);
  return seg;
}

TEST_F(RunCore, InboundEncapsulatedSynCarriesTheOuterHeadersAndTheConnectionsTuple) {
  RunImpl& run = Start();
  run.Syscall({1, At(0)}, SyscallId::kSocket, {Dots(), Int(SOCK_STREAM), Int(IPPROTO_TCP)},
              {.result = 3});
  run.Syscall({2, Plus(0)}, SyscallId::kListen, {Int(3), Int(1)}, {.result = 0});
  run.Inbound({3, Plus(0)}, Tunnelled(Segment(kSyn, 1000, 0, 0, 65535), InboundTunnel()));
  ASSERT_EQ(link_.injected().size(), 1u);
  DecodedPacket syn = Decode(link_.injected()[0].bytes);
  ASSERT_EQ(syn.encap.size(), 2u);
  EXPECT_TRUE(syn.encap[0].src == Address("192.168.0.2"));  // Literal, not remapped.
  EXPECT_TRUE(syn.encap[0].dst == Address("127.0.0.1"));
  EXPECT_EQ(syn.encap[0].protocol, IPPROTO_GRE);
  EXPECT_EQ(syn.encap[1].gre_flags, kGreKey);
  EXPECT_EQ(syn.encap[1].gre_key, 7u);
  EXPECT_TRUE(syn.src == config_.remote);  // The inner packet is the connection's.
  EXPECT_TRUE(syn.dst == config_.local);
  EXPECT_EQ(syn.tcp.dst_port, kBindPort);
  EXPECT_EQ(syn.tcp.seq, 1000u);
  run.End();
}

TEST_F(RunCore, OutboundEncapsulatedSegmentsMatchThroughTheirTunnel) {
  RunImpl& run = Start();
  std::uint16_t peer_port = ListenAndReceiveSyn(run);
  std::vector<EncapLayer> tunnel = EncapLayersOf(OutboundTunnel(), 4);
  link_.QueueOutbound(Encapsulate(tunnel, KernelSegment(peer_port, kSyn | kAck, kKernelIsn, 1001)));
  run.Outbound({4, Plus(0)}, Tunnelled(Segment(kSyn | kAck, 0, 1001), OutboundTunnel()));
  // Two segments gathered into the script's one: the outer lengths count the whole payload, as
  // packetdrill's aggregate_packets().
  link_.QueueOutbound(
      Encapsulate(tunnel, KernelSegment(peer_port, kAck, kKernelIsn + 1, 1001, 100)));
  link_.QueueOutbound(
      Encapsulate(tunnel, KernelSegment(peer_port, kPsh | kAck, kKernelIsn + 101, 1001, 100)));
  run.Outbound({5, Plus(0)}, Tunnelled(Segment(kPsh | kAck, 1, 1, 200), OutboundTunnel()));
  run.End();
}

TEST_F(RunCore, OutboundSegmentOutsideItsTunnelFailsOnTheLayerCount) {
  EXPECT_EXIT(
      {
        RunImpl& run = Start();
        std::uint16_t peer_port = ListenAndReceiveSyn(run);
        link_.QueueOutbound(KernelSegment(peer_port, kSyn | kAck, kKernelIsn, 1001));
        run.Outbound({4, Plus(0)}, Tunnelled(Segment(kSyn | kAck, 0, 1001), OutboundTunnel()));
      },
      ::testing::ExitedWithCode(1),
      "^unit\\.pkt:4: error handling packet: live packet header layers: expected: 4 headers vs "
      "actual: 2 headers\n"
      "script packet:  0\\.0[0-9]+ ipv4 127\\.0\\.0\\.1 > 192\\.168\\.0\\.2: gre flags 0x2000 "
      "proto 0x0800 key 0x7: S\\. 0:0\\(0\\) ack 1001\n"
      "actual packet:  0\\.0[0-9]+ S\\. 0:0\\(0\\) ack 1001 win 65535\n");
}

TEST_F(RunCore, OutboundSegmentWithAnotherKeyReportsTheGreField) {
  const std::vector<EncapHeader> key8 = {encap::Ipv4("127.0.0.1", "192.168.0.2"),
                                         encap::Gre({.flags = kGreKey, .key = 8})};
  EXPECT_EXIT(
      {
        RunImpl& run = Start();
        std::uint16_t peer_port = ListenAndReceiveSyn(run);
        link_.QueueOutbound(Encapsulate(EncapLayersOf(key8, 4),
                                        KernelSegment(peer_port, kSyn | kAck, kKernelIsn, 1001)));
        run.Outbound({4, Plus(0)}, Tunnelled(Segment(kSyn | kAck, 0, 1001), OutboundTunnel()));
      },
      ::testing::ExitedWithCode(1),
      "^unit\\.pkt:4: error handling packet: mismatch in GRE key: expected: 0x7 vs actual: 0x8\n"
      "script packet: .* key 0x7: S\\. 0:0\\(0\\) ack 1001\n"
      "actual packet: .* key 0x8: S\\. 0:0\\(0\\) ack 1001 win 65535\n");
}

TEST_F(RunCore, UdpThroughAnMplsStack) {
  RunImpl& run = Start();
  UdpSocket(run);
  std::vector<EncapHeader> in = {encap::Ipv4("192.168.0.2", "127.0.0.1"), encap::Gre(),
                                 encap::Mpls({{.label = 100, .bottom = true, .ttl = 64}})};
  UdpDatagram inbound = Datagram(100, 5000, 6000);
  inbound.encap = in;
  run.Inbound({2, Plus(0)}, inbound);
  DecodedPacket udp = Decode(link_.injected()[0].bytes);
  ASSERT_EQ(udp.encap.size(), 3u);
  EXPECT_EQ(udp.encap[1].gre_proto, 0x8847);
  EXPECT_EQ(udp.encap[2].mpls, std::vector<std::uint32_t>{100u << 12 | 0x100 | 64});
  EXPECT_EQ(udp.udp_dst_port, 6000);

  std::vector<EncapHeader> out = {encap::Ipv4("127.0.0.1", "192.168.0.2"), encap::Gre(),
                                  encap::Mpls({{.label = 200, .bottom = true, .ttl = 63}})};
  link_.QueueOutbound(Encapsulate(EncapLayersOf(out, 4), KernelDatagram(10)));
  UdpDatagram outbound = Datagram(10);
  outbound.encap = out;
  run.Outbound({3, Plus(0)}, outbound);
  run.End();
}

TEST_F(RunCore, UdpThroughAnotherMplsLabelFails) {
  const std::vector<EncapHeader> sent = {encap::Ipv4("127.0.0.1", "192.168.0.2"), encap::Gre(),
                                         encap::Mpls({{.label = 201, .bottom = true, .ttl = 63}})};
  UdpDatagram outbound = Datagram(10);
  outbound.encap = {encap::Ipv4("127.0.0.1", "192.168.0.2"), encap::Gre(),
                    encap::Mpls({{.label = 200, .bottom = true, .ttl = 63}})};
  EXPECT_EXIT(
      {
        RunImpl& run = Start();
        UdpSocket(run);
        link_.QueueOutbound(Encapsulate(EncapLayersOf(sent, 4), KernelDatagram(10)));
        run.Outbound({2, Plus(0)}, outbound);
      },
      ::testing::ExitedWithCode(1),
      "^unit\\.pkt:2: error handling packet: mismatch in MPLS label 0: expected: \\(label 200, "
      "tc 0, \\[S\\], ttl 63\\) vs actual: \\(label 201, tc 0, \\[S\\], ttl 63\\)\n");
}

}  // namespace
}  // namespace pktc::rt
