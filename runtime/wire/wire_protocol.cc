// The wire protocol's framing, its connection and its message bodies.
#include "wire/wire_protocol.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/clock.h"

namespace pktc::rt {

namespace {

constexpr std::size_t kHeaderBytes = 8;

void PutBe32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

std::uint32_t GetBe32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

/// Milliseconds to poll until `deadline_ns` (-1: no deadline), 0 once it has passed.
int PollTimeoutMs(std::int64_t deadline_ns) {
  if (deadline_ns < 0) return -1;
  std::int64_t left = deadline_ns - NowNs();
  if (left <= 0) return 0;
  return static_cast<int>((left + 999'999) / 1'000'000);
}

std::string Seconds(std::int64_t ns) { return std::to_string((ns + 500'000'000) / 1'000'000'000); }

}  // namespace

std::string WireOpName(WireOp op) {
  switch (op) {
    case WireOp::kInvalid:
      return "WIRE_INVALID";
    case WireOp::kCommandLineArgs:
      return "WIRE_COMMAND_LINE_ARGS";
    case WireOp::kScriptPath:
      return "WIRE_SCRIPT_PATH";
    case WireOp::kScript:
      return "WIRE_SCRIPT";
    case WireOp::kHardwareAddr:
      return "WIRE_HARDWARE_ADDR";
    case WireOp::kLiveLocalIp:
      return "WIRE_LIVE_LOCAL_IP";
    case WireOp::kLiveRemoteIp:
      return "WIRE_LIVE_REMOTE_IP";
    case WireOp::kServerReady:
      return "WIRE_SERVER_READY";
    case WireOp::kClientStarting:
      return "WIRE_CLIENT_STARTING";
    case WireOp::kPacketsStart:
      return "WIRE_PACKETS_START";
    case WireOp::kPacketsWarn:
      return "WIRE_PACKETS_WARN";
    case WireOp::kPacketsDone:
      return "WIRE_PACKETS_DONE";
    case WireOp::kNumOps:
      break;
  }
  return "wire op " + std::to_string(static_cast<std::uint32_t>(op));
}

// ---------------------------------------------------------------------------------------------
// WireConnection

WireConnection::WireConnection(int fd) : fd_(fd) {}

WireConnection::~WireConnection() { Close(); }

WireConnection::WireConnection(WireConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

WireConnection& WireConnection::operator=(WireConnection&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void WireConnection::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void WireConnection::Tune(int dead_peer_secs) {
  int on = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  // As packetdrill: buffers large enough that a script never waits on them.
  int size = 128 * 1024;
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  // A peer that vanishes (its machine reset, the cable pulled) never closes the connection;
  // probes every second after a second of silence find out, and unacknowledged data gives up
  // after the same time.
  setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  int idle = 1, interval = 1;
  int count = dead_peer_secs > 1 ? dead_peer_secs - 1 : 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd_, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd_, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  unsigned user_timeout_ms = static_cast<unsigned>(dead_peer_secs) * 1000;
  setsockopt(fd_, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

bool WireConnection::Connect(const IpAddress& server, int port, std::int64_t deadline_ns,
                             std::string* error) {
  std::string where = server.ToString() + ":" + std::to_string(port);
  if (server.family == AF_INET6) where = "[" + server.ToString() + "]:" + std::to_string(port);
  sockaddr_storage addr{};
  socklen_t len;
  if (server.family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&addr);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<std::uint16_t>(port));
    std::memcpy(&sin->sin_addr, server.bytes, 4);
    len = sizeof *sin;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&addr);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<std::uint16_t>(port));
    std::memcpy(&sin6->sin6_addr, server.bytes, 16);
    len = sizeof *sin6;
  }
  std::int64_t start = NowNs();
  std::string last = "no answer";
  for (;;) {
    Close();
    fd_ = socket(server.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) {
      *error = std::string("cannot create a socket for the wire server: ") + std::strerror(errno);
      return false;
    }
    int rc = connect(fd_, reinterpret_cast<sockaddr*>(&addr), len);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      pollfd p{fd_, POLLOUT, 0};
      int n = poll(&p, 1, PollTimeoutMs(deadline_ns));
      if (n == 0) {
        last = "no answer";
        break;
      }
      socklen_t err_len = sizeof err;
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &err_len);
    }
    if (err == 0) return true;
    if (err == ENETUNREACH || err == EADDRNOTAVAIL) {
      *error = "no route to the wire server " + where + " (" + std::strerror(err) +
               "): check the address and this machine's routes";
      Close();
      return false;
    }
    if (err == EHOSTUNREACH) {  // Nothing answered for it on the link, or a router said so.
      *error = "wire server " + where + " is unreachable (" + std::strerror(err) +
               "): check the address and that the machine is up";
      Close();
      return false;
    }
    last = std::strerror(err);
    // Refused: the server may not be listening yet; try again shortly.
    if (deadline_ns >= 0 && NowNs() + 100'000'000 >= deadline_ns) break;
    usleep(100'000);
  }
  Close();
  *error = "wire server " + where + " not reachable within " + Seconds(deadline_ns - start) +
           " s (" + last + "): is a test binary running there with --wire_server" +
           (port != 8081 ? " --wire_server_port=" + std::to_string(port) : "") + "?";
  return false;
}

bool WireConnection::Send(WireOp op, const void* data, std::size_t len, std::string* error) {
  std::uint8_t header[kHeaderBytes];
  PutBe32(header, static_cast<std::uint32_t>(kHeaderBytes + len));
  PutBe32(header + 4, static_cast<std::uint32_t>(op));
  std::vector<std::uint8_t> frame(header, header + kHeaderBytes);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  if (len) frame.insert(frame.end(), bytes, bytes + len);
  std::size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = send(fd_, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd_, POLLOUT, 0};
      poll(&p, 1, 1000);
      continue;
    }
    *error = "cannot send " + WireOpName(op) + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool WireConnection::ReadFull(std::uint8_t* data, std::size_t len, std::int64_t deadline_ns,
                              std::string* error) {
  std::size_t done = 0;
  while (done < len) {
    ssize_t n = recv(fd_, data + done, len - done, MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) {
      *error = "the peer closed the connection";
      return false;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      *error = std::string("cannot read from the connection: ") + std::strerror(errno);
      return false;
    }
    int timeout = PollTimeoutMs(deadline_ns);
    if (timeout == 0) {
      *error = "timed out";
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    poll(&p, 1, timeout);
  }
  return true;
}

bool WireConnection::Receive(std::int64_t deadline_ns, WireMessage* out, std::string* error) {
  std::uint8_t header[kHeaderBytes];
  if (!ReadFull(header, sizeof header, deadline_ns, error)) return false;
  std::uint32_t length = GetBe32(header);
  if (length < kHeaderBytes || length - kHeaderBytes > kWireMaxMessageBytes) {
    *error = "invalid message length " + std::to_string(length);
    return false;
  }
  out->op = static_cast<WireOp>(GetBe32(header + 4));
  out->data.assign(length - kHeaderBytes, 0);
  return ReadFull(out->data.data(), out->data.size(), deadline_ns, error);
}

// ---------------------------------------------------------------------------------------------
// WireListener

WireListener::~WireListener() {
  if (fd_ >= 0) close(fd_);
}

bool WireListener::Listen(int port, std::string* error) {
  fd_ = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int family = AF_INET6;
  if (fd_ < 0 && errno == EAFNOSUPPORT) {  // A kernel without IPv6.
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    family = AF_INET;
  }
  if (fd_ < 0) {
    *error = std::string("cannot create the listening socket: ") + std::strerror(errno);
    return false;
  }
  int on = 1, off = 0;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_storage addr{};
  socklen_t len;
  if (family == AF_INET6) {
    setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&addr);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof *sin6;
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&addr);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof *sin;
  }
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 16) != 0) {
    *error = "cannot listen on port " + std::to_string(port) + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

int WireListener::port() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                          : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

bool WireListener::Accept(std::int64_t deadline_ns, WireConnection* out, std::string* peer,
                          std::string* error) {
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int n = poll(&p, 1, PollTimeoutMs(deadline_ns));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      *error = "no client within the deadline";
      return false;
    }
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = accept4(fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN) continue;
      *error = std::string("accept: ") + std::strerror(errno);
      return false;
    }
    char text[INET6_ADDRSTRLEN] = "?";
    if (addr.ss_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, text, sizeof text);
    } else if (addr.ss_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, text, sizeof text);
    }
    *peer = text;
    if (peer->rfind("::ffff:", 0) == 0) *peer = peer->substr(7);
    *out = WireConnection(fd);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Message bodies

std::string EncodeWireArgs(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    out += a;
    out.push_back('\0');
  }
  return out;
}

std::vector<std::string> DecodeWireArgs(const std::vector<std::uint8_t>& data) {
  std::vector<std::string> args;
  std::string current;
  for (std::uint8_t c : data) {
    if (c == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(c));
    }
  }
  if (!current.empty()) args.push_back(current);
  return args;
}

std::vector<std::uint8_t> EncodePacketsStart(std::uint32_t num_events) {
  std::vector<std::uint8_t> body(kWirePacketsStartBytes, 0);
  PutBe32(body.data(), num_events);
  return body;
}

bool DecodePacketsStart(const std::vector<std::uint8_t>& data, std::uint32_t* num_events,
                        std::string* error) {
  if (data.size() != kWirePacketsStartBytes && data.size() != 4) {
    *error = "bad WIRE_PACKETS_START length " + std::to_string(data.size());
    return false;
  }
  *num_events = GetBe32(data.data());
  return true;
}

std::vector<std::uint8_t> EncodePacketsDone(std::int32_t status, std::uint32_t num_events,
                                            const std::string& message) {
  std::vector<std::uint8_t> body(8 + message.size() + 1, 0);  // The message and its NUL.
  PutBe32(body.data(), static_cast<std::uint32_t>(status));
  PutBe32(body.data() + 4, num_events);
  if (!message.empty()) std::memcpy(body.data() + 8, message.data(), message.size());
  return body;
}

bool DecodePacketsDone(const std::vector<std::uint8_t>& data, std::int32_t* status,
                       std::uint32_t* num_events, std::string* message, std::string* error) {
  if (data.size() < 9 || data.back() != 0) {
    *error =
        "bad WIRE_PACKETS_DONE (" + std::to_string(data.size()) + " bytes, or no terminating NUL)";
    return false;
  }
  *status = static_cast<std::int32_t>(GetBe32(data.data()));
  *num_events = GetBe32(data.data() + 4);
  message->assign(reinterpret_cast<const char*>(data.data()) + 8);
  return true;
}

int FirstDifferentLine(const std::string& a, const std::string& b, std::string* line_a,
                       std::string* line_b) {
  if (a == b) return 0;
  std::size_t pa = 0, pb = 0;
  for (int line = 1;; ++line) {
    std::size_t ea = a.find('\n', pa), eb = b.find('\n', pb);
    std::string la = pa < a.size() ? a.substr(pa, ea == std::string::npos ? ea : ea - pa) : "";
    std::string lb = pb < b.size() ? b.substr(pb, eb == std::string::npos ? eb : eb - pb) : "";
    bool end_a = ea == std::string::npos, end_b = eb == std::string::npos;
    if (la != lb || end_a != end_b) {
      *line_a = la + (la == lb && end_a ? " (no newline at end of file)" : "");
      *line_b = lb + (la == lb && end_b ? " (no newline at end of file)" : "");
      return line;
    }
    pa = ea + 1;
    pb = eb + 1;
  }
}

}  // namespace pktc::rt
