// The checked, resolved form of a script that codegen consumes: every symbol is a number,
// every argument has the shape its system call needs, every time is in microseconds.
#ifndef PKTC_COMPILER_IR_IR_H_
#define PKTC_COMPILER_IR_IR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "frontend/python_ast.h"
#include "pktc/syscall.h"
#include "pktc/time_kind.h"

namespace pktc::ir {

/// The forms of an event time: one list for the parser, the IR and the runtime.
using TimeKind = pktc::TimeKind;

/// Where an IR node came from, for diagnostics in later stages.
struct SourceLocation {
  const char* pointer = nullptr;  ///< Into the SourceMgr's buffer (an llvm::SMLoc).
};

struct Time {
  TimeKind kind = TimeKind::kAbsolute;
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
};

/// An integer operand. `spelling` keeps the script's names (O_RDWR|O_NONBLOCK) for comments.
/// A value that came from a -D define (or a harness define such as CMSG_LEVEL_IP) keeps its
/// name and per-family values, so the test binary can pick the family's value and honour
/// `-D NAME=VALUE` given at run time.
struct Int {
  std::int64_t value = 0;
  std::string spelling;
  bool is_ellipsis = false;
  std::string define;
  std::int64_t ipv6_value = 0;  ///< Only meaningful when `define` is set.
};

struct TcpOption {
  std::string name;  ///< nop eol mss wscale sackOK sack TS FO FOEXP md5 ECN
  std::vector<std::int64_t> values;
  std::vector<std::uint8_t> blob;
  /// FO/FOEXP cookie that comes from a define: per-family bytes, overridable at run time.
  std::string blob_define;
  std::vector<std::uint8_t> blob_ipv6;
  std::uint8_t ecn_kind = 0;  ///< 172 or 174
};

struct IpFields {
  std::optional<std::uint8_t> tos, ecn, ttl;
  bool ecn_ect01 = false;
  std::optional<std::uint32_t> flowlabel;
};

/// One outer header of an encapsulated packet (docs/pkt-language.md section 4.8); a packet
/// lists them outermost first, before its own IP header.
struct Encap {
  enum class Kind { kIpv4, kIpv6, kGre, kMpls };
  struct MplsEntry {
    std::uint32_t label = 0;  ///< 20 bits
    std::uint8_t tc = 0;      ///< 3 bits
    bool bottom = false;      ///< [S]
    std::uint8_t ttl = 0;
  };
  Kind kind = Kind::kIpv4;
  std::string text;  ///< As written (ast::Encap::Dump), for comments and --emit=ir.
  // kIpv4, kIpv6: literal addresses (never remapped), the TOS / traffic class byte, the TTL /
  // hop limit (0: packetdrill's default, 255 inbound and unchecked outbound).
  std::string src, dst;
  std::uint8_t tos = 0, ttl = 0;
  // kGre (all zero for a plain `gre:`).
  std::uint16_t gre_flags = 0, gre_sum = 0, gre_off = 0;
  std::uint32_t gre_key = 0, gre_seq = 0;
  // kMpls
  std::vector<MplsEntry> mpls;
};

struct TcpPacket {
  bool inbound = true;
  std::vector<Encap> encap;
  IpFields ip;
  std::uint16_t flags = 0;
  std::optional<std::uint8_t> ace;
  std::string flags_text;
  std::uint32_t seq = 0;
  std::uint32_t len = 0;
  std::uint32_t ack = 0;
  std::optional<std::uint16_t> win;
  std::uint16_t urg = 0;
  bool any_options = false;
  std::vector<TcpOption> options;
  std::uint16_t src_port = 0, dst_port = 0;
};

struct UdpPacket {
  bool inbound = true;
  std::vector<Encap> encap;
  IpFields ip;
  std::uint16_t len = 0;
  std::uint16_t src_port = 0, dst_port = 0;
};

struct IcmpPacket {
  bool inbound = true;
  std::vector<Encap> encap;
  IpFields ip;
  std::optional<std::pair<std::uint8_t, std::uint8_t>> v4, v6;  ///< type, code per family
  std::optional<std::uint32_t> mtu;
  std::optional<std::uint16_t> id;
  std::string echoed = "tcp";
  std::uint32_t echoed_seq = 0, echoed_len = 0;
};

struct Expect {
  std::int64_t result = 0;
  std::string errno_name;  ///< Empty when errno is not checked.
  int errno_value = 0;
};

struct Value;
struct Field;

/// A syscall argument with every symbol resolved (see rt::Value).
struct Value {
  enum class Kind { kEllipsis, kInt, kString, kList, kStruct } kind = Kind::kEllipsis;
  Int int_value;
  std::string bytes;
  /// For bytes built from a `{flags ...}` GRE header or a `{(label ...)}` MPLS stack: the
  /// script's form, for a comment in the generated code.
  std::string spelling;
  bool truncated = false;
  std::vector<Value> items;
  std::vector<Field> fields;
};

struct Field {
  std::string name;
  std::vector<Value> paren;
  Value value;
};

struct Syscall {
  SyscallId id{};
  std::string name;
  std::vector<Value> args;
  Expect expect;
  std::optional<Time> returns;  ///< Blocking calls: when the call must return.
  /// A call packetdrill can parse but fails when it runs (an unknown call or symbol, a wrong
  /// argument count or form): the message the run fails with at this line. `id` and `args`
  /// are then meaningless.
  std::optional<std::string> failure;
};

struct Command {
  std::string text;
};

/// A `%{ }%` block: its parsed statements, which codegen emits as a C++ function (native), or
/// its Python text (fallback).
struct Code {
  std::string function_name;  ///< native
  py::Block block;            ///< native
  std::string python_text;
  bool native = true;
};

struct Event {
  unsigned line = 0;
  std::string source_text;  ///< The event's text in the script, for a comment in the output.
  SourceLocation loc;
  Time time;
  std::variant<TcpPacket, UdpPacket, IcmpPacket, Syscall, Command, Code> action;
};

/// A semantic error of one IP family only (an ICMP name the other family has): packetdrill
/// reports it at its line before that family's run does anything.
struct FamilyError {
  unsigned line = 0;
  int family = 4;  ///< 4: ipv4 and ipv4-mapped-ipv6 (IPv4 on the wire); 6: ipv6.
  std::string message;
};

struct EmbeddedFile {
  std::string path;  ///< As the command names it, relative to the script directory.
  std::string contents;
  unsigned mode = 0644;
  std::string source_path;  ///< Where it was read from (for dependency files).
};

struct Script {
  std::string path;  ///< As given on the command line.
  std::string name;  ///< Test name: file name without .pkt.
  std::string text;  ///< The file's bytes, embedded for wire mode (set by the driver).
  std::vector<std::pair<std::string, std::optional<std::string>>> header_options;
  std::optional<std::string> init_command;
  std::optional<std::string> cleanup_command;
  std::vector<EmbeddedFile> files;
  std::vector<Event> events;
  /// In line order; a family's run fails at the first of its own.
  std::vector<FamilyError> family_errors;
  /// PSP or other constructs the runtime cannot execute, as (loc, message):
  /// codegen reports them; --check accepts them.
  std::vector<std::pair<SourceLocation, std::string>> unsupported;
};

}  // namespace pktc::ir

#endif  // PKTC_COMPILER_IR_IR_H_
