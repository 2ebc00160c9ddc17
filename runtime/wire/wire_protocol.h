// packetdrill's wire protocol (gtests/net/packetdrill/wire_protocol.h): the messages a wire client
// and a wire server exchange over one TCP connection, each framed by a header of two big-endian
// 32-bit words (the length including the header, and the op), and the connection that carries
// them, with a deadline on every wait.
#ifndef PKTC_RUNTIME_WIRE_WIRE_PROTOCOL_H_
#define PKTC_RUNTIME_WIRE_WIRE_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "net/packet_codec.h"

namespace pktc::rt {

/// The message kinds, numbered as packetdrill's enum wire_op_t.
enum class WireOp : std::uint32_t {
  kInvalid = 0,
  kCommandLineArgs,  ///< Client: its command line, each argument followed by a NUL.
  kScriptPath,       ///< Client: the script's path as it was given.
  kScript,           ///< Client: the script's text.
  kHardwareAddr,     ///< Client: the MAC address of its device (6 bytes).
  kLiveLocalIp,      ///< Client: the address the kernel under test uses.
  kLiveRemoteIp,     ///< Client: the address the script's peer uses.
  kServerReady,      ///< Server: set up; empty.
  kClientStarting,   ///< Client: script time 0 is now; empty.
  kPacketsStart,     ///< Client: run the packet events from event number N.
  kPacketsWarn,      ///< Server: a warning to print; text.
  kPacketsDone,      ///< Server: the packet events ran (or failed, with the report).
  kNumOps,
};

/// "WIRE_SERVER_READY" and so on, packetdrill's names, for messages.
std::string WireOpName(WireOp op);

/// packetdrill's STATUS_OK and STATUS_ERR, as WIRE_PACKETS_DONE carries them.
inline constexpr std::int32_t kWireStatusOk = 0;
inline constexpr std::int32_t kWireStatusError = -1;
/// The largest message either side accepts, as packetdrill's MAX_MESSAGE_BYTES.
inline constexpr std::size_t kWireMaxMessageBytes = 10 * 1000 * 1000;
/// WIRE_PACKETS_START: the event count, then packetdrill's struct psp_state (ten SPI entries of
/// 4 + 4 + 32 bytes and a count), which pktc sends zeroed: it has no PSP.
inline constexpr std::size_t kWirePacketsStartBytes = 4 + 10 * (4 + 4 + 32) + 4;

struct WireMessage {
  WireOp op = WireOp::kInvalid;
  std::vector<std::uint8_t> data;
  std::string Text() const { return std::string(data.begin(), data.end()); }
};

/// One end of the wire connection. Every wait takes an absolute deadline on the monotonic clock
/// (< 0: none); TCP keepalive and TCP_USER_TIMEOUT detect a peer that vanished without closing.
class WireConnection {
 public:
  WireConnection() = default;
  explicit WireConnection(int fd);
  ~WireConnection();
  WireConnection(WireConnection&& other) noexcept;
  WireConnection& operator=(WireConnection&& other) noexcept;
  WireConnection(const WireConnection&) = delete;
  WireConnection& operator=(const WireConnection&) = delete;

  /// Connects to `server`:`port`, retrying while the connection is refused (the server may
  /// still be starting) until `deadline_ns`. False with a one-line reason: no route, refused
  /// or silent until the deadline.
  bool Connect(const IpAddress& server, int port, std::int64_t deadline_ns, std::string* error);

  bool Send(WireOp op, const void* data, std::size_t len, std::string* error);
  bool Send(WireOp op, const std::string& text, std::string* error) {
    return Send(op, text.data(), text.size(), error);
  }
  /// The next message. False at the deadline ("no message within N s"), at end of file ("the
  /// peer closed the connection") or on an error or a malformed header.
  bool Receive(std::int64_t deadline_ns, WireMessage* out, std::string* error);

  /// Sets the socket options both ends use: no Nagle delay, keepalive probes that give up on a
  /// silent peer after about `dead_peer_secs`.
  void Tune(int dead_peer_secs);
  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  void Close();

 private:
  bool ReadFull(std::uint8_t* data, std::size_t len, std::int64_t deadline_ns, std::string* error);
  int fd_ = -1;
};

/// The server's listening socket: IPv6 with IPv4-mapped addresses, so clients of either family
/// connect to one port.
class WireListener {
 public:
  WireListener() = default;
  ~WireListener();
  WireListener(const WireListener&) = delete;
  WireListener& operator=(const WireListener&) = delete;

  bool Listen(int port, std::string* error);
  /// Waits for a client until `deadline_ns` (< 0: forever). `peer` is its address, for logs.
  bool Accept(std::int64_t deadline_ns, WireConnection* out, std::string* peer, std::string* error);
  /// The port listened on (for port 0 in tests).
  int port() const;

 private:
  int fd_ = -1;
};

// Message bodies.

/// WIRE_COMMAND_LINE_ARGS: every argument followed by a NUL.
std::string EncodeWireArgs(const std::vector<std::string>& args);
std::vector<std::string> DecodeWireArgs(const std::vector<std::uint8_t>& data);

/// WIRE_PACKETS_START for the events from number `num_events` on.
std::vector<std::uint8_t> EncodePacketsStart(std::uint32_t num_events);
/// Accepts packetdrill's full body and an older one without the PSP state (4 bytes).
bool DecodePacketsStart(const std::vector<std::uint8_t>& data, std::uint32_t* num_events,
                        std::string* error);

/// WIRE_PACKETS_DONE: status, events run so far, and a NUL-terminated message ("" when fine).
std::vector<std::uint8_t> EncodePacketsDone(std::int32_t status, std::uint32_t num_events,
                                            const std::string& message);
bool DecodePacketsDone(const std::vector<std::uint8_t>& data, std::int32_t* status,
                       std::uint32_t* num_events, std::string* message, std::string* error);

/// The first line in which two script texts differ, 1-based, or 0 when they are equal.
/// `line_a` and `line_b` receive that line of each, without its newline ("" past the end).
int FirstDifferentLine(const std::string& a, const std::string& b, std::string* line_a,
                       std::string* line_b);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_WIRE_WIRE_PROTOCOL_H_
