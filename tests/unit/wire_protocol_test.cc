// Unit tests for runtime/wire/: packetdrill's wire protocol (framing, message bodies, deadlines)
// and the two peers' event bookkeeping, over a socket pair and a loopback connection.
#include "wire/wire_protocol.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "wire/wire_client.h"
#include "wire/wire_server.h"

namespace pktc::rt {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

/// Two connected ends.
struct Pair {
  Pair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    a = WireConnection(fds[0]);
    b = WireConnection(fds[1]);
  }
  WireConnection a, b;
};

TEST(WireProtocol, FramesRoundTrip) {
  Pair p;
  std::string error;
  ASSERT_TRUE(p.a.Send(WireOp::kScriptPath, "tcp.pkt", &error)) << error;
  ASSERT_TRUE(p.a.Send(WireOp::kServerReady, nullptr, 0, &error)) << error;
  WireMessage m;
  ASSERT_TRUE(p.b.Receive(NowNs() + kSecond, &m, &error)) << error;
  EXPECT_EQ(m.op, WireOp::kScriptPath);
  EXPECT_EQ(m.Text(), "tcp.pkt");
  ASSERT_TRUE(p.b.Receive(NowNs() + kSecond, &m, &error)) << error;
  EXPECT_EQ(m.op, WireOp::kServerReady);
  EXPECT_TRUE(m.data.empty());
}

TEST(WireProtocol, HeaderIsLengthThenOpBigEndian) {
  Pair p;
  std::string error;
  ASSERT_TRUE(p.a.Send(WireOp::kScript, "ab", &error));
  std::uint8_t raw[10];
  ASSERT_EQ(read(p.b.fd(), raw, sizeof raw), 10);
  EXPECT_EQ(std::vector<std::uint8_t>(raw, raw + 10),
            (std::vector<std::uint8_t>{0, 0, 0, 10, 0, 0, 0, 3, 'a', 'b'}));
}

TEST(WireProtocol, EveryWaitHasADeadline) {
  Pair p;
  WireMessage m;
  std::string error;
  std::int64_t start = NowNs();
  EXPECT_FALSE(p.b.Receive(start + kSecond / 20, &m, &error));
  EXPECT_EQ(error, "timed out");
  EXPECT_LT(NowNs() - start, kSecond);
}

TEST(WireProtocol, ClosedAndMalformedConnectionsAreErrors) {
  {
    Pair p;
    p.a.Close();
    WireMessage m;
    std::string error;
    EXPECT_FALSE(p.b.Receive(NowNs() + kSecond, &m, &error));
    EXPECT_EQ(error, "the peer closed the connection");
  }
  {
    Pair p;
    std::uint8_t bad[8] = {0, 0, 0, 4, 0, 0, 0, 1};  // Shorter than its own header.
    ASSERT_EQ(write(p.a.fd(), bad, sizeof bad), 8);
    WireMessage m;
    std::string error;
    EXPECT_FALSE(p.b.Receive(NowNs() + kSecond, &m, &error));
    EXPECT_EQ(error, "invalid message length 4");
  }
}

TEST(WireProtocol, MessageBodies) {
  std::vector<std::string> args = {"packetdrill", "--ip_version=ipv4", "-D", "X=1", "a.pkt"};
  std::string encoded = EncodeWireArgs(args);
  EXPECT_EQ(encoded.size(), 43u);
  EXPECT_EQ(DecodeWireArgs(std::vector<std::uint8_t>(encoded.begin(), encoded.end())), args);

  std::vector<std::uint8_t> start = EncodePacketsStart(7);
  EXPECT_EQ(start.size(), 408u);  // packetdrill's struct wire_packets_start with PSP state.
  std::uint32_t count = 0;
  std::string error;
  ASSERT_TRUE(DecodePacketsStart(start, &count, &error));
  EXPECT_EQ(count, 7u);
  ASSERT_TRUE(DecodePacketsStart({0, 0, 1, 0}, &count, &error));  // Before PSP.
  EXPECT_EQ(count, 256u);
  EXPECT_FALSE(DecodePacketsStart({0, 0, 1}, &count, &error));

  std::vector<std::uint8_t> done = EncodePacketsDone(kWireStatusError, 9, "a.pkt:3: error");
  std::int32_t status;
  std::string message;
  ASSERT_TRUE(DecodePacketsDone(done, &status, &count, &message, &error)) << error;
  EXPECT_EQ(status, -1);
  EXPECT_EQ(count, 9u);
  EXPECT_EQ(message, "a.pkt:3: error");
  done.pop_back();  // No terminating NUL.
  EXPECT_FALSE(DecodePacketsDone(done, &status, &count, &message, &error));
}

TEST(WireProtocol, FirstDifferentLine) {
  std::string a, b;
  EXPECT_EQ(FirstDifferentLine("x\ny\n", "x\ny\n", &a, &b), 0);
  EXPECT_EQ(FirstDifferentLine("x\ny\nz\n", "x\nY\nz\n", &a, &b), 2);
  EXPECT_EQ(a, "y");
  EXPECT_EQ(b, "Y");
  EXPECT_EQ(FirstDifferentLine("x\n", "x\ny\n", &a, &b), 2);
  EXPECT_EQ(a, "");
  EXPECT_EQ(b, "y");
  EXPECT_EQ(FirstDifferentLine("x", "x\n", &a, &b), 1);
  EXPECT_EQ(a, "x (no newline at end of file)");
}

TEST(WireServer, RefusesAnotherScriptNamingTheLine) {
  const char text[] = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 close(3) = 0\n";
  ScriptInfo script{"a.pkt", "a",     nullptr, 0,    nullptr,        0,
                    nullptr, nullptr, nullptr, text, sizeof text - 1};
  WireClientHello hello;
  hello.script_path = "b.pkt";
  hello.script = text;
  EXPECT_EQ(CompareWithCompiledScript(script, hello), "");
  hello.script = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 close(3) = -1\n";
  EXPECT_EQ(CompareWithCompiledScript(script, hello),
            "the client's script b.pkt is not the one this server was compiled from (a.pkt): "
            "they differ first at line 2: the client's reads `+0 close(3) = -1`, this "
            "server's `+0 close(3) = 0`");
}

/// A client and a server peer over loopback TCP, as two machines would run one script: the
/// client's events are (syscall, inbound, outbound, syscall, outbound); the server reports a
/// failure at the last packet when `fail_last` is set.
void RunPair(bool fail_last, bool* client_ok, std::string* client_failure) {
  const char text[] = "script\n";
  ScriptInfo script{"a.pkt", "a",     nullptr, 0,    nullptr,        0,
                    nullptr, nullptr, nullptr, text, sizeof text - 1};
  WireListener listener;
  std::string error;
  ASSERT_TRUE(listener.Listen(0, &error)) << error;
  int port = listener.port();
  std::thread server([&] {
    WireConnection connection;
    std::string peer, error;
    ASSERT_TRUE(listener.Accept(NowNs() + 5 * kSecond, &connection, &peer, &error)) << error;
    WireClientHello hello;
    ASSERT_TRUE(ReceiveClientHello(connection, NowNs() + 5 * kSecond, &hello, &error)) << error;
    EXPECT_EQ(CompareWithCompiledScript(script, hello), "");
    EXPECT_EQ(hello.args, (std::vector<std::string>{"packetdrill", "--ip_version=ipv4"}));
    EXPECT_EQ(hello.local_ip, "192.168.0.1");
    EXPECT_EQ(hello.mac.ToString(), "02:00:00:00:00:01");
    WireServerPeer side(connection, 5);
    std::int64_t start;
    ASSERT_TRUE(side.ReadyAndWaitForStart(&start, &error)) << error;
    for (bool packet : {false, true, true, false}) {
      std::string failure;
      ASSERT_TRUE(side.NextEvent(packet, &failure)) << failure;
      side.Due(NowNs(), false);
    }
    std::string failure;
    ASSERT_TRUE(side.NextEvent(true, &failure)) << failure;
    if (fail_last) {
      side.ReportFailure("a.pkt:5: error handling packet: Timed out waiting for packet\n");
      return;
    }
    ASSERT_TRUE(side.Finish(&failure)) << failure;
    EXPECT_TRUE(side.WaitForClientEnd(&failure)) << failure;
  });
  {
    WireClient client(script, 5);
    WireHello hello;
    hello.args = {"packetdrill", "--ip_version=ipv4"};
    hello.mac.bytes[0] = 2;
    hello.mac.bytes[5] = 1;
    ASSERT_TRUE(IpAddress::Parse("192.168.0.1", &hello.local));
    ASSERT_TRUE(IpAddress::Parse("192.0.2.1", &hello.remote));
    IpAddress loopback;
    ASSERT_TRUE(IpAddress::Parse("127.0.0.1", &loopback));
    ASSERT_TRUE(client.Connect(loopback, port, hello, &error)) << error;
    ASSERT_TRUE(client.WaitForServerReady(&error)) << error;
    ASSERT_TRUE(client.Starting(NowNs(), &error)) << error;
    *client_ok = true;
    for (bool packet : {false, true, true, false, true}) {
      if (!client.NextEvent(packet, client_failure)) {
        *client_ok = false;
        break;
      }
      client.Due(NowNs(), packet);
    }
    if (*client_ok) *client_ok = client.Finish(client_failure);
  }
  server.join();
}

TEST(WirePeers, RunPacketBatchesInStep) {
  bool ok = false;
  std::string failure;
  RunPair(/*fail_last=*/false, &ok, &failure);
  EXPECT_TRUE(ok) << failure;
}

TEST(WirePeers, TheServersFailureIsTheClients) {
  bool ok = true;
  std::string failure;
  RunPair(/*fail_last=*/true, &ok, &failure);
  EXPECT_FALSE(ok);
  EXPECT_EQ(failure, "a.pkt:5: error handling packet: Timed out waiting for packet\n");
}

TEST(WireClient, SaysWhenNoServerListens) {
  int port = 0;
  std::string error;
  {  // A port nobody listens on: taken, then closed.
    WireListener listener;
    ASSERT_TRUE(listener.Listen(0, &error));
    port = listener.port();
  }
  const char text[] = "";
  ScriptInfo script{"a.pkt", "a", nullptr, 0, nullptr, 0, nullptr, nullptr, nullptr, text, 0};
  WireClient client(script, 1);
  IpAddress loopback;
  ASSERT_TRUE(IpAddress::Parse("127.0.0.1", &loopback));
  std::int64_t start = NowNs();
  EXPECT_FALSE(client.Connect(loopback, port, WireHello{}, &error));
  EXPECT_LT(NowNs() - start, 3 * kSecond);
  EXPECT_EQ(error, "wire server 127.0.0.1:" + std::to_string(port) +
                       " not reachable within 1 s (Connection refused): is a test binary "
                       "running there with --wire_server --wire_server_port=" +
                       std::to_string(port) + "?");
}

}  // namespace
}  // namespace pktc::rt
