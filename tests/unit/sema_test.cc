// Unit tests for compiler/sema/sema.h: symbol resolution, per-event shape checks, and lowering to
// the IR (times, packets, system calls, family-dependent and -D defines).
#include "sema/sema.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "frontend/ast.h"
#include "support/diagnostics.h"
#include "ir/ir.h"
#include "corpus_scripts.h"
#include "frontend/lexer.h"
#include "source_harness.h"
#include "frontend/parser.h"

namespace pktc {
namespace {

// Parses and checks a script given as a string.
class SemaHarness : public SourceHarness {
 public:
  using SourceHarness::SourceHarness;

  /// Parses (which must succeed) and runs sema.
  std::optional<ir::Script> Check() {
    Parser parser(lexer(), diags(), sources());
    ast::Script script = parser.ParseScript();
    EXPECT_EQ(error_count(), 0) << "syntax errors:\n" << diag_text();
    SemaOptions options;
    options.script_path = "dir/input.pkt";
    // Nowhere, so commands such as `./defaults.sh` embed nothing.
    options.script_dir = "/nonexistent-pktc-unit-test-dir";
    return CheckScript(script, options, diags());
  }
};

// The diagnostics for a script that parses but must fail sema.
std::string SemaErrorsOf(std::string_view text) {
  SemaHarness h(text);
  std::optional<ir::Script> script = h.Check();
  EXPECT_FALSE(script.has_value()) << text;
  return h.diag_text();
}

// A call packetdrill parses but fails when it runs: a warning (returned with its notes), and
// the failure the run reports at its line (in `failure`).
std::string RunTimeFailureOf(std::string_view text, std::string* failure) {
  SemaHarness h(text);
  std::optional<ir::Script> script = h.Check();
  EXPECT_TRUE(script.has_value()) << text << "\n" << h.diag_text();
  EXPECT_EQ(h.error_count(), 0) << h.diag_text();
  failure->clear();
  if (script && !script->events.empty()) {
    if (const auto* call = std::get_if<ir::Syscall>(&script->events.back().action)) {
      *failure = call->failure.value_or("");
    }
  }
  return h.diag_text();
}

constexpr const char kFailsWhenRun[] =
    "; the test fails here when this call runs, as packetdrill's does";

// Lowers a script that must be free of errors (a warning, such as one for a helper file the
// nonexistent script directory lacks, is fine).
ir::Script Lower(std::string_view text) {
  SemaHarness h(text);
  std::optional<ir::Script> script = h.Check();
  EXPECT_EQ(h.error_count(), 0) << text << "\n" << h.diag_text();
  if (!script) return {};
  return *script;
}

// Lowers a script whose last event is a system call and returns that call.
ir::Syscall LastSyscall(std::string_view text) {
  ir::Script script = Lower(text);
  if (script.events.empty() || !std::holds_alternative<ir::Syscall>(script.events.back().action)) {
    ADD_FAILURE() << "no system call lowered from: " << text;
    return {};
  }
  return std::get<ir::Syscall>(script.events.back().action);
}

// Lowers a one-packet script and returns the packet.
ir::TcpPacket OnlyPacket(std::string_view text) {
  ir::Script script = Lower(text);
  if (script.events.size() != 1 ||
      !std::holds_alternative<ir::TcpPacket>(script.events[0].action)) {
    ADD_FAILURE() << "no packet lowered from: " << text;
    return {};
  }
  return std::get<ir::TcpPacket>(script.events[0].action);
}

// ---------------------------------------------------------------------------------------------
// Whole scripts

TEST(Sema, LowersInqClientSeedScript) {
  PKTC_CORPUS_SCRIPT(inqClient_script, "tcp_inq_client.pkt");
  ir::Script script = Lower(inqClient_script);
  EXPECT_EQ(script.path, "dir/input.pkt");
  EXPECT_EQ(script.name, "input");
  EXPECT_EQ(script.init_command, "./defaults.sh\n");
  EXPECT_TRUE(script.files.empty());
  ASSERT_EQ(script.events.size(), 16u);

  const ir::Event& getfl = script.events[1];
  EXPECT_EQ(getfl.line, 8u);
  EXPECT_EQ(getfl.source_text, "+0\tfcntl(3, F_GETFL) = 0x2 (flags O_RDWR)");
  const ir::Syscall& fcntl = std::get<ir::Syscall>(getfl.action);
  EXPECT_EQ(fcntl.name, "fcntl");
  ASSERT_EQ(fcntl.args.size(), 2u);
  EXPECT_EQ(fcntl.args[1].int_value.spelling, "F_GETFL");
  EXPECT_EQ(fcntl.expect.result, 2);

  const ir::Syscall& connect = std::get<ir::Syscall>(script.events[3].action);
  EXPECT_EQ(connect.expect.result, -1);
  EXPECT_EQ(connect.expect.errno_name, "EINPROGRESS");
  EXPECT_NE(connect.expect.errno_value, 0);

  const ir::TcpPacket& synack = std::get<ir::TcpPacket>(script.events[6].action);
  EXPECT_TRUE(synack.inbound);
  EXPECT_EQ(synack.flags, 0x12);
  EXPECT_EQ(synack.ack, 1u);
  EXPECT_EQ(synack.win, 5792);
  EXPECT_EQ(script.events[6].time.kind, ir::TimeKind::kRelative);
  EXPECT_EQ(script.events[6].time.start_us, 10000);

  // recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0,
  //             msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=9000}]}, 0)
  const ir::Syscall& recvmsg = std::get<ir::Syscall>(script.events[10].action);
  EXPECT_EQ(recvmsg.name, "recvmsg");
  ASSERT_EQ(recvmsg.args.size(), 3u);
  const ir::Value& msg = recvmsg.args[1];
  EXPECT_EQ(msg.kind, ir::Value::Kind::kStruct);
  ASSERT_EQ(msg.fields.size(), 4u);
  const ir::Field& iov = msg.fields[1];
  EXPECT_EQ(iov.name, "msg_iov");
  ASSERT_EQ(iov.paren.size(), 1u);
  EXPECT_EQ(iov.paren[0].int_value.value, 1);
  ASSERT_EQ(iov.value.items.size(), 1u);
  ASSERT_EQ(iov.value.items[0].items.size(), 2u);
  EXPECT_EQ(iov.value.items[0].items[0].kind, ir::Value::Kind::kEllipsis);
  EXPECT_EQ(iov.value.items[0].items[1].int_value.value, 1000);
  const ir::Field& control = msg.fields[3];
  EXPECT_EQ(control.name, "msg_control");
  ASSERT_EQ(control.value.items.size(), 1u);
  const ir::Value& cmsg = control.value.items[0];
  ASSERT_EQ(cmsg.fields.size(), 3u);
  EXPECT_EQ(cmsg.fields[1].value.int_value.spelling, "TCP_CM_INQ");
  EXPECT_EQ(cmsg.fields[2].value.int_value.value, 9000);
}

TEST(Sema, LowersMd5SeedScript) {
  PKTC_CORPUS_SCRIPT(md5OnlyOnClientAck_script, "tcp_md5_md5-only-on-client-ack.pkt");
  ir::Script script = Lower(md5OnlyOnClientAck_script);
  ASSERT_EQ(script.events.size(), 12u);
  const ir::TcpPacket& ack = std::get<ir::TcpPacket>(script.events[6].action);
  ASSERT_EQ(ack.options.size(), 3u);
  EXPECT_EQ(ack.options[0].name, "md5");
  EXPECT_EQ(ack.options[0].blob.size(), 16u);
  EXPECT_TRUE(std::holds_alternative<ir::Command>(script.events[8].action));
}

TEST(Sema, KeepsHeaderOptionsButNotDefines) {
  ir::Script script = Lower("--tolerance_usecs=10000\n--define=X=1\n--dry_run\n0 close(3) = 0\n");
  ASSERT_EQ(script.header_options.size(), 2u);
  EXPECT_EQ(script.header_options[0].first, "tolerance_usecs");
  EXPECT_EQ(script.header_options[0].second, "10000");
  EXPECT_EQ(script.header_options[1].first, "dry_run");
  EXPECT_FALSE(script.header_options[1].second.has_value());
}

TEST(Sema, RejectsUnknownOption) {
  EXPECT_EQ(SemaErrorsOf("--frobnicate=1\n0 close(3) = 0\n"),
            "input:1:1: error: unknown option '--frobnicate'\n"
            "--frobnicate=1\n"
            "^~~~~~~~~~~~~~\n");
}

TEST(Sema, RejectsBadIpVersion) {
  EXPECT_NE(SemaErrorsOf("--ip_version=ipv5\n0 close(3) = 0\n")
                .find("error: bad --ip_version: ipv5 (expected ipv4, ipv6 or ipv4-mapped-ipv6)"),
            std::string::npos);
}

// Header option values go through the test binary's own parser (common/option_table.h), so a
// value it would refuse at run time is an error at its line.
TEST(Sema, RejectsBadOptionValuesAtTheirLine) {
  std::string errors = SemaErrorsOf("--tolerance_usecs=abc\n--mtu=12\n0 close(3) = 0\n");
  EXPECT_NE(errors.find("input:1:1: error: bad --tolerance_usecs: abc (expected an integer "
                        "from 1 to 2147483647)"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("input:2:1: error: bad --mtu: 12 (expected an integer from 68 to "
                        "65535)"),
            std::string::npos)
      << errors;
  EXPECT_EQ(Lower("--tolerance_usecs=10000\n--tolerance_percent=50\n0 close(3) = 0\n")
                .header_options.size(),
            2u);
}

TEST(Sema, RejectsTestBinaryFlagsInAHeader) {
  EXPECT_NE(SemaErrorsOf("--junit=\"x.xml\"\n0 close(3) = 0\n")
                .find("error: option '--junit' is a flag of the test binary, not of a script "
                      "header"),
            std::string::npos);
}

TEST(Sema, SuggestsAnOptionForATypo) {
  std::string errors = SemaErrorsOf("--tolerance_usec=1000\n0 close(3) = 0\n");
  EXPECT_NE(errors.find("error: unknown option '--tolerance_usec'"), std::string::npos) << errors;
  EXPECT_NE(errors.find("note: did you mean '--tolerance_usecs'?"), std::string::npos) << errors;
}

// ---------------------------------------------------------------------------------------------
// Times

TEST(Sema, FirstEventMustBeAtTimeZero) {
  EXPECT_EQ(SemaErrorsOf("+1 close(3) = 0\n"),
            "input:1:1: error: first event should be at time 0\n"
            "+1 close(3) = 0\n"
            "^~\n");
  EXPECT_EQ(SemaErrorsOf("0.5 close(3) = 0\n"),
            "input:1:1: error: first event should be at time 0\n"
            "0.5 close(3) = 0\n"
            "^~~\n");
}

TEST(Sema, AnyTimeOnASystemCallIsAnError) {
  EXPECT_EQ(SemaErrorsOf("0 close(3) = 0\n* close(4) = 0\n"),
            "input:2:1: error: '*' and time ranges are only allowed on outbound packets ('>' "
            "lines)\n"
            "* close(4) = 0\n"
            "^\n");
}

TEST(Sema, TimeRangeOnAnInboundPacketIsAnError) {
  EXPECT_EQ(SemaErrorsOf("0 close(3) = 0\n+1~+2 < . 1:1(0) win 100\n"),
            "input:2:1: error: '*' and time ranges are only allowed on outbound packets ('>' "
            "lines)\n"
            "+1~+2 < . 1:1(0) win 100\n"
            "^~~~~\n");
}

TEST(Sema, AnyTimeAndRangesOnOutboundPacketsAreFine) {
  ir::Script script = Lower("0 close(3) = 0\n* > . 1:1(0)\n+.2~+.21 > . 1:1(0)\n");
  ASSERT_EQ(script.events.size(), 3u);
  EXPECT_EQ(script.events[1].time.kind, ir::TimeKind::kAnyTime);
  EXPECT_EQ(script.events[2].time.kind, ir::TimeKind::kRelativeRange);
  EXPECT_EQ(script.events[2].time.start_us, 200000);
  EXPECT_EQ(script.events[2].time.end_us, 210000);
}

TEST(Sema, AbsoluteTimesMustNotGoBackward) {
  EXPECT_EQ(SemaErrorsOf("0 close(3) = 0\n2 close(4) = 0\n1 close(5) = 0\n"),
            "input:3:1: error: time goes backward in script\n"
            "1 close(5) = 0\n"
            "^\n");
}

TEST(Sema, LowersBlockingReturnTime) {
  ir::Syscall call = LastSyscall("0...0.2 accept(3, ..., ...) = 4\n");
  ASSERT_TRUE(call.returns.has_value());
  EXPECT_EQ(call.returns->kind, ir::TimeKind::kAbsolute);
  EXPECT_EQ(call.returns->start_us, 200000);
  EXPECT_FALSE(LastSyscall("0 close(3) = 0\n").returns.has_value());
}

TEST(Sema, BlockingCallCannotReturnBeforeItStarts) {
  EXPECT_EQ(SemaErrorsOf("0 close(3) = 0\n+1 ... 0.5 close(4) = 0\n"),
            "input:2:8: error: a blocking call cannot return before it starts\n"
            "+1 ... 0.5 close(4) = 0\n"
            "       ^~~\n");
}

// ---------------------------------------------------------------------------------------------
// Packets

TEST(Sema, LowersTcpFlags) {
  EXPECT_EQ(OnlyPacket("0 > S 0:0(0)").flags, 0x02);
  EXPECT_EQ(OnlyPacket("0 > S. 0:0(0) ack 1").flags, 0x12);
  EXPECT_EQ(OnlyPacket("0 > P. 1:1(0)").flags, 0x18);
  EXPECT_EQ(OnlyPacket("0 > F. 1:1(0)").flags, 0x11);
  EXPECT_EQ(OnlyPacket("0 > R. 1:1(0)").flags, 0x14);
  EXPECT_EQ(OnlyPacket("0 > . 1:1(0)").flags, 0x10);
  EXPECT_EQ(OnlyPacket("0 > - 1:1(0)").flags, 0);
  EXPECT_EQ(OnlyPacket("0 > SEWA 0:0(0)").flags, 0x1c2);
  EXPECT_EQ(OnlyPacket("0 > U. 1:1(0)").flags_text, "U.");
}

TEST(Sema, RejectsInvalidTcpFlag) {
  EXPECT_EQ(SemaErrorsOf("0 > SX 0:0(0)\n"),
            "input:1:5: error: invalid TCP flag 'X' in 'SX' (valid: F S R P U . E W A and 0-7)\n"
            "0 > SX 0:0(0)\n"
            "    ^~\n");
}

TEST(Sema, InconsistentSequenceNumbers) {
  EXPECT_EQ(SemaErrorsOf("0 > P. 1:1000(1000)\n"),
            "input:1:8: error: inconsistent TCP sequence numbers and payload size: 1 + 1000 != "
            "1000\n"
            "0 > P. 1:1000(1000)\n"
            "       ^~~~~~~~~~~~\n");
}

TEST(Sema, InboundPacketNeedsWindow) {
  EXPECT_EQ(SemaErrorsOf("0 < S 0:0(0) <mss 1460>\n"),
            "input:1:7: error: window must be specified for inbound packets (add 'win N')\n"
            "0 < S 0:0(0) <mss 1460>\n"
            "      ^~~~~~\n");
  // Outbound packets need none.
  EXPECT_FALSE(OnlyPacket("0 > S 0:0(0)").win.has_value());
}

TEST(Sema, AnyOptionsOnlyOnOutboundPackets) {
  EXPECT_EQ(SemaErrorsOf("0 < S 0:0(0) win 100 <...>\n"),
            "input:1:7: error: '<...>' (options not checked) is only allowed on outbound "
            "packets\n"
            "0 < S 0:0(0) win 100 <...>\n"
            "      ^~~~~~\n");
  EXPECT_TRUE(OnlyPacket("0 > S. 0:0(0) ack 1 <...>").any_options);
}

TEST(Sema, OptionsMustBePadded) {
  EXPECT_EQ(SemaErrorsOf("0 > S 0:0(0) <mss 1460,sackOK,nop>\n"),
            "input:1:15: error: TCP options are not padded correctly: they take 7 bytes, not a "
            "multiple of 4 (add nop options)\n"
            "0 > S 0:0(0) <mss 1460,sackOK,nop>\n"
            "              ^~~~~~~~~~~~~~~~~~~\n");
  EXPECT_EQ(OnlyPacket("0 > S 0:0(0) <mss 1460,sackOK,nop,nop>").options.size(), 4u);
}

TEST(Sema, OptionsMustFitInTheHeader) {
  EXPECT_NE(SemaErrorsOf("0 > . 1:1(0) <sack 1:2 3:4 5:6 7:8 9:10,nop,nop>\n")
                .find("error: TCP options take 44 bytes; at most 40 fit in a TCP header"),
            std::string::npos);
}

TEST(Sema, ChecksOptionValueRanges) {
  EXPECT_NE(SemaErrorsOf("0 > S 0:0(0) <mss 70000>\n")
                .find("error: value out of range in TCP option 'mss'"),
            std::string::npos);
  EXPECT_NE(SemaErrorsOf("0 > S 0:0(0) <md5 000102030405060708090a0b0c0d0e0f10,nop,nop,nop>\n")
                .find("error: an md5 digest has at most 16 bytes"),
            std::string::npos);
}

TEST(Sema, LowersPacketFields) {
  ir::TcpPacket p = OnlyPacket("0 < [ect0] 1234>8080 P. 1:1001(1000) ack 7 win 257 urg 3");
  EXPECT_TRUE(p.inbound);
  EXPECT_EQ(p.seq, 1u);
  EXPECT_EQ(p.len, 1000u);
  EXPECT_EQ(p.ack, 7u);
  EXPECT_EQ(p.win, 257);
  EXPECT_EQ(p.urg, 3);
  EXPECT_EQ(p.ip.ecn, 2);
  EXPECT_EQ(p.src_port, 1234);
  EXPECT_EQ(p.dst_port, 8080);
}

TEST(Sema, TtlSentinels) {
  EXPECT_EQ(OnlyPacket("0 > [ttl 64] . 1:1(0)").ip.ttl, 64);
  // 255 is never checked on outbound packets, and 0 means the default.
  EXPECT_FALSE(OnlyPacket("0 > [ttl 255] . 1:1(0)").ip.ttl.has_value());
  EXPECT_FALSE(OnlyPacket("0 > [ttl 0] . 1:1(0)").ip.ttl.has_value());
}

TEST(Sema, Ect01OnlyOnOutboundPackets) {
  EXPECT_TRUE(OnlyPacket("0 > [ect01] . 1:1(0)").ip.ecn_ect01);
  EXPECT_NE(SemaErrorsOf("0 < [ect01] . 1:1(0) win 1\n")
                .find("error: [ect01] can only be used with outbound packets"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// System calls

TEST(Sema, UnknownSymbolSuggestsAName) {
  std::string failure;
  EXPECT_EQ(RunTimeFailureOf("0 socket(..., SOCK_STREM, IPPROTO_TCP) = 3\n", &failure),
            std::string("input:1:15: warning: unknown symbol 'SOCK_STREM'") + kFailsWhenRun +
                "\n"
                "0 socket(..., SOCK_STREM, IPPROTO_TCP) = 3\n"
                "              ^~~~~~~~~~\n"
                "input:1:15: note: did you mean 'SOCK_STREAM'?\n"
                "0 socket(..., SOCK_STREM, IPPROTO_TCP) = 3\n"
                "              ^\n");
  EXPECT_EQ(failure, "unknown symbol: 'SOCK_STREM'");
}

TEST(Sema, UnknownSymbolFarFromAnyNameHasNoNote) {
  std::string failure;
  std::string warnings = RunTimeFailureOf("0 close(QQQQQQQQQQQQQQQQ) = 0\n", &failure);
  EXPECT_NE(warnings.find("warning: unknown symbol 'QQQQQQQQQQQQQQQQ'"), std::string::npos);
  EXPECT_EQ(warnings.find("note:"), std::string::npos) << warnings;
}

TEST(Sema, UnknownSymbolFromDefineNamesTheDefine) {
  SemaHarness h("0 close(FD) = 0\n");
  h.DefineFromCommandLine("FD", "bogus");
  EXPECT_TRUE(h.Check().has_value());
  EXPECT_NE(h.diag_text().find("warning: unknown symbol 'bogus' (the value of -D FD)"),
            std::string::npos)
      << h.diag_text();
}

TEST(Sema, WrongArgumentCount) {
  std::string failure;
  EXPECT_EQ(RunTimeFailureOf("0 listen(3) = 0\n", &failure),
            std::string("input:1:9: warning: listen expects 2 arguments but got 1") +
                kFailsWhenRun +
                "\n"
                "0 listen(3) = 0\n"
                "        ^~~\n");
  EXPECT_EQ(failure, "Expected 2 args but got 1");
  EXPECT_NE(RunTimeFailureOf("0 fcntl(3) = 0\n", &failure)
                .find("warning: fcntl expects 2 or 3 arguments but got 1"),
            std::string::npos);
}

TEST(Sema, AcceptsEverySystemCallPacketdrillKnows) {
  // Whether the runtime can run a call is checked by codegen, not by sema.
  ir::Syscall poll = LastSyscall("0 poll([{fd=3, events=POLLIN, revents=0}], 1, 0) = 1\n");
  EXPECT_EQ(poll.name, "poll");
  ASSERT_EQ(poll.args.size(), 3u);
  EXPECT_EQ(poll.args[0].kind, ir::Value::Kind::kList);
  EXPECT_EQ(LastSyscall("0 cap_set(CAP_EFFECTIVE, CAP_NET_ADMIN, CAP_CLEAR) = 0\n").name,
            "cap_set");
}

TEST(Sema, UnknownSyscall) {
  std::string failure;
  EXPECT_EQ(RunTimeFailureOf("0 frobnicate(3) = 0\n", &failure),
            std::string("input:1:3: warning: unknown system call 'frobnicate'") + kFailsWhenRun +
                "\n"
                "0 frobnicate(3) = 0\n"
                "  ^~~~~~~~~~\n");
  EXPECT_EQ(failure, "Unknown system call: 'frobnicate'");
}

TEST(Sema, UnknownErrno) {
  std::string failure;
  EXPECT_EQ(RunTimeFailureOf("0 close(3) = -1 EBOGUS (Nope)\n", &failure),
            std::string("input:1:17: warning: unknown errno name 'EBOGUS'") + kFailsWhenRun +
                "\n"
                "0 close(3) = -1 EBOGUS (Nope)\n"
                "                ^~~~~~\n");
  EXPECT_EQ(failure, "unknown symbol: 'EBOGUS'");
}

TEST(Sema, ResultMustBeAnIntegerLiteral) {
  std::string failure;
  EXPECT_NE(RunTimeFailureOf("0 close(3) = SOCK_STREAM\n", &failure)
                .find("warning: the expected result must be an integer literal, got SOCK_STREAM"),
            std::string::npos);
  EXPECT_EQ(failure, "Bad type; actual: SOCK_STREAM expected: integer");
}

TEST(Sema, AddressArgumentsMustBeEllipsis) {
  std::string failure;
  EXPECT_NE(RunTimeFailureOf("0 bind(3, {sa_family=AF_INET}, 16) = 0\n", &failure)
                .find("warning: the address argument must be '...': addresses come from the "
                      "test's configuration, not the script"),
            std::string::npos);
}

TEST(Sema, RunTimeFailuresGoInPacketdrillsOrder) {
  // The symbol is evaluated before the argument count is checked.
  std::string failure;
  RunTimeFailureOf("0 listen(BOGUS) = 0\n", &failure);
  EXPECT_EQ(failure, "unknown symbol: 'BOGUS'");
}

TEST(Sema, LowersSymbolsAndOr) {
  ir::Syscall call = LastSyscall("0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n");
  ASSERT_EQ(call.args.size(), 3u);
  EXPECT_EQ(call.args[0].int_value.value, 3);
  EXPECT_EQ(call.args[1].int_value.spelling, "F_SETFL");
  const ir::Int& flags = call.args[2].int_value;
  EXPECT_EQ(flags.spelling, "O_RDWR|O_NONBLOCK");
  EXPECT_EQ(flags.value, 02 | 04000);
  EXPECT_TRUE(flags.define.empty());
}

TEST(Sema, LowersSocketOptionValues) {
  ir::Syscall intopt = LastSyscall("0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n");
  ASSERT_EQ(intopt.args.size(), 5u);
  EXPECT_EQ(intopt.args[3].kind, ir::Value::Kind::kList);
  ASSERT_EQ(intopt.args[3].items.size(), 1u);
  EXPECT_EQ(intopt.args[3].items[0].int_value.value, 1);
  EXPECT_EQ(intopt.args[4].int_value.value, 4);

  ir::Syscall linger =
      LastSyscall("0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n");
  const ir::Value& value = linger.args[3];
  EXPECT_EQ(value.kind, ir::Value::Kind::kStruct);
  ASSERT_EQ(value.fields.size(), 2u);
  EXPECT_EQ(value.fields[0].name, "onoff");
  EXPECT_EQ(value.fields[0].value.int_value.value, 1);

  ir::Syscall cc = LastSyscall("0 setsockopt(3, SOL_TCP, TCP_CONGESTION, \"reno\", 4) = 0\n");
  EXPECT_EQ(cc.args[3].kind, ir::Value::Kind::kString);
  EXPECT_EQ(cc.args[3].bytes, "reno");
}

TEST(Sema, InterpretsStringEscapes) {
  // \\ and \" give a backslash and a quote (packetdrill's fall-through gives 0x0C instead).
  ir::Syscall call =
      LastSyscall(R"(0 setsockopt(3, SOL_TCP, TCP_CONGESTION, "r\x65no\t\\\"", 4) = 0)");
  EXPECT_EQ(call.args[3].bytes, "reno\t\\\"");
  std::string failure;
  EXPECT_NE(RunTimeFailureOf(R"(0 setsockopt(3, SOL_TCP, TCP_CONGESTION, "a\qb", 4) = 0)", &failure)
                .find("warning: unsupported escape '\\q' in string"),
            std::string::npos);
  EXPECT_EQ(failure, "unsupported escape code: 'q'");
}

TEST(Sema, LowersEncapsulationHeadersOutermostFirst) {
  ir::TcpPacket p = OnlyPacket(
      "0 < ipv4 [ect0, ttl 9] 192.168.0.2 > 192.168.0.1: GREv0, flags [checksum present, key "
      "present, sequence# present] sum 0 off 3 key=7 seq 0x10: mpls (label 100, tc 1, ttl 64) "
      "(label 200, tc 0, [S], ttl 1): S 0:0(0) win 100\n");
  ASSERT_EQ(p.encap.size(), 3u);
  EXPECT_EQ(p.encap[0].kind, ir::Encap::Kind::kIpv4);
  EXPECT_EQ(p.encap[0].src, "192.168.0.2");
  EXPECT_EQ(p.encap[0].dst, "192.168.0.1");
  EXPECT_EQ(p.encap[0].tos, 2);  // ect0: the ECN bits of the outer TOS byte
  EXPECT_EQ(p.encap[0].ttl, 9);
  EXPECT_EQ(p.encap[1].kind, ir::Encap::Kind::kGre);
  EXPECT_EQ(p.encap[1].gre_flags, 0xb000);
  EXPECT_EQ(p.encap[1].gre_off, 3);
  EXPECT_EQ(p.encap[1].gre_key, 7u);
  EXPECT_EQ(p.encap[1].gre_seq, 16u);
  ASSERT_EQ(p.encap[2].mpls.size(), 2u);
  EXPECT_EQ(p.encap[2].mpls[0].label, 100u);
  EXPECT_EQ(p.encap[2].mpls[0].tc, 1);
  EXPECT_FALSE(p.encap[2].mpls[0].bottom);
  EXPECT_TRUE(p.encap[2].mpls[1].bottom);
  EXPECT_EQ(p.encap[2].mpls[1].ttl, 1);
  // A plain `gre:` is a 4-byte header; `flags N` takes a number.
  EXPECT_EQ(OnlyPacket("0 < ipv6 fd::2 > fd::1: gre: S 0:0(0) win 1\n").encap[1].gre_flags, 0);
  EXPECT_EQ(OnlyPacket("0 > gre flags 0x2000 sum 0 off 0 key 5 seq 0: S 0:0(0)\n").encap[0].gre_key,
            5u);
}

TEST(Sema, LowersGreAndMplsSyscallValuesToPacketdrillsStructs) {
  ir::Syscall gre = LastSyscall(
      "0 setsockopt(3, SOL_IP, 99, {flags [key present] sum 1 off 2 key 0x01020304 seq 5}, "
      "16) = 0\n");
  const ir::Value& g = gre.args[3];
  ASSERT_EQ(g.fields.size(), 1u);
  EXPECT_EQ(g.fields[0].name, "gre");
  EXPECT_EQ(g.fields[0].value.bytes,
            std::string("\x20\x00\x00\x00\x00\x01\x00\x02\x01\x02\x03\x04\x00\x00\x00\x05", 16));
  ir::Syscall mpls =
      LastSyscall("0 setsockopt(3, SOL_IP, 99, {(label 1, tc 2, [S], ttl 3)}, 28) = 0\n");
  const ir::Value& m = mpls.args[3];
  ASSERT_EQ(m.fields.size(), 1u);
  EXPECT_EQ(m.fields[0].name, "mpls_stack");
  ASSERT_EQ(m.fields[0].value.bytes.size(), 28u);
  EXPECT_EQ(m.fields[0].value.bytes.substr(0, 4), std::string("\x00\x00\x15\x03", 4));
  EXPECT_EQ(m.fields[0].value.bytes[24], 1);  // the count, host order
  // `{}` is an empty MPLS stack, as in packetdrill's grammar.
  EXPECT_EQ(LastSyscall("0 setsockopt(3, SOL_IP, 99, {}, 28) = 0\n").args[3].fields[0].name,
            "mpls_stack");
}

TEST(Sema, FamilyDefineLowersToBothValues) {
  ir::Syscall call = LastSyscall(
      "0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 0}], msg_flags=MSG_ERRQUEUE,\n"
      "  msg_control=[{cmsg_level=CMSG_LEVEL_IP, cmsg_type=CMSG_TYPE_RECVERR,\n"
      "  cmsg_data=0}]}, MSG_ERRQUEUE) = 0\n");
  ASSERT_EQ(call.args.size(), 3u);
  const ir::Value& msg = call.args[1];
  ASSERT_EQ(msg.fields.size(), 4u);
  ASSERT_EQ(msg.fields[3].value.items.size(), 1u);
  const ir::Value& cmsg = msg.fields[3].value.items[0];
  ASSERT_EQ(cmsg.fields.size(), 3u);
  const ir::Int& level = cmsg.fields[0].value.int_value;
  EXPECT_EQ(level.define, "CMSG_LEVEL_IP");
  EXPECT_EQ(level.value, 0);        // SOL_IP
  EXPECT_EQ(level.ipv6_value, 41);  // SOL_IPV6
  const ir::Int& type = cmsg.fields[1].value.int_value;
  EXPECT_EQ(type.define, "CMSG_TYPE_RECVERR");
  EXPECT_EQ(type.value, 11);       // IP_RECVERR
  EXPECT_EQ(type.ipv6_value, 25);  // IPV6_RECVERR
}

TEST(Sema, CommandLineDefineFixesFamilyDefine) {
  SemaHarness h("0 setsockopt(3, CMSG_LEVEL_IP, IP_RECVERR, [1], 4) = 0\n");
  h.DefineFromCommandLine("CMSG_LEVEL_IP", "SOL_IPV6");
  std::optional<ir::Script> script = h.Check();
  ASSERT_TRUE(script.has_value()) << h.diag_text();
  const ir::Int& level = std::get<ir::Syscall>(script->events[0].action).args[1].int_value;
  EXPECT_EQ(level.define, "CMSG_LEVEL_IP");
  EXPECT_EQ(level.value, 41);
  EXPECT_EQ(level.ipv6_value, 41);
  EXPECT_EQ(level.spelling, "CMSG_LEVEL_IP");
}

TEST(Sema, FamilyDefineCannotBeOred) {
  EXPECT_NE(SemaErrorsOf("0 setsockopt(3, CMSG_LEVEL_IP|1, IP_RECVERR, [1], 4) = 0\n")
                .find("error: a family-dependent define cannot be combined with '|' yet"),
            std::string::npos);
}

TEST(Sema, IntegerDefineLowersToDefine) {
  SemaHarness h("0 close(FD) = 0\n");
  h.DefineFromCommandLine("FD", "010");
  std::optional<ir::Script> script = h.Check();
  ASSERT_TRUE(script.has_value()) << h.diag_text();
  const ir::Int& fd = std::get<ir::Syscall>(script->events[0].action).args[0].int_value;
  EXPECT_EQ(fd.define, "FD");
  EXPECT_EQ(fd.value, 8);
  EXPECT_EQ(fd.ipv6_value, 8);
  EXPECT_EQ(fd.spelling, "FD");
}

TEST(Sema, HeaderIntegerDefineLowersToDefine) {
  ir::Syscall call = LastSyscall("--define=FD=5\n0 close(FD) = 0\n");
  ASSERT_EQ(call.args.size(), 1u);
  EXPECT_EQ(call.args[0].int_value.define, "FD");
  EXPECT_EQ(call.args[0].int_value.value, 5);
}

TEST(Sema, IntegersMustFitIn32Bits) {
  std::string failure;
  EXPECT_NE(RunTimeFailureOf("0 close(4294967296) = 0\n", &failure)
                .find("warning: integer 4294967296 does not fit in 32 bits"),
            std::string::npos);
  EXPECT_EQ(failure, "Value out of range for 32-bit integer: 4294967296");
}

TEST(Sema, MsghdrIovCountMustMatch) {
  std::string failure;
  EXPECT_NE(RunTimeFailureOf("0 recvmsg(3, {msg_name(...)=..., msg_iov(2)=[{..., 10}], "
                             "msg_flags=0}, 0) = 10\n",
                             &failure)
                .find("warning: msg_iov(N): N must be the number of iovecs in the list (1)"),
            std::string::npos);
}

TEST(Sema, KeepsCodeBlocks) {
  ir::Script script = Lower("0 %{ assert tcpi_snd_cwnd == 10 }%\n");
  ASSERT_EQ(script.events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ir::Code>(script.events[0].action));
}

TEST(Sema, ReportsEveryBadEvent) {
  SemaHarness h("0 close(3) = 0\n+0 > P. 1:2(2)\n+0 > . 1:3(1)\n+0 < S 0:0(0)\n");
  EXPECT_FALSE(h.Check().has_value());
  EXPECT_EQ(h.error_count(), 3) << h.diag_text();
}

// BUG: a script with no events is reported at no location ("<unknown>:0: error: ..."); the
// message should name the script like every other diagnostic.
TEST(Sema, NoEventsErrorNamesTheScript) {
  std::string errors = SemaErrorsOf("// only a comment\n");
  EXPECT_EQ(errors.rfind("input:", 0), 0u) << errors;
}

}  // namespace
}  // namespace pktc
