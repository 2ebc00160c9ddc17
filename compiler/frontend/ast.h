// Abstract syntax tree of a .pkt script, as written (before symbols and families are resolved).
#ifndef PKTC_COMPILER_FRONTEND_AST_H_
#define PKTC_COMPILER_FRONTEND_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pktc/time_kind.h"

#include "support/diagnostics.h"

namespace pktc::ast {

struct Expr;

struct IpInfo {
  std::optional<std::string> ecn;  ///< noecn ect0 ect1 ce ect01
  std::optional<std::int64_t> tos;
  std::optional<std::int64_t> ttl;
  std::optional<std::int64_t> flowlabel;
  SourceRange range;
};

/// One MPLS label stack entry: `(label L, tc T, [S], ttl N)`.
struct MplsEntry {
  std::int64_t label = 0, tc = 0, ttl = 0;
  bool bottom = false;  ///< `[S]`
  SourceRange range;
};

/// A GRE header's fields: `flags [...] sum N off N key [=] N seq N`, or nothing for `gre:`.
struct GreHeader {
  bool full = false;  ///< The field list was written (else a plain 4-byte header).
  std::int64_t flags = 0, sum = 0, off = 0, key = 0, seq = 0;
  SourceRange flags_range, sum_range, off_range, key_range, seq_range;
};

/// An encapsulation header before the inner packet (`ipv4 A > B:`, `gre:`, `mpls ...:`); also
/// the `{flags ...}` and `{(label ...)...}` syscall arguments (a GRE header, an MPLS stack).
struct Encap {
  std::string kind;  ///< ipv4, ipv6, gre, mpls
  SourceRange range;
  // ipv4, ipv6: literal addresses, never remapped.
  IpInfo ip;
  bool has_ip_info = false;
  std::string src, dst;
  SourceRange src_range, dst_range;
  GreHeader gre;
  std::vector<MplsEntry> mpls;

  /// The header in the script's own syntax, without the final ':' (`gre flags 0x2000 sum 0 off
  /// 0 key 7 seq 0`, `mpls (label 100, tc 0, [S], ttl 64)`).
  std::string Dump() const;
};

/// `name(paren)=value` inside `{...}`, e.g. `msg_iov(1)=[...]` or `cmsg_level=SOL_TCP`.
struct Field {
  std::string name;
  SourceRange name_range;
  std::unique_ptr<Expr> paren;  ///< The `(...)` after the name, if any.
  std::unique_ptr<Expr> value;
};

/// A syscall argument or result expression.
struct Expr {
  enum class Kind {
    kEllipsis,  ///< `...`
    kInteger,   ///< 42, -1, 0x10
    kSymbol,    ///< SOCK_STREAM (resolved by sema)
    kString,    ///< "abc" (concatenated), possibly truncated: "abc"...
    kOr,        ///< a | b  (operands in `items`)
    kList,      ///< [a, b]
    kStruct,    ///< {a, name=b, ...}: positional `items` and named `fields`, in source order
    kCall,      ///< htons(8080), inet_addr("1.2.3.4"): `text` is the function, `items` the args
    kEncap,     ///< {flags [...] sum N off N key N seq N} or {(label ...)...}: `encap`
  };
  Kind kind = Kind::kEllipsis;
  SourceRange range;
  std::int64_t int_value = 0;
  bool is_hex = false;
  std::string text;
  bool truncated = false;
  std::string define_name;  ///< The -D name this value came from, if any.
  std::vector<Expr> items;
  std::vector<Field> fields;
  std::shared_ptr<const Encap> encap;  ///< kEncap: kind "gre" or "mpls".

  /// Compact one-line form for tests: `{msg_iov(1)=[{..., 100}], msg_flags=0}`.
  std::string Dump() const;
};

/// The forms of an event time: one list for the parser, the IR and the runtime.
using TimeKind = pktc::TimeKind;

/// An event time in microseconds.
struct Time {
  TimeKind kind = TimeKind::kAbsolute;
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
  SourceRange range;
};

struct TcpOption {
  std::string name;  ///< nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5, ECN
  SourceRange range;
  std::vector<std::int64_t> values;  ///< mss/wscale value; TS val, ecr; sack edges
  std::vector<std::uint8_t> blob;    ///< FO/FOEXP cookie, md5 digest
  /// FO/FOEXP cookie given as a define name that is not hex (TFO_COOKIE): resolved per family.
  std::string blob_define;
  /// ECN (AccECN): counter names in order (e0b, ceb, e1b), values in `values`.
  std::vector<std::string> ecn_fields;
};

struct Packet {
  enum class Protocol { kTcp, kUdp, kIcmp };
  char direction = '<';  ///< '<' inbound, '>' outbound
  SourceRange direction_range;
  Protocol protocol = Protocol::kTcp;
  IpInfo ip;
  bool has_ip_info = false;
  std::optional<std::pair<std::int64_t, std::int64_t>> ports;
  std::string flags;
  SourceRange flags_range;
  std::int64_t seq_start = 0, seq_end = 0, seq_len = 0;
  SourceRange seq_range;
  std::optional<std::int64_t> ack, win, urg;
  bool has_options = false;
  bool any_options = false;  ///< <...>
  std::vector<TcpOption> options;
  std::int64_t udp_len = 0;
  std::vector<Encap> encaps;
  bool psp = false;
  // ICMP
  std::string icmp_type, icmp_code;
  SourceRange icmp_range;
  std::optional<std::int64_t> icmp_mtu, icmp_id;
  std::string icmp_echoed = "tcp";  ///< tcp, udp, raw
  std::int64_t echoed_start = 0, echoed_end = 0, echoed_len = 0;
};

struct Syscall {
  std::string name;
  SourceRange name_range;
  std::vector<Expr> args;
  SourceRange args_range;
  Expr result;
  std::string errno_name;
  SourceRange errno_range;
  std::optional<Time> blocking_end;  ///< `... T` form
};

struct Command {
  std::string text;
  SourceRange range;
};

struct Code {
  std::string text;
  SourceRange range;
};

struct Event {
  Time time;
  std::variant<Packet, Syscall, Command, Code> action;
  SourceRange range;
};

struct Option {
  std::string name;
  std::optional<std::string> value;
  SourceRange range;
};

struct Script {
  std::vector<Option> options;
  std::optional<Command> init_command;
  std::optional<Command> cleanup_command;
  std::vector<Event> events;
};

}  // namespace pktc::ast

#endif  // PKTC_COMPILER_FRONTEND_AST_H_
