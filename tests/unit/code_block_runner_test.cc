// Unit tests for runtime/exec/code_block_runner.h: deferred native blocks with packetdrill's namespace
// semantics and failure messages, Python's integer operators, and the python3 fallback.
#include "exec/code_block_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "pktc/runtime.h"
#include "exec/tcp_info_snapshot.h"

namespace pktc::rt {
namespace {

// A snapshot as a 6.18 kernel would return it, with the given variables set.
TcpInfoSnapshot Snapshot(const std::map<std::string, std::uint64_t>& values,
                         std::size_t tcp_info_len = kTcpInfoSize) {
  TcpInfoSnapshot s;
  s.tcp_info.assign(tcp_info_len, 0);
  s.meminfo.assign(9 * 4, 0);
  for (const auto& [name, value] : values) {
    const InfoField* f = FindInfoField(name);
    EXPECT_TRUE(f && f->bit_width == 0) << name;
    std::vector<std::uint8_t>& buf = f->source == InfoSource::kTcpInfo ? s.tcp_info : s.meminfo;
    std::memcpy(buf.data() + f->offset, &value, f->size);  // Little-endian hosts.
  }
  return s;
}

bool HavePython3() { return std::system("command -v python3 >/dev/null 2>&1") == 0; }

TEST(CodeBlocks, RunsEachNativeBlockAgainstItsOwnSnapshot) {
  CodeBlockRunner runner;
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 10}}));
  runner.AddNative(
      5, +[](CodeContext& c) {
        c.Assert(c.Get("tcpi_snd_cwnd") == 10, "tcpi_snd_cwnd == 10", "");
        c.Assert(c.Get("TCP_CA_Recovery") == 3, "TCP_CA_Recovery == 3", "");
      });
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 20}}));
  runner.AddNative(
      9,
      +[](CodeContext& c) { c.Assert(c.Get("tcpi_snd_cwnd") == 20, "tcpi_snd_cwnd == 20", ""); });
  std::string failure;
  EXPECT_TRUE(runner.RunAll("x.pkt", &failure)) << failure;
}

TEST(CodeBlocks, FailedAssertNamesTheBlocksLine) {
  CodeBlockRunner runner;
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 10}}));
  runner.AddNative(
      5, +[](CodeContext&) {});
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 20}}));
  runner.AddNative(
      12, +[](CodeContext& c) {
        if (!(c.Get("tcpi_snd_cwnd") == 10)) {
          c.Assert(false, "tcpi_snd_cwnd == 10", std::to_string(c.Get("tcpi_snd_cwnd")));
        }
        c.Set("unreached", 1);
      });
  std::string failure;
  EXPECT_FALSE(runner.RunAll("x.pkt", &failure));
  EXPECT_EQ(failure, "x.pkt:12: error in Python code: assert tcpi_snd_cwnd == 10 failed: 20");

  CodeBlockRunner no_message;
  no_message.AddSnapshot(Snapshot({}));
  no_message.AddNative(
      3, +[](CodeContext& c) { c.Assert(false, "tcpi_lost", ""); });
  EXPECT_FALSE(no_message.RunAll("x.pkt", &failure));
  EXPECT_EQ(failure, "x.pkt:3: error in Python code: assert tcpi_lost failed");
}

TEST(CodeBlocks, VariablesPersistButSnapshotsOverwriteTheirNames) {
  CodeBlockRunner runner;
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 10}}));
  runner.AddNative(
      5, +[](CodeContext& c) {
        c.Set("cwnd", 58);
        c.Set("tcpi_snd_cwnd", 99);  // Until the next snapshot, as in Python.
        c.Assert(c.Get("tcpi_snd_cwnd") == 99, "tcpi_snd_cwnd == 99", "");
      });
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 20}}));
  runner.AddNative(
      9, +[](CodeContext& c) {
        c.Assert(c.Get("cwnd") == 58, "cwnd == 58", "");
        c.Assert(c.Get("tcpi_snd_cwnd") == 20, "tcpi_snd_cwnd == 20", "");
      });
  std::string failure;
  EXPECT_TRUE(runner.RunAll("x.pkt", &failure)) << failure;
}

TEST(CodeBlocks, ExplainsNamesTheKernelDidNotProvide) {
  CodeBlockRunner runner;
  runner.AddSnapshot(Snapshot({}, /*tcp_info_len=*/248));
  runner.AddNative(
      7, +[](CodeContext& c) { c.Get("tcpi_delivered_ce_bytes"); });
  std::string failure;
  EXPECT_FALSE(runner.RunAll("x.pkt", &failure));
  EXPECT_EQ(failure,
            "x.pkt:7: error in Python code: NameError: name 'tcpi_delivered_ce_bytes' is not "
            "defined: this kernel's tcp_info has no field tcpi_delivered_ce_bytes (TCP_INFO "
            "returned 248 bytes; the field ends at byte 264)");

  CodeBlockRunner undefined;
  undefined.AddSnapshot(Snapshot({}));
  undefined.AddNative(
      8, +[](CodeContext& c) { c.Get("nope"); });
  EXPECT_FALSE(undefined.RunAll("x.pkt", &failure));
  EXPECT_EQ(failure, "x.pkt:8: error in Python code: NameError: name 'nope' is not defined");
}

TEST(CodeBlocks, RefusesUnsignedValuesBeyondInt64) {
  CodeBlockRunner runner;
  runner.AddSnapshot(Snapshot({{"tcpi_max_pacing_rate", ~0ull}}));
  runner.AddNative(
      4, +[](CodeContext& c) { c.Get("tcpi_max_pacing_rate"); });
  std::string failure;
  EXPECT_FALSE(runner.RunAll("x.pkt", &failure));
  EXPECT_EQ(failure,
            "x.pkt:4: error in Python code: OverflowError: tcpi_max_pacing_rate = "
            "18446744073709551615 does not fit in the 64-bit integers of native code blocks");
}

TEST(CodeBlocks, PrintGoesToTheSink) {
  static std::vector<std::string>* printed = nullptr;
  std::vector<std::string> lines;
  printed = &lines;
  CodeBlockRunner runner;
  runner.set_print_sink([](const std::string& line) { printed->push_back(line); });
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 10}}));
  runner.AddNative(
      2, +[](CodeContext& c) {
        c.Print(std::to_string(c.Get("tcpi_snd_cwnd")));
        c.Print("");
      });
  std::string failure;
  EXPECT_TRUE(runner.RunAll("x.pkt", &failure)) << failure;
  EXPECT_EQ(lines, (std::vector<std::string>{"10", ""}));
}

TEST(CodeBlocks, PythonIntegerOperators) {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(py::FloorDiv(7, 2), 3);
  EXPECT_EQ(py::FloorDiv(-7, 2), -4);
  EXPECT_EQ(py::FloorDiv(7, -2), -4);
  EXPECT_EQ(py::FloorDiv(-8, 2), -4);
  EXPECT_EQ(py::Mod(-7, 2), 1);
  EXPECT_EQ(py::Mod(7, -2), -1);
  EXPECT_EQ(py::Mod(-6, 3), 0);
  EXPECT_EQ(py::Mod(kMin, -1), 0);
  EXPECT_EQ(py::LeftShift(1, 62), std::int64_t{1} << 62);
  EXPECT_EQ(py::LeftShift(-1, 63), kMin);
  EXPECT_EQ(py::RightShift(-7, 1), -4);
  EXPECT_EQ(py::RightShift(-1, 200), -1);
  EXPECT_EQ(py::RightShift(5, 200), 0);
  auto error_of = [](auto f) -> std::string {
    try {
      f();
    } catch (const CodeBlockError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error_of([] { py::FloorDiv(1, 0); }),
            "ZeroDivisionError: integer division or modulo by zero");
  EXPECT_EQ(error_of([] { py::Mod(1, 0); }), "ZeroDivisionError: integer modulo by zero");
  EXPECT_EQ(error_of([] { py::RightShift(1, -1); }), "ValueError: negative shift count");
  EXPECT_EQ(error_of([] { py::LeftShift(3, 62); }),
            "OverflowError: 3 << 62 does not fit in 64 bits (native code blocks use 64-bit "
            "integers)");
  EXPECT_EQ(error_of([&] { py::FloorDiv(kMin, -1); }),
            "OverflowError: -9223372036854775808 // -1 needs 65 bits");
  // Native blocks computed + - * and unary minus in plain C++, where a result past 64 bits is
  // undefined (UBSan in a sanitized test: `tcpi_snd_cwnd * 9223372036854775807`); Python would
  // give the exact value, so they raise OverflowError, as the shifts do.
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(py::Add(kMax - 1, 1), kMax);
  EXPECT_EQ(py::Subtract(kMin + 1, 1), kMin);
  EXPECT_EQ(py::Multiply(-3037000499, 3037000499), -9223372030926249001);
  EXPECT_EQ(py::Negate(kMax), kMin + 1);
  EXPECT_EQ(error_of([&] { py::Add(kMax, 1); }),
            "OverflowError: 9223372036854775807 + 1 does not fit in 64 bits (native code blocks "
            "use 64-bit integers)");
  EXPECT_EQ(error_of([&] { py::Subtract(kMin, 1); }),
            "OverflowError: -9223372036854775808 - 1 does not fit in 64 bits (native code "
            "blocks use 64-bit integers)");
  EXPECT_EQ(error_of([&] { py::Multiply(12, kMax); }),
            "OverflowError: 12 * 9223372036854775807 does not fit in 64 bits (native code "
            "blocks use 64-bit integers)");
  EXPECT_EQ(error_of([&] { py::Negate(kMin); }),
            "OverflowError: -(-9223372036854775808) does not fit in 64 bits (native code "
            "blocks use 64-bit integers)");
}

TEST(CodeBlocks, WritesThePythonProgramPacketdrillWrites) {
  CodeBlockRunner runner;
  TcpInfoSnapshot s = Snapshot({{"tcpi_snd_cwnd", 10}, {"SK_MEMINFO_RCVBUF", 131072}});
  runner.AddSnapshot(s);
  runner.AddPython(12, "assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd");
  std::string program = runner.PythonProgram("dir/it's.pkt");
  // The preamble's hook names the failing block.
  EXPECT_EQ(program.find("import sys\nimport traceback\n"), 0u);
  EXPECT_NE(program.find("error in Python code"), std::string::npos);
  // Then the snapshot: constants and tcp_info, a blank line, the (empty) TCP_CC_INFO, a blank
  // line, SO_MEMINFO, a blank line; then the block.
  std::string::size_type vars = program.find("TCP_ESTABLISHED = 1\n");
  ASSERT_NE(vars, std::string::npos);
  EXPECT_NE(program.find("tcpi_snd_cwnd = 10\n", vars), std::string::npos);
  EXPECT_NE(program.find("tcpi_received_ce_bytes = 0\n\n\nSK_MEMINFO_RMEM_ALLOC = 0\n"
                         "SK_MEMINFO_RCVBUF = 131072\n",
                         vars),
            std::string::npos);
  const std::string tail =
      "SK_MEMINFO_DROPS = 0\n\n"
      "_file = 'dir/it\\'s.pkt'\n"
      "_line = 12\n"
      "assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd\n\n";
  ASSERT_GE(program.size(), tail.size());
  EXPECT_EQ(program.substr(program.size() - tail.size()), tail);
}

TEST(CodeBlocks, RunsPythonBlocksInOneNamespace) {
  if (!HavePython3()) GTEST_SKIP() << "no python3";
  CodeBlockRunner runner;
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 10}}));
  runner.AddPython(5, "base = tcpi_snd_cwnd");
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 20}}));
  runner.AddPython(9, "assert tcpi_snd_cwnd == base + 10, tcpi_snd_cwnd;\\\n");
  std::string failure;
  EXPECT_TRUE(runner.RunAll("x.pkt", &failure)) << failure;
}

TEST(CodeBlocks, PythonFailureCarriesTheTraceback) {
  if (!HavePython3()) GTEST_SKIP() << "no python3";
  CodeBlockRunner runner;
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 10}}));
  runner.AddPython(5, "pass");
  runner.AddSnapshot(Snapshot({{"tcpi_snd_cwnd", 20}}));
  runner.AddPython(12, "assert tcpi_snd_cwnd == 10, 'cwnd=%d' % tcpi_snd_cwnd");
  std::string failure;
  EXPECT_FALSE(runner.RunAll("x.pkt", &failure));
  EXPECT_EQ(failure.find("x.pkt:12: error in Python code\n"), 0u) << failure;
  EXPECT_NE(failure.find("AssertionError: cwnd=20\n"), std::string::npos) << failure;
  const std::string last = "x.pkt: error executing code: 'python3' returned non-zero status 1";
  ASSERT_GE(failure.size(), last.size());
  EXPECT_EQ(failure.substr(failure.size() - last.size()), last);
}

TEST(CodeBlocks, ReportsAMissingInterpreter) {
  CodeBlockRunner runner("/nonexistent/python3");
  runner.AddSnapshot(Snapshot({}));
  runner.AddPython(5, "pass");
  std::string failure;
  EXPECT_FALSE(runner.RunAll("x.pkt", &failure));
  EXPECT_NE(failure.find("x.pkt: error executing code: '/nonexistent/python3' returned non-zero "
                         "status 127 (is /nonexistent/python3 installed?)"),
            std::string::npos)
      << failure;
}

TEST(CodeBlocks, NothingToRunSucceeds) {
  CodeBlockRunner runner;
  EXPECT_TRUE(runner.empty());
  std::string failure;
  EXPECT_TRUE(runner.RunAll("x.pkt", &failure));
}

}  // namespace
}  // namespace pktc::rt
