// The API that pktc-generated test programs call: script description, events, packets, syscalls.
//
// Generated code only describes data and calls these functions; every algorithm (timing, packet
// matching, sequence remapping, reporting) lives in the runtime library (libpktc_runtime.a).
// This header is deliberately small and template-free so that a generated file compiles fast:
// the special members of the value types are defined in the library, and the std::vector
// specializations they use are instantiated there once (see the extern templates below), so
// a generated file instantiates and emits almost nothing of its own.
#ifndef PKTC_RUNTIME_H_
#define PKTC_RUNTIME_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "syscall.h"
#include "time_kind.h"

// pktc defines PKTC_NO_PCH where no precompiled runtime.h was built with the flags it compiles
// generated code with (a --sanitize list other than the sanitized runtime's): GCC refuses a
// precompiled header in which a macro now defined was tested, and would otherwise take one
// built for other flags (it does not compare -fsanitize=undefined).
#ifdef PKTC_NO_PCH
#endif

namespace pktc::rt {

/// Version of the runtime ABI that generated code was written against.
inline constexpr int kRuntimeAbiVersion = 3;

// ---------------------------------------------------------------------------------------------
// Script description

/// A helper file that a shell command of the script references (e.g. `./defaults.sh`). Its
/// bytes are embedded at compile time and written to a private directory before the run.
struct EmbeddedFile {
  const char* path;  ///< Relative to the script's directory, as the command names it.
  const char* data;
  std::size_t size;
  unsigned mode;  ///< Permission bits of the original file.
};

/// A `--name=value` line from the script header (applied before the command line).
struct HeaderOption {
  const char* name;
  const char* value;  ///< nullptr for a flag without value.
};

class Run;

/// Everything the runtime needs to know about one compiled script.
/// A semantic error of one IP family: packetdrill resolves ICMP names for the family it runs,
/// so a name only the other family has fails this family's run at its line, before anything.
struct FamilyError {
  unsigned line;
  int family;  ///< 4: ipv4 and ipv4-mapped-ipv6 (IPv4 on the wire); 6: ipv6.
  const char* message;
};

struct ScriptInfo {
  const char* path;  ///< The `.pkt` path as given to pktc; used in messages.
  const char* name;  ///< Test name (file name without `.pkt`), used in KTAP.
  const HeaderOption* header_options;
  std::size_t header_option_count;
  const EmbeddedFile* files;
  std::size_t file_count;
  const char* init_command;     ///< Untimed command before the first event, or nullptr.
  const char* cleanup_command;  ///< Untimed command after the last event, or nullptr.
  void (*body)(Run&);           ///< The events, in script order.
  /// The script file as pktc read it. A wire client sends it to the server, which parses it
  /// (packetdrill) or accepts only the script it was compiled from (pktc).
  const char* text = nullptr;
  std::size_t text_size = 0;
  const FamilyError* family_errors = nullptr;  ///< In line order.
  std::size_t family_error_count = 0;
};

/// Entry point of every generated program: parses flags, runs the script once per IP family in
/// a network namespace of its own, prints KTAP and returns the kselftest exit code (0/1/4).
int Main(int argc, char** argv, const ScriptInfo& script);

/// Entry point of a suite binary (`pktc a.pkt b.pkt -o suite`): `count` scripts linked into one
/// executable. `suite NAME [flags]` is that script's Main; `suite [--list] [--filter=GLOB]
/// [flags]` runs each selected script as its own binary would, in a child process, and prints
/// nested KTAP with one subtest per script (runtime/harness/suite_main.cc).
int SuiteMain(int argc, char** argv, const ScriptInfo* const* scripts, std::size_t count);

// ---------------------------------------------------------------------------------------------
// Events and their times

/// The forms of an event time (pktc/time_kinds.def).
using pktc::TimeKind;
/// The system calls a script may make (pktc/syscalls.def).
using pktc::SyscallId;

/// An event's time as written in the script, in microseconds.
struct EventTime {
  TimeKind kind;
  std::int64_t start_us;
  std::int64_t end_us;
};

constexpr EventTime At(std::int64_t us) { return {TimeKind::kAbsolute, us, us}; }
constexpr EventTime Plus(std::int64_t us) { return {TimeKind::kRelative, us, us}; }
constexpr EventTime AnyTime() { return {TimeKind::kAnyTime, 0, 0}; }
constexpr EventTime Between(std::int64_t a, std::int64_t b) {
  return {TimeKind::kAbsoluteRange, a, b};
}
constexpr EventTime PlusBetween(std::int64_t a, std::int64_t b) {
  return {TimeKind::kRelativeRange, a, b};
}

/// Where an event stands in the script: its first line and its time.
struct Event {
  int line;
  EventTime time;
  /// For a blocking system call (`T1...T2 call()`), when it must return (same base as `time`);
  /// -1 for every other event.
  std::int64_t returns_us = -1;
};

// ---------------------------------------------------------------------------------------------
// Packets

/// TCP header flag bits as the script spells them (S F R P U . E W A).
enum TcpFlag : std::uint16_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
  kUrg = 0x20,
  kEce = 0x40,
  kCwr = 0x80,
  kAe = 0x100,
};

/// One TCP option, encoded exactly as it goes on the wire (kind, length, data).
struct TcpOption {
  std::vector<std::uint8_t> bytes;
  ~TcpOption();
};

namespace opt {
TcpOption Nop();
TcpOption Eol();
TcpOption Mss(std::uint16_t mss);
TcpOption WScale(std::uint8_t shift);
TcpOption SackOk();
TcpOption Sack(std::initializer_list<std::uint32_t> edges);  ///< left, right, left, right...
TcpOption Timestamp(std::uint32_t val, std::uint32_t ecr);
TcpOption FastOpen(const std::vector<std::uint8_t>& cookie);
TcpOption FastOpenExp(const std::vector<std::uint8_t>& cookie);
/// AccECN option: kind 172 (order 0: E0B, CEB, E1B) or 174 (order 1: E1B, CEB, E0B), with the
/// listed 24-bit counters in that order.
TcpOption AccEcn(std::uint8_t kind, std::initializer_list<std::uint32_t> counters);
TcpOption Md5(std::initializer_list<std::uint8_t> digest);
}  // namespace opt

/// IP-level fields a packet line may set or check (`[tos 0x10]`, `[ect0]`, `(ttl 64)`...).
struct IpInfo {
  std::optional<std::uint8_t> tos;  ///< Whole TOS / traffic class byte.
  std::optional<std::uint8_t> ecn;  ///< Only the two ECN bits.
  bool ecn_ect01 = false;           ///< Outbound: ECT(0) or ECT(1) accepted.
  std::optional<std::uint8_t> ttl;  ///< TTL / hop limit.
  std::optional<std::uint32_t> flowlabel;
};

/// The pieces of an outer header as the script writes them (docs/pkt-language.md section 4.8).
namespace encap {
/// `ipv4 [tos 0x10, ttl 64] A > B:`: the TOS / traffic class byte (an ECN keyword gives its
/// two bits) and the TTL / hop limit, 0 for packetdrill's default (255 inbound, unchecked
/// outbound).
struct OuterIp {
  std::uint8_t tos = 0;
  std::uint8_t ttl = 0;
};
/// `gre flags F sum N off N key N seq N:`, all zero for a plain `gre:`. The flags are the
/// header's first 16 bits (0x8000 checksum, 0x2000 key, 0x1000 sequence present); the optional
/// words follow in that order, each only when its flag is set. With the checksum flag, `sum 0`
/// is the correct checksum: computed inbound, verified outbound.
struct GreFields {
  std::uint16_t flags = 0;
  std::uint16_t sum = 0;
  std::uint16_t off = 0;
  std::uint32_t key = 0;
  std::uint32_t seq = 0;
};
/// `(label L, tc T, [S], ttl N)`: one label stack entry, the bottom-of-stack bit as written.
struct MplsEntry {
  std::uint32_t label = 0;
  std::uint8_t tc = 0;
  bool bottom = false;
  std::uint8_t ttl = 0;
};
/// packetdrill's MPLS_STACK_MAX_ENTRIES.
inline constexpr int kMaxMplsEntries = 6;
}  // namespace encap

/// One outer header of an encapsulated packet. A packet's `encap` lists them outermost first,
/// before the packet's own IP header; its addresses (remapped as usual) and socket are those of
/// the inner packet, while an outer header's addresses are literal, never remapped.
struct EncapHeader {
  enum class Kind : std::uint8_t { kIpv4, kIpv6, kGre, kMpls };
  Kind kind = Kind::kIpv4;
  const char* src = nullptr;  ///< kIpv4 / kIpv6: "192.168.0.2", "fd3d:a0b:17d6::2"
  const char* dst = nullptr;
  encap::OuterIp ip;            ///< kIpv4 / kIpv6
  encap::GreFields gre;         ///< kGre
  std::uint8_t mpls_count = 0;  ///< kMpls
  encap::MplsEntry mpls[encap::kMaxMplsEntries] = {};
};

namespace encap {
EncapHeader Ipv4(const char* src, const char* dst, OuterIp ip = {});
EncapHeader Ipv6(const char* src, const char* dst, OuterIp ip = {});
EncapHeader Gre(GreFields fields = {});
EncapHeader Mpls(std::initializer_list<MplsEntry> entries);
}  // namespace encap

/// A TCP segment line: `<dir> [outer headers:] [ip] FLAGS START:END(LEN) [ack A] [win W] [urg U]
/// [<options>]`.
struct TcpSegment {
  std::vector<EncapHeader> encap;  ///< Outermost first; empty for a plain IP packet.
  IpInfo ip;
  std::uint16_t flags = 0;
  /// AccECN: the script wrote the ACE field as a digit (`S.5`): compare AE/CWR/ECE as this
  /// 3-bit value instead of as separate flags.
  std::optional<std::uint8_t> ace;
  std::uint32_t seq = 0;  ///< START as written (absolute on SYN, ISN-relative otherwise).
  std::uint32_t len = 0;  ///< Payload bytes (END - START).
  std::uint32_t ack = 0;
  std::optional<std::uint16_t> win;  ///< Required inbound; unchecked outbound when absent.
  std::uint16_t urg = 0;
  bool any_options = false;  ///< `<...>`: options not checked (outbound only).
  std::vector<TcpOption> options;
  std::uint16_t src_port = 0;  ///< Explicit `sport>dport` ports, 0 when absent.
  std::uint16_t dst_port = 0;
  ~TcpSegment();
};

/// A UDP datagram line: `<dir> [outer headers:] [ip] udp [sport>dport] (LEN)`.
struct UdpDatagram {
  std::vector<EncapHeader> encap;
  IpInfo ip;
  std::uint16_t len = 0;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  ~UdpDatagram();
};

/// An ICMP/ICMPv6 line: `<dir> [outer headers:] [ip] icmp TYPE [CODE] [mtu N] [id N] [echoed]`.
/// Type and code are resolved per family at compile time.
struct IcmpMessage {
  std::vector<EncapHeader> encap;
  IpInfo ip;
  std::uint8_t type_v4 = 0, code_v4 = 0;
  std::uint8_t type_v6 = 0, code_v6 = 0;
  bool has_v4 = false, has_v6 = false;  ///< Whether the names exist in each family.
  std::optional<std::uint32_t> mtu;
  std::optional<std::uint16_t> id;
  enum class Echoed : std::uint8_t { kTcp, kUdp, kRaw } echoed = Echoed::kTcp;
  std::uint32_t echoed_seq = 0;  ///< TCP: the echoed segment's START (remapped).
  std::uint32_t echoed_len = 0;
  ~IcmpMessage();
};

// ---------------------------------------------------------------------------------------------
// System call arguments

/// A system call argument as the script wrote it, with every symbol already a number:
/// `...`, an integer, a string, a list `[...]`, or a struct `{a, name=b, name(c)=d}`.
struct Value {
  enum class Kind : std::uint8_t { kEllipsis, kInt, kString, kList, kStruct };
  struct Field;
  Kind kind = Kind::kEllipsis;
  std::int64_t i = 0;
  std::string s;
  bool truncated = false;  ///< `"abc"...`
  std::vector<Value> items;
  std::vector<Field> fields;

  /// The named field, or nullptr.
  const Value* Find(const char* name) const;
  /// The `(...)` argument of a named field such as msg_iov(2), or nullptr.
  const Value* FindParen(const char* name) const;

  Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();
};
struct Value::Field {
  const char* name = nullptr;
  std::vector<Value> paren;  ///< Zero or one value: `msg_iov(1)` holds 1.
  Value value;

  Field();
  Field(const char* name, std::vector<Value> paren, Value value);
  Field(const Field&);
  Field(Field&&) noexcept;
  Field& operator=(const Field&);
  Field& operator=(Field&&) noexcept;
  ~Field();
};

Value Dots();
Value Int(std::int64_t v);
Value Str(std::string s, bool truncated = false);
Value List(std::vector<Value> items);
Value Struct(std::vector<Value> items, std::vector<Value::Field> fields = {});
/// A list with `NAME=value` elements (cmsg_data lists of TCP_NLA_* statistics).
Value ListWithFields(std::vector<Value> items, std::vector<Value::Field> fields);
Value::Field Named(const char* name, Value value);
Value::Field NamedWithArg(const char* name, Value arg, Value value);

/// The expected outcome of a system call: `= R [ERRNO (note)]`.
struct Expect {
  std::int64_t result;
  int err = 0;  ///< 0: errno not checked.
  const char* err_name = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Code blocks (`%{ ... }%`)

/// What a compiled code block sees. Like packetdrill, blocks run after the last event, in
/// script order, each against the TCP_INFO / TCP_CC_INFO / SO_MEMINFO snapshot taken at its
/// event time; variables assigned by one block are visible to later blocks.
class CodeContext {
 public:
  virtual ~CodeContext() = default;
  /// A tcpi_* field of the snapshot, a constant (TCP_CA_Open, TCPI_OPT_SACK...) or a variable an
  /// earlier block assigned. Fails the test, naming the block's line, if the name is unknown or
  /// the running kernel's tcp_info is too short to hold the field.
  virtual std::int64_t Get(const char* name) = 0;
  virtual void Set(const char* name, std::int64_t value) = 0;
  /// Fails the test with `source` (the assert's text) and `message` unless `ok`.
  virtual void Assert(bool ok, const char* source, const std::string& message) = 0;
  virtual void Print(const std::string& text) = 0;
};
using CodeFn = void (*)(CodeContext&);

/// Python's integer operators where C++ differs, for compiled code blocks (defined in
/// runtime/exec/code_block_runner.cc). Like Python they end the block with an error on division by zero
/// or a negative shift count; a result beyond 64 bits is an error too (native code blocks
/// compute in 64 bits, where Python's integers are unbounded).
namespace py {
// Python's integers have no limit; native code blocks' have 64 bits. Where a result does not
// fit, these raise OverflowError rather than wrap (in C++, signed overflow is undefined).
std::int64_t Add(std::int64_t a, std::int64_t b);         ///< a + b
std::int64_t Subtract(std::int64_t a, std::int64_t b);    ///< a - b
std::int64_t Multiply(std::int64_t a, std::int64_t b);    ///< a * b
std::int64_t Negate(std::int64_t a);                      ///< -a
std::int64_t FloorDiv(std::int64_t a, std::int64_t b);    ///< a // b: rounds toward -infinity.
std::int64_t Mod(std::int64_t a, std::int64_t b);         ///< a % b: takes the sign of b.
std::int64_t LeftShift(std::int64_t a, std::int64_t b);   ///< a << b
std::int64_t RightShift(std::int64_t a, std::int64_t b);  ///< a >> b: rounds toward -infinity.
}  // namespace py

// ---------------------------------------------------------------------------------------------
// The per-family run context the generated body drives.

/// Executes the events of one run (one IP family). Every method waits for the event's time,
/// performs it, checks the outcome and, on a mismatch, reports `script.pkt:LINE: ...` and ends
/// the run as failed. Methods return only on success.
class Run {
 public:
  virtual ~Run() = default;

  /// A `-D` name the script uses as a value. `ipv4`/`ipv6` give its compile-time value per
  /// family; `-D NAME=VALUE` on the test binary's command line overrides both.
  virtual std::int64_t Define(const char* name, std::int64_t ipv4, std::int64_t ipv6) = 0;

  virtual void Inbound(const Event& ev, const TcpSegment& packet) = 0;
  virtual void Outbound(const Event& ev, const TcpSegment& packet) = 0;
  virtual void Command(const Event& ev, const char* shell_text) = 0;
  /// A code block compiled to native code: snapshot now, run `fn` after the last event.
  virtual void Code(const Event& ev, CodeFn fn) = 0;
  /// A code block pktc could not compile: run as Python (python3) after the last event, as
  /// packetdrill does.
  virtual void CodePython(const Event& ev, const char* python_text) = 0;

  /// Byte-string defines (TFO cookies): like Define, overridable with a hex `-D NAME=...`.
  virtual std::vector<std::uint8_t> DefineBytes(const char* name, std::vector<std::uint8_t> ipv4,
                                                std::vector<std::uint8_t> ipv6) = 0;

  virtual void Inbound(const Event& ev, const UdpDatagram& packet) = 0;
  virtual void Outbound(const Event& ev, const UdpDatagram& packet) = 0;
  virtual void Inbound(const Event& ev, const IcmpMessage& packet) = 0;
  virtual void Outbound(const Event& ev, const IcmpMessage& packet) = 0;

  /// A system call (pktc/syscalls.def) with its arguments (`args` is consumed).
  virtual void Syscall(const Event& ev, SyscallId call, std::vector<Value> args,
                       const Expect& expect) = 0;
  /// A call that fails when it runs, as packetdrill's does (an unknown call or symbol, a wrong
  /// argument count...; pktc warned when it compiled): at its time, "runtime error in NAME
  /// call: MESSAGE".
  virtual void FailingSyscall(const Event& ev, const char* name, const char* message) = 0;
};

}  // namespace pktc::rt

// Instantiated once in the runtime library (values.cc), not in every generated file.
extern template class std::vector<pktc::rt::Value>;
extern template class std::vector<pktc::rt::Value::Field>;
extern template class std::vector<pktc::rt::TcpOption>;
extern template class std::vector<pktc::rt::EncapHeader>;
extern template class std::vector<std::uint8_t>;

#endif  // PKTC_RUNTIME_H_
