// The checked, resolved form of a script that codegen consumes: every symbol is a number,
// every argument has the shape its system call needs, every time is in microseconds.
#ifndef PKTC_COMPILER_IR_H_
#define PKTC_COMPILER_IR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pktc::ir {

enum class TimeKind { kAbsolute, kRelative, kAny, kAbsoluteRange, kRelativeRange };

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
  std::string name;
  std::vector<std::int64_t> values;
  std::vector<std::uint8_t> blob;
};

struct TcpPacket {
  bool inbound = true;
  std::optional<std::uint8_t> tos, ecn, ttl;
  bool ecn_ect01 = false;
  std::optional<std::uint32_t> flowlabel;
  std::uint16_t flags = 0;
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

struct Expect {
  std::int64_t result = 0;
  std::string errno_name;  ///< Empty when errno is not checked.
  int errno_value = 0;
};

struct Sockopt {
  enum class Kind { kInt, kString, kLinger, kMd5Key, kEllipsis } kind = Kind::kInt;
  Int int_value;
  std::string string_value;
  Int linger_onoff, linger_seconds;
};

struct Cmsg {
  Int level, type, data;
};

struct MsgHdr {
  std::vector<std::int64_t> iov_lengths;
  Int flags;
  bool has_control = false;
  std::vector<Cmsg> control;
};

struct Syscall {
  enum class Kind {
    kSocket,
    kBind,
    kListen,
    kAccept,
    kConnect,
    kClose,
    kShutdown,
    kRead,
    kWrite,
    kRecv,
    kSend,
    kRecvmsg,
    kFcntl,
    kSetsockopt,
    kGetsockopt,
  };
  Kind kind = Kind::kSocket;
  std::string name;
  std::vector<Int> ints;  ///< The integer arguments in call order (fd, level, name, len...).
  std::optional<Int> fcntl_arg;
  Sockopt sockopt;
  MsgHdr msg;
  Expect expect;
};

struct Command {
  std::string text;
};

struct Event {
  unsigned line = 0;
  std::string source_text;  ///< The event's text in the script, for a comment in the output.
  Time time;
  std::variant<TcpPacket, Syscall, Command> action;
};

struct EmbeddedFile {
  std::string path;  ///< As the command names it, relative to the script directory.
  std::string contents;
  unsigned mode = 0644;
};

struct Script {
  std::string path;  ///< As given on the command line.
  std::string name;  ///< Test name: file name without .pkt.
  std::vector<std::pair<std::string, std::optional<std::string>>> header_options;
  std::optional<std::string> init_command;
  std::optional<std::string> cleanup_command;
  std::vector<EmbeddedFile> files;
  std::vector<Event> events;
};

}  // namespace pktc::ir

#endif  // PKTC_COMPILER_IR_H_
