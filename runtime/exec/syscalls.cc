// System calls: argument translation (script fds and addresses to live ones), the call, and
// the checks of its results, for every call the runtime supports. Blocking calls
// (`T1...T2 call()`) run on a second thread, as in packetdrill.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "base/clock.h"
#include "pktc/symbols.h"
#include "exec/run.h"
#include "report/run_link.h"

namespace pktc::rt {

namespace {
constexpr std::int64_t kMaxBuffer = 64 << 20;

/// The scheduler state of a thread ('R' running, 'S' sleeping...), from /proc.
char ThreadState(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return '?';
  return stat[paren + 2];
}
}  // namespace

/// One system call being executed.
struct RunImpl::CallContext {
  Event ev;
  SyscallId id;
  std::string name;  ///< As the script spells it, for messages and calls that share a handler.
  std::vector<Value> args;
  Expect expect;
  EventWindow timing;
  std::string category;  ///< "runtime error in NAME call"
  std::int64_t returned_us = -1;  ///< When the call itself returned (script time).

  const Value& Arg(size_t i) const { return args[i]; }
};

// ---------------------------------------------------------------------------------------------
// Argument helpers

namespace {
std::int64_t IntOr(const Value& v, std::int64_t fallback) {
  return v.kind == Value::Kind::kInt ? v.i : fallback;
}
}  // namespace

// An integer argument, or a failure naming it: used inside RunImpl methods (Fail is a member).
#define PKTC_ARG_INT(ctx_, index_, what_)                                                \
  ([&]() -> std::int64_t {                                                               \
    const Value& arg_ = (ctx_).Arg(index_);                                              \
    if (arg_.kind != Value::Kind::kInt) {                                                \
      Fail((ctx_).ev, (ctx_).category, std::string(what_) + " must be an integer");      \
    }                                                                                    \
    return arg_.i;                                                                       \
  }())

// ---------------------------------------------------------------------------------------------
// Dispatch, timing and the blocking-call thread

void RunImpl::Syscall(const Event& ev, SyscallId id, std::vector<Value> args,
                      const Expect& expect) {
  const char* name = SpecOf(id).name;
  PeerNextEvent(false);
  std::unique_lock<std::mutex> lock(mu_);
  if (LeavesCalls()) {
    FollowCallOnServer(id, args, expect);
    return KeepTime(ev, false, false);
  }
  // packetdrill waits up to a second for a previous blocking call before any new call.
  if (!blocking_done_) {
    lock.unlock();
    WaitForBlockingThread(ev, /*fatal=*/ev.returns_us >= 0);
    lock.lock();
  }
  EventWindow t = BeginEvent(ev, false);
  CallContext call{ev, id, name, std::move(args), expect, t,
                   std::string("runtime error in ") + name + " call"};
  if (ev.returns_us < 0) {
    WaitForStart(ev, t, "system call start");
    Execute(call);
    EndEvent(t, false);
    return;
  }
  StartBlockingCall(std::move(call), t);
  lock.unlock();
  // Not before the call's start: the thread may share this CPU, and each poll from here (a
  // read of /proc) would hold it off for as long as the poll takes.
  SleepUntilNs(timing_.live_start_ns() + t.start_us * 1000);
  // Wait until the call went to sleep in the kernel or returned. Sleeping before the call
  // (waiting for its start time, or for mu_) does not count: the main thread would then run
  // the next event, holding mu_, while the call has not even begun.
  while (!blocking_done_) {
    pid_t tid = blocking_tid_;
    if (tid != 0 && blocking_in_call_ && ThreadState(tid) == 'S') break;
    usleep(50);
  }
  lock.lock();
  EndEvent(t, false);
}

// A blocking call: the thread waits for the start, calls, and checks the return time; the
// main thread goes on once the call sleeps in the kernel (or has finished).
void RunImpl::StartBlockingCall(CallContext call, const EventWindow& w) {
  JoinBlockingThread();
  blocking_done_ = false;
  blocking_in_call_ = false;
  blocking_tid_ = 0;
  std::int64_t returns_after_us = call.ev.returns_us - call.ev.time.start_us;  // same base
  EventWindow returns = timing_.ReturnWindow(w, returns_after_us);
  StartThread([this, call = std::move(call), returns]() mutable {
    blocking_tid_ = static_cast<pid_t>(::syscall(SYS_gettid));
    WaitForStart(call.ev, call.timing, "system call start");
    std::unique_lock<std::mutex> thread_lock(mu_);
    Execute(call);
    thread_lock.unlock();
    std::int64_t actual = call.returned_us >= 0 ? call.returned_us : timing_.ElapsedUs();
    if (std::optional<std::string> off = timing_.Check(returns, actual, "system call return")) {
      Fail(call.ev, kTimingError, *off);
    }
    blocking_done_ = true;
  });
}

void RunImpl::StartThread(std::function<void()> fn) {
  if (!call_thread_.Create()) {
    std::fprintf(stderr, "%s: cannot create the blocking-call thread\n", script_.path);
    EndRun(1);
  }
  call_thread_.Post(std::move(fn));
}

void RunImpl::JoinBlockingThread() { call_thread_.WaitIdle(); }

void RunImpl::WaitForBlockingThread(const Event& ev, bool fatal) {
  std::int64_t deadline = NowNs() + 1'000'000'000;
  while (!blocking_done_ && NowNs() < deadline) usleep(100);
  if (!blocking_done_ && fatal) {
    Fail(ev, "runtime error",
         "blocking system call while another blocking system call is already in progress");
  }
  if (blocking_done_) JoinBlockingThread();
}

void RunImpl::Execute(CallContext& c) {
  switch (c.id) {
#define PKTC_SYSCALL(Id, name, min_args, max_args, address_args, Handler) \
  case SyscallId::k##Id:                                                 \
    return Handler(c);
#include "pktc/syscalls.def"
  }
}

void RunImpl::Unsupported(CallContext& c) {
  // pktc refuses such scripts when it builds them; this is for a hand-written caller.
  Fail(c.ev, c.category, "system call '" + c.name + "' is not supported by this runtime");
}

// Runs `fn` (the system call itself) with the state lock released, so a blocking call does not
// stop the main thread from injecting the packets that will wake it. The return time is taken
// before the lock is retaken: the main thread may hold it while it waits for a later event.

template <typename Fn>
auto RunImpl::UnlockedCall(std::mutex& mu, bool on_thread, CallContext& c, Fn fn) {
  if (!on_thread) {
    auto result = fn();
    c.returned_us = timing_.ElapsedUs();
    return result;
  }
  mu.unlock();
  blocking_in_call_ = true;  // From here, sleeping means sleeping in the call.
  auto result = fn();
  c.returned_us = timing_.ElapsedUs();
  mu.lock();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Sockets

void RunImpl::DoSocket(CallContext& c) {
  int domain = c.Arg(0).kind == Value::Kind::kEllipsis ? config_.socket_family
                                                        : static_cast<int>(PKTC_ARG_INT(c, 0, "domain"));
  int type = static_cast<int>(PKTC_ARG_INT(c, 1, "type"));
  int protocol = static_cast<int>(PKTC_ARG_INT(c, 2, "protocol"));
  errno = 0;
  int fd = socket(domain, type, protocol);
  CheckResult(c.ev, "socket", c.expect, fd, errno, /*creates_fd=*/true);
  if (fd >= 0) {
    MapFd(c.ev, c.expect.result, fd);
    auto s = std::make_unique<SocketState>();
    s->script_fd = static_cast<int>(c.expect.result);
    s->live_fd = fd;
    s->domain = domain;
    s->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    under_test_ = s.get();
    sockets_.push_back(std::move(s));
  }
  Trace(c.ev, c.timing, "socket() = " + std::to_string(fd));
}

void RunImpl::DoBind(CallContext& c) {
  std::int64_t fd = PKTC_ARG_INT(c, 0, "fd");
  int live = LiveFd(c.ev, "bind", fd);
  SocketState* s = SocketByScriptFd(fd);
  sockaddr_storage addr;
  std::size_t len = FillSockaddr(s ? s->domain : config_.socket_family, config_.local,
                                 static_cast<std::uint16_t>(config_.bind_port), &addr);
  errno = 0;
  int rc = bind(live, reinterpret_cast<sockaddr*>(&addr), static_cast<socklen_t>(len));
  CheckResult(c.ev, "bind", c.expect, rc, errno, false);
  if (rc == 0 && s) s->local_port = static_cast<std::uint16_t>(config_.bind_port);
  Trace(c.ev, c.timing, "bind() = " + std::to_string(rc));
}

void RunImpl::DoListen(CallContext& c) {
  std::int64_t fd = PKTC_ARG_INT(c, 0, "fd");
  int live = LiveFd(c.ev, "listen", fd);
  errno = 0;
  int rc = listen(live, static_cast<int>(PKTC_ARG_INT(c, 1, "backlog")));
  CheckResult(c.ev, "listen", c.expect, rc, errno, false);
  if (rc == 0) {
    if (SocketState* s = SocketByScriptFd(fd)) {
      s->kind = SocketState::Kind::kListening;
      s->local_port = static_cast<std::uint16_t>(config_.bind_port);
    }
  }
  Trace(c.ev, c.timing, "listen() = " + std::to_string(rc));
}

void RunImpl::DoAccept(CallContext& c) {
  std::int64_t fd = PKTC_ARG_INT(c, 0, "fd");
  int live = LiveFd(c.ev, "accept", fd);
  bool on_thread = c.ev.returns_us >= 0;
  int child_fd;
  int err;
  std::tie(child_fd, err) = UnlockedCall(mu_, on_thread, c, [&] {
    errno = 0;
    int r = accept(live, nullptr, nullptr);
    return std::make_pair(r, errno);
  });
  CheckResult(c.ev, "accept", c.expect, child_fd, err, /*creates_fd=*/true);
  if (child_fd >= 0) {
    SocketState* listener = SocketByScriptFd(fd);
    SocketState* child = nullptr;
    for (auto& s : sockets_) {
      if (s->kind == SocketState::Kind::kChild && s->listener == listener && s->live_fd < 0) {
        child = s.get();
        break;
      }
    }
    if (!child && LeavesPackets()) {
      // A wire client never sees the SYN that made the child (the server injected it); as
      // packetdrill, the accepted socket becomes the child and the socket under test.
      auto made = std::make_unique<SocketState>();
      made->kind = SocketState::Kind::kChild;
      made->listener = listener;
      made->domain = listener ? listener->domain : config_.socket_family;
      made->local_port = static_cast<std::uint16_t>(config_.bind_port);
      child = made.get();
      under_test_ = child;
      sockets_.push_back(std::move(made));
    }
    if (!child) Fail(c.ev, c.category, "unable to find socket matching accept() call");
    child->live_fd = child_fd;
    child->script_fd = static_cast<int>(c.expect.result);
    MapFd(c.ev, c.expect.result, child_fd);
  }
  Trace(c.ev, c.timing, "accept() = " + std::to_string(child_fd));
}

// A wire server sees the calls only as the script writes them, not their effect; it follows
// what packetdrill's socket bookkeeping needs from them: which socket is under test, listening or
// connecting, its bound port and TCP-MD5 key. (packetdrill's wire server follows none, and maps
// every packet to the first connection.)
void RunImpl::FollowCallOnServer(SyscallId id, const std::vector<Value>& args,
                                 const Expect& expect) {
  auto integer = [&](std::size_t i, std::int64_t otherwise) {
    return i < args.size() && args[i].kind == Value::Kind::kInt ? args[i].i : otherwise;
  };
  SocketState* s = args.empty() ? nullptr : SocketByScriptFd(integer(0, -1));
  switch (id) {
    case SyscallId::kSocket: {
      if (expect.result < 0) return;
      auto made = std::make_unique<SocketState>();
      made->script_fd = static_cast<int>(expect.result);
      made->domain = static_cast<int>(integer(0, config_.socket_family));
      made->type = static_cast<int>(integer(1, SOCK_STREAM)) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
      for (auto& other : sockets_) {
        if (other->script_fd == made->script_fd) other->script_fd = -1;
      }
      under_test_ = made.get();
      sockets_.push_back(std::move(made));
      return;
    }
    case SyscallId::kBind:
      if (s && expect.result == 0) s->local_port = static_cast<std::uint16_t>(config_.bind_port);
      return;
    case SyscallId::kAccept:
      // The listener's first child without a descriptor (its SYN came before).
      for (auto& child : sockets_) {
        if (s && expect.result >= 0 && child->kind == SocketState::Kind::kChild &&
            child->listener == s && child->script_fd < 0) {
          child->script_fd = static_cast<int>(expect.result);
          break;
        }
      }
      return;
    case SyscallId::kListen:
      if (s && expect.result == 0) {
        s->kind = SocketState::Kind::kListening;
        s->local_port = static_cast<std::uint16_t>(config_.bind_port);
      }
      return;
    case SyscallId::kConnect:
      if (s && args.size() > 1 && args[1].kind != Value::Kind::kEllipsis) return;
      [[fallthrough]];
    case SyscallId::kSendto:
    case SyscallId::kSendmsg:
      // connect(), or a TFO sendto()/sendmsg() on a new socket.
      if (!s || (id != SyscallId::kConnect && s->kind != SocketState::Kind::kNew)) return;
      if (id == SyscallId::kSendmsg && !(integer(2, 0) & MSG_FASTOPEN)) return;
      if (s->kind != SocketState::Kind::kConnecting) {
        s->has_local_isn = false;
        s->local_port = 0;  // The SYN says which (a reconnecting child may keep its own).
      }
      s->kind = SocketState::Kind::kConnecting;
      s->remote_port = static_cast<std::uint16_t>(config_.connect_port);
      under_test_ = s;
      return;
    case SyscallId::kSetsockopt:
      if (s && expect.result == 0 && args.size() > 3 && args[3].kind == Value::Kind::kStruct) {
        if (const Value* key = args[3].Find("tcpm_key")) {
          s->md5_key = key->s.substr(0, TCP_MD5SIG_MAXKEYLEN);
        }
      }
      return;
    default:
      return;
  }
}

void RunImpl::NoteImplicitConnect(SocketState* s, int live_fd) {
  if (!s) return;
  // A (re)connecting socket sends a new SYN with a new ISN, which the next outbound SYN binds.
  if (s->kind != SocketState::Kind::kConnecting) s->has_local_isn = false;
  s->kind = SocketState::Kind::kConnecting;
  s->remote_port = static_cast<std::uint16_t>(config_.connect_port);
  under_test_ = s;
  if (std::uint16_t port = LocalPort(live_fd)) s->local_port = port;
}

void RunImpl::DoConnect(CallContext& c) {
  std::int64_t fd = PKTC_ARG_INT(c, 0, "fd");
  int live = LiveFd(c.ev, "connect", fd);
  SocketState* s = SocketByScriptFd(fd);
  sockaddr_storage addr{};
  std::size_t len;
  bool to_peer = c.Arg(1).kind == Value::Kind::kEllipsis;
  if (to_peer) {
    len = FillSockaddr(s ? s->domain : config_.socket_family, config_.remote,
                       static_cast<std::uint16_t>(config_.connect_port), &addr);
  } else {
    addr.ss_family = static_cast<sa_family_t>(PKTC_ARG_INT(c, 1, "address family"));
    len = sizeof(sockaddr_in6);  // e.g. AF_UNSPEC to disconnect
  }
  bool on_thread = c.ev.returns_us >= 0;
  // The socket is "connecting" as soon as the SYN is out, before a blocking connect() returns.
  if (to_peer && s && s->kind != SocketState::Kind::kConnecting) {
    s->has_local_isn = false;
    s->kind = SocketState::Kind::kConnecting;
    s->remote_port = static_cast<std::uint16_t>(config_.connect_port);
    under_test_ = s;
  }
  auto [rc, err] = UnlockedCall(mu_, on_thread, c, [&] {
    errno = 0;
    int r = connect(live, reinterpret_cast<sockaddr*>(&addr), static_cast<socklen_t>(len));
    return std::make_pair(r, errno);
  });
  // The socket is "connecting" before the call returns (the SYN is out), so record it even for
  // a blocking connect that the script completes with packets.
  CheckResult(c.ev, "connect", c.expect, rc, err, false);
  if (to_peer && s) NoteImplicitConnect(s, live);
  Trace(c.ev, c.timing, "connect() = " + std::to_string(rc));
}

// ---------------------------------------------------------------------------------------------
// Data transfer

namespace {
/// Zero bytes to send from. Read-only and never freed, so MSG_ZEROCOPY sends (which the kernel
/// reads after the call returns) always carry zeros, as packetdrill's --send_omit_free ensures.
}  // namespace

const char* SendZeros(std::int64_t len) {
  static const char* zeros = [] {
    void* p = mmap(nullptr, kMaxBuffer, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<const char*>(p);
  }();
  (void)len;
  return zeros;
}

namespace {
std::vector<char> ZeroBuffer(std::int64_t len) {
  return std::vector<char>(static_cast<std::size_t>(std::clamp<std::int64_t>(len, 0, kMaxBuffer)),
                           0);
}
}  // namespace

void RunImpl::DoReadWrite(CallContext& c) {
  const std::string& n = c.name;
  std::int64_t fd = PKTC_ARG_INT(c, 0, "fd");
  int live = LiveFd(c.ev, n.c_str(), fd);
  std::int64_t len = PKTC_ARG_INT(c, 2, "length");
  std::int64_t flags = c.args.size() > 3 ? PKTC_ARG_INT(c, 3, "flags") : 0;
  bool sending = n == "write" || n == "send" || n == "sendto";
  std::vector<char> buffer = sending ? std::vector<char>() : ZeroBuffer(len);
  // A NULL (0) buffer is passed through, for the EFAULT tests.
  char* data = c.Arg(1).kind == Value::Kind::kInt && c.Arg(1).i == 0
                   ? nullptr
                   : sending ? const_cast<char*>(SendZeros(len)) : buffer.data();
  SocketState* s = SocketByScriptFd(fd);
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  if (n == "sendto" && c.Arg(4).kind == Value::Kind::kEllipsis) {
    addr_len = static_cast<socklen_t>(FillSockaddr(s ? s->domain : config_.socket_family,
                                                   config_.remote,
                                                   static_cast<std::uint16_t>(config_.connect_port),
                                                   &addr));
  }
  bool on_thread = c.ev.returns_us >= 0;
  auto [rc, err] = UnlockedCall(mu_, on_thread, c, [&] {
    errno = 0;
    ssize_t r = 0;
    std::size_t size = static_cast<std::size_t>(std::max<std::int64_t>(len, 0));
    int f = static_cast<int>(flags);
    if (n == "read") r = read(live, data, size);
    if (n == "write") r = write(live, data, size);
    if (n == "recv") r = recv(live, data, size, f);
    if (n == "send") r = send(live, data, size, f);
    if (n == "recvfrom") r = recvfrom(live, data, size, f, nullptr, nullptr);
    if (n == "sendto") {
      r = sendto(live, data, size, f, addr_len ? reinterpret_cast<sockaddr*>(&addr) : nullptr,
                 addr_len);
    }
    return std::make_pair(static_cast<std::int64_t>(r), errno);
  });
  // sendto(..., MSG_FASTOPEN, ...) on a new socket connects it.
  if (n == "sendto" && s && s->kind == SocketState::Kind::kNew) NoteImplicitConnect(s, live);
  CheckResult(c.ev, n.c_str(), c.expect, rc, err, false);
  Trace(c.ev, c.timing, n + "() = " + std::to_string(rc));
}

void RunImpl::DoVector(CallContext& c) {
  std::int64_t fd = PKTC_ARG_INT(c, 0, "fd");
  int live = LiveFd(c.ev, c.name.c_str(), fd);
  const Value& list = c.Arg(1);
  std::vector<std::vector<char>> buffers;
  std::vector<iovec> iov;
  for (const Value& item : list.items) {
    std::int64_t len = item.items.size() == 2 ? IntOr(item.items[1], 0) : 0;
    buffers.push_back(ZeroBuffer(len));
  }
  for (auto& b : buffers) iov.push_back({b.data(), b.size()});
  int count = static_cast<int>(PKTC_ARG_INT(c, 2, "iovec count"));
  bool on_thread = c.ev.returns_us >= 0;
  auto [rc, err] = UnlockedCall(mu_, on_thread, c, [&] {
    errno = 0;
    ssize_t r = c.name == "readv" ? readv(live, iov.data(), count) : writev(live, iov.data(), count);
    return std::make_pair(static_cast<std::int64_t>(r), errno);
  });
  CheckResult(c.ev, c.name.c_str(), c.expect, rc, err, false);
  Trace(c.ev, c.timing, c.name + "() = " + std::to_string(rc));
}

void RunImpl::DoMsg(CallContext& c) {
  bool receive = c.name == "recvmsg";
  std::int64_t fd = PKTC_ARG_INT(c, 0, "fd");
  int live = LiveFd(c.ev, c.name.c_str(), fd);
  const Value& script_msg = c.Arg(1);
  std::int64_t flags = PKTC_ARG_INT(c, 2, "flags");
  std::vector<std::vector<char>> buffers;
  std::vector<iovec> iov;
  if (const Value* list = script_msg.Find("msg_iov")) {
    for (const Value& item : list->items) {
      std::int64_t len = item.items.size() == 2 ? IntOr(item.items[1], 0) : 0;
      if (receive) {
        buffers.push_back(ZeroBuffer(len));
        iov.push_back({buffers.back().data(), buffers.back().size()});
      } else {
        iov.push_back({const_cast<char*>(SendZeros(len)),
                       static_cast<std::size_t>(std::clamp<std::int64_t>(len, 0, kMaxBuffer))});
      }
    }
  }
  const Value* control = script_msg.Find("msg_control");
  const Value* expected_flags = script_msg.Find("msg_flags");
  if (!receive && expected_flags && IntOr(*expected_flags, 0) != 0) {
    Fail(c.ev, c.category, "sendmsg ignores msg_flags; write msg_flags=0");
  }
  if (!receive && control && !control->items.empty()) {
    Fail(c.ev, c.category, "sendmsg with msg_control is not supported by this runtime yet");
  }
  alignas(cmsghdr) char control_buf[4096];
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  sockaddr_storage addr{};
  SocketState* s = SocketByScriptFd(fd);
  if (!receive && s && s->kind == SocketState::Kind::kNew && (flags & MSG_FASTOPEN)) {
    msg.msg_name = &addr;
    msg.msg_namelen = static_cast<socklen_t>(
        FillSockaddr(s->domain, config_.remote, static_cast<std::uint16_t>(config_.connect_port), &addr));
  }
  if (receive && control) {
    msg.msg_control = control_buf;
    msg.msg_controllen = sizeof control_buf;
  }
  bool on_thread = c.ev.returns_us >= 0;
  auto [rc, err] = UnlockedCall(mu_, on_thread, c, [&] {
    errno = 0;
    ssize_t r = receive ? recvmsg(live, &msg, static_cast<int>(flags))
                        : sendmsg(live, &msg, static_cast<int>(flags));
    return std::make_pair(static_cast<std::int64_t>(r), errno);
  });
  if (!receive && s && s->kind == SocketState::Kind::kNew && (flags & MSG_FASTOPEN)) {
    NoteImplicitConnect(s, live);
  }
  CheckResult(c.ev, c.name.c_str(), c.expect, rc, err, false);
  if (receive && rc >= 0) {
    if (expected_flags && expected_flags->kind == Value::Kind::kInt &&
        msg.msg_flags != expected_flags->i) {
      Fail(c.ev, c.category, "Expected msg_flags " + std::to_string(expected_flags->i) +
                                 " but got " + std::to_string(msg.msg_flags));
    }
    if (control) CheckCmsgs(c, *control, msg);
  }
  Trace(c.ev, c.timing, c.name + "() = " + std::to_string(rc));
}

void RunImpl::CheckCmsgs(CallContext& c, const Value& expected, msghdr& msg) {
  std::size_t i = 0;
  for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm), ++i) {
    std::string where = "cmsg " + std::to_string(i);
    if (i >= expected.items.size()) {
      Fail(c.ev, c.category, "got more cmsgs than the " + std::to_string(expected.items.size()) +
                                 " expected: " + where + " has level " +
                                 std::to_string(cm->cmsg_level) + " type " +
                                 std::to_string(cm->cmsg_type));
    }
    const Value& want = expected.items[i];
    const Value* level = want.Find("cmsg_level");
    const Value* type = want.Find("cmsg_type");
    if (level && IntOr(*level, -1) != cm->cmsg_level) {
      Fail(c.ev, c.category, "Bad level in " + where + ": expected " +
                                 std::to_string(IntOr(*level, -1)) + " but got " +
                                 std::to_string(cm->cmsg_level));
    }
    if (type && IntOr(*type, -1) != cm->cmsg_type) {
      Fail(c.ev, c.category, "Bad type in " + where + ": expected " +
                                 std::to_string(IntOr(*type, -1)) + " but got " +
                                 std::to_string(cm->cmsg_type));
    }
    if (const Value* data = want.Find("cmsg_data")) CheckCmsgData(c, where, *data, *cm);
  }
  if (i < expected.items.size()) {
    Fail(c.ev, c.category, "expected " + std::to_string(expected.items.size()) +
                               " cmsgs but got " + std::to_string(i));
  }
}

void RunImpl::CheckCmsgData(CallContext& c, const std::string& where, const Value& data,
                            const cmsghdr& cmsg) {
  std::size_t data_len = cmsg.cmsg_len - CMSG_LEN(0);
  const unsigned char* bytes = CMSG_DATA(const_cast<cmsghdr*>(&cmsg));
  if (data.kind == Value::Kind::kInt) {
    std::int64_t value = 0;
    if (data_len == 4) {
      std::int32_t v;
      std::memcpy(&v, bytes, 4);
      value = v;
    } else if (data_len == 8) {
      std::memcpy(&value, bytes, 8);
    } else {
      Fail(c.ev, c.category, "Bad data length in " + where + ": expected an integer but got " +
                                 std::to_string(data_len) + " bytes");
    }
    if (value != data.i) {
      Fail(c.ev, c.category, "Bad data in " + where + " (cmsg_data): expected " +
                                 std::to_string(data.i) + " but got " + std::to_string(value));
    }
    return;
  }
  if (data.Find("ee_errno")) {
    sock_extended_err ee;
    if (data_len < sizeof ee) Fail(c.ev, c.category, "Bad data length in " + where);
    std::memcpy(&ee, bytes, sizeof ee);
    struct {
      const char* name;
      std::int64_t actual;
    } fields[] = {{"ee_errno", ee.ee_errno}, {"ee_origin", ee.ee_origin},
                  {"ee_type", ee.ee_type},   {"ee_code", ee.ee_code},
                  {"ee_info", ee.ee_info},   {"ee_data", ee.ee_data}};
    for (const auto& f : fields) {
      const Value* v = data.Find(f.name);
      if (v && v->kind == Value::Kind::kInt && v->i != f.actual) {
        Fail(c.ev, c.category, std::string("Bad ") + f.name + " in " + where + ": expected " +
                                   std::to_string(v->i) + " but got " + std::to_string(f.actual));
      }
    }
    return;
  }
  if (data.Find("scm_sec")) return CheckCmsgTimestamp(c, where, data, bytes, data_len);
  Fail(c.ev, c.category, "checking this cmsg_data form is not supported by this runtime yet");
}

// A software timestamp in script time, with the event tolerance rule applied to the time since
// script start; 0/0 means "any".
void RunImpl::CheckCmsgTimestamp(CallContext& c, const std::string& where, const Value& data,
                                 const unsigned char* bytes, std::size_t len) {
  timespec ts[3];
  if (len < sizeof ts) Fail(c.ev, c.category, "Bad data length in " + where);
  std::memcpy(ts, bytes, sizeof ts);
  const Value* nsec = data.Find("scm_nsec");
  std::int64_t want_us =
      IntOr(*data.Find("scm_sec"), 0) * 1000000 + (nsec ? IntOr(*nsec, 0) : 0) / 1000;
  if (want_us == 0) return;
  std::int64_t live_ns = static_cast<std::int64_t>(ts[0].tv_sec) * 1'000'000'000 +
                         ts[0].tv_nsec + RealtimeToMonotonicOffsetNs();
  std::int64_t got_us = timing_.ScriptUs(live_ns);
  EventWindow window{want_us, want_us, timing_.ToleranceUs(want_us)};
  if (!EventTiming::Contains(window, got_us)) {
    Fail(c.ev, c.category, "Bad timestamp in " + where + ": expected " + FormatSeconds(want_us) +
                               " sec but got " + FormatSeconds(got_us) + " sec; tolerance " +
                               FormatSeconds(window.tolerance_us) + " sec");
  }
}

void RunImpl::DoSendfile(CallContext& c) {
  int out_fd = LiveFd(c.ev, "sendfile", PKTC_ARG_INT(c, 0, "out fd"));
  int in_fd = LiveFd(c.ev, "sendfile", PKTC_ARG_INT(c, 1, "in fd"));
  off_t offset = 0;
  off_t* offset_ptr = nullptr;
  if (c.Arg(2).kind == Value::Kind::kList && !c.Arg(2).items.empty()) {
    offset = static_cast<off_t>(IntOr(c.Arg(2).items[0], 0));
    offset_ptr = &offset;
  }
  std::int64_t count = PKTC_ARG_INT(c, 3, "count");
  errno = 0;
  ssize_t rc = sendfile(out_fd, in_fd, offset_ptr, static_cast<std::size_t>(count));
  CheckResult(c.ev, "sendfile", c.expect, rc, errno, false);
  Trace(c.ev, c.timing, "sendfile() = " + std::to_string(rc));
}

// ---------------------------------------------------------------------------------------------
// Descriptors and options

void RunImpl::DoFcntlIoctl(CallContext& c) {
  int live = LiveFd(c.ev, c.name.c_str(), PKTC_ARG_INT(c, 0, "fd"));
  std::int64_t cmd = PKTC_ARG_INT(c, 1, "command");
  int rc;
  int err;
  if (c.name == "fcntl") {
    errno = 0;
    rc = c.args.size() > 2 ? fcntl(live, static_cast<int>(cmd), static_cast<long>(PKTC_ARG_INT(c, 2, "argument")))
                           : fcntl(live, static_cast<int>(cmd));
    err = errno;
    CheckResult(c.ev, "fcntl", c.expect, rc, err, false);
  } else {
    int value = 0;
    errno = 0;
    rc = ioctl(live, static_cast<unsigned long>(cmd), &value);
    err = errno;
    CheckResult(c.ev, "ioctl", c.expect, rc, err, false);
    if (rc == 0 && c.args.size() > 2 && c.Arg(2).kind == Value::Kind::kList &&
        !c.Arg(2).items.empty() && c.Arg(2).items[0].kind == Value::Kind::kInt &&
        c.Arg(2).items[0].i != value) {
      Fail(c.ev, c.category, "Bad ioctl value: expected " + std::to_string(c.Arg(2).items[0].i) +
                                 " but got " + std::to_string(value));
    }
  }
  Trace(c.ev, c.timing, c.name + "() = " + std::to_string(rc));
}

void RunImpl::DoClose(CallContext& c) {
  std::int64_t fd = PKTC_ARG_INT(c, 0, "fd");
  int live = LiveFd(c.ev, "close", fd);
  errno = 0;
  int rc = close(live);
  CheckResult(c.ev, "close", c.expect, rc, errno, false);
  if (rc == 0) {
    fds_.erase(fd);
    if (SocketState* s = SocketByScriptFd(fd)) s->script_fd = -1;
  }
  Trace(c.ev, c.timing, "close() = " + std::to_string(rc));
}

void RunImpl::DoShutdown(CallContext& c) {
  int live = LiveFd(c.ev, "shutdown", PKTC_ARG_INT(c, 0, "fd"));
  errno = 0;
  int rc = shutdown(live, static_cast<int>(PKTC_ARG_INT(c, 1, "how")));
  CheckResult(c.ev, "shutdown", c.expect, rc, errno, false);
  Trace(c.ev, c.timing, "shutdown() = " + std::to_string(rc));
}

void RunImpl::DoSockopt(CallContext& c) {
  bool set = c.name == "setsockopt";
  std::int64_t fd = PKTC_ARG_INT(c, 0, "fd");
  int live = LiveFd(c.ev, c.name.c_str(), fd);
  int level = static_cast<int>(PKTC_ARG_INT(c, 1, "level"));
  int name = static_cast<int>(PKTC_ARG_INT(c, 2, "option name"));
  const Value& value = c.Arg(3);
  const Value& len_arg = c.Arg(4);
  SocketState* s = SocketByScriptFd(fd);

  std::vector<char> data;
  bool is_int = value.kind == Value::Kind::kList && value.items.size() == 1 &&
                value.items[0].kind == Value::Kind::kInt;
  std::string md5_key;
  if (is_int) {
    int v = static_cast<int>(value.items[0].i);
    data.assign(reinterpret_cast<char*>(&v), reinterpret_cast<char*>(&v) + sizeof v);
  } else if (value.kind == Value::Kind::kString) {
    data.assign(value.s.begin(), value.s.end());
  } else if (value.kind == Value::Kind::kStruct && value.Find("onoff")) {
    linger l{static_cast<int>(IntOr(*value.Find("onoff"), 0)),
             static_cast<int>(value.Find("linger") ? IntOr(*value.Find("linger"), 0) : 0)};
    data.assign(reinterpret_cast<char*>(&l), reinterpret_cast<char*>(&l) + sizeof l);
  } else if (value.kind == Value::Kind::kStruct && value.Find("tcpm_key")) {
    // The key is for the script's peer: the remote address in the socket's family.
    tcp_md5sig md5{};
    sockaddr_storage peer;
    FillSockaddr(s ? s->domain : config_.socket_family, config_.remote, 0, &peer);
    std::memcpy(&md5.tcpm_addr, &peer, sizeof peer);
    md5_key = value.Find("tcpm_key")->s.substr(0, TCP_MD5SIG_MAXKEYLEN);
    md5.tcpm_keylen = static_cast<std::uint16_t>(md5_key.size());
    std::memcpy(md5.tcpm_key, md5_key.data(), md5_key.size());
    data.assign(reinterpret_cast<char*>(&md5), reinterpret_cast<char*>(&md5) + sizeof md5);
  } else if (value.kind == Value::Kind::kEllipsis) {
    data.assign(256, 0);
  } else if (value.kind == Value::Kind::kInt && value.i == 0) {
    // NULL
  } else {
    Fail(c.ev, c.category, "this option value form is not supported by this runtime yet");
  }

  if (set) {
    socklen_t len = len_arg.kind == Value::Kind::kInt ? static_cast<socklen_t>(len_arg.i)
                                                      : static_cast<socklen_t>(data.size());
    errno = 0;
    int rc = setsockopt(live, level, name, data.empty() ? nullptr : data.data(), len);
    CheckResult(c.ev, "setsockopt", c.expect, rc, errno, false);
    if (rc == 0 && !md5_key.empty() && s) s->md5_key = md5_key;
    Trace(c.ev, c.timing, "setsockopt() = " + std::to_string(rc));
    return;
  }
  std::vector<char> out(std::max<std::size_t>(data.size(), 512), 0);
  socklen_t len = is_int ? sizeof(int) : static_cast<socklen_t>(out.size());
  if (len_arg.kind == Value::Kind::kList && !len_arg.items.empty() && !is_int &&
      len_arg.items[0].kind == Value::Kind::kInt) {
    len = static_cast<socklen_t>(len_arg.items[0].i);
  }
  errno = 0;
  int rc = getsockopt(live, level, name, out.data(), &len);
  CheckResult(c.ev, "getsockopt", c.expect, rc, errno, false);
  if (rc == 0) {
    if (len_arg.kind == Value::Kind::kList && !len_arg.items.empty() &&
        len_arg.items[0].kind == Value::Kind::kInt && len_arg.items[0].i != len) {
      Fail(c.ev, c.category, "Bad getsockopt optlen: expected " +
                                 std::to_string(len_arg.items[0].i) + " but got " +
                                 std::to_string(len));
    }
    if (is_int) {
      int got;
      std::memcpy(&got, out.data(), sizeof got);
      if (got != value.items[0].i) {
        Fail(c.ev, c.category, "Bad getsockopt value: expected " +
                                   std::to_string(value.items[0].i) + " but got " +
                                   std::to_string(got));
      }
    } else if (value.kind == Value::Kind::kString &&
               std::string(out.data(), std::min<std::size_t>(len, std::strlen(out.data()))) != value.s) {
      Fail(c.ev, c.category, "Bad getsockopt value: expected \"" + value.s + "\" but got \"" +
                                 std::string(out.data()) + "\"");
    }
  }
  Trace(c.ev, c.timing, "getsockopt() = " + std::to_string(rc));
}

void RunImpl::DoPoll(CallContext& c) {
  const Value& list = c.Arg(0);
  std::vector<pollfd> fds;
  for (const Value& item : list.items) {
    pollfd p{};
    const Value* fd = item.Find("fd");
    const Value* events = item.Find("events");
    p.fd = fd ? LiveFd(c.ev, "poll", IntOr(*fd, -1)) : -1;
    p.events = static_cast<short>(events ? IntOr(*events, 0) : 0);
    fds.push_back(p);
  }
  std::int64_t nfds = PKTC_ARG_INT(c, 1, "nfds");
  if (nfds != static_cast<std::int64_t>(fds.size())) {
    Fail(c.ev, c.category, "nfds " + std::to_string(nfds) + " does not match the " +
                               std::to_string(fds.size()) + " pollfds listed");
  }
  bool on_thread = c.ev.returns_us >= 0;
  auto [rc, err] = UnlockedCall(mu_, on_thread, c, [&] {
    errno = 0;
    int r = poll(fds.data(), fds.size(), static_cast<int>(PKTC_ARG_INT(c, 2, "timeout")));
    return std::make_pair(r, errno);
  });
  CheckResult(c.ev, "poll", c.expect, rc, err, false);
  for (std::size_t i = 0; rc >= 0 && i < fds.size(); ++i) {
    const Value* revents = list.items[i].Find("revents");
    std::int64_t want = revents ? IntOr(*revents, 0) : 0;
    if (fds[i].revents != want) {
      Fail(c.ev, c.category, "Expected revents " + std::to_string(want) + " for pollfd " +
                                 std::to_string(i) + " but got " + std::to_string(fds[i].revents));
    }
  }
  Trace(c.ev, c.timing, "poll() = " + std::to_string(rc));
}

void RunImpl::DoEpoll(CallContext& c) {
  if (c.name == "epoll_create") {
    errno = 0;
    int fd = epoll_create(static_cast<int>(PKTC_ARG_INT(c, 0, "size")));
    CheckResult(c.ev, "epoll_create", c.expect, fd, errno, /*creates_fd=*/true);
    if (fd >= 0) MapFd(c.ev, c.expect.result, fd);
    Trace(c.ev, c.timing, "epoll_create() = " + std::to_string(fd));
    return;
  }
  int epfd = LiveFd(c.ev, c.name.c_str(), PKTC_ARG_INT(c, 0, "epoll fd"));
  auto to_event = [&](const Value& v) {
    epoll_event e{};
    const Value* events = v.Find("events");
    e.events = static_cast<std::uint32_t>(events ? IntOr(*events, 0) : 0);
    if (const Value* fd = v.Find("fd")) {
      e.data.fd = LiveFd(c.ev, c.name.c_str(), IntOr(*fd, -1));
    } else if (const Value* u64 = v.Find("u64")) {
      e.data.u64 = static_cast<std::uint64_t>(IntOr(*u64, 0));
    } else if (const Value* u32 = v.Find("u32")) {
      e.data.u32 = static_cast<std::uint32_t>(IntOr(*u32, 0));
    } else if (const Value* ptr = v.Find("ptr")) {
      e.data.u64 = static_cast<std::uint64_t>(IntOr(*ptr, 0));
    }
    return e;
  };
  if (c.name == "epoll_ctl") {
    int op = static_cast<int>(PKTC_ARG_INT(c, 1, "op"));
    int fd = LiveFd(c.ev, "epoll_ctl", PKTC_ARG_INT(c, 2, "fd"));
    epoll_event e = to_event(c.Arg(3));
    errno = 0;
    int rc = epoll_ctl(epfd, op, fd, c.Arg(3).kind == Value::Kind::kStruct ? &e : nullptr);
    CheckResult(c.ev, "epoll_ctl", c.expect, rc, errno, false);
    Trace(c.ev, c.timing, "epoll_ctl() = " + std::to_string(rc));
    return;
  }
  int max_events = static_cast<int>(PKTC_ARG_INT(c, 2, "maxevents"));
  std::vector<epoll_event> events(static_cast<std::size_t>(std::clamp(max_events, 1, 1024)));
  bool on_thread = c.ev.returns_us >= 0;
  auto [rc, err] = UnlockedCall(mu_, on_thread, c, [&] {
    errno = 0;
    int r = epoll_wait(epfd, events.data(), max_events,
                       static_cast<int>(PKTC_ARG_INT(c, 3, "timeout")));
    return std::make_pair(r, errno);
  });
  CheckResult(c.ev, "epoll_wait", c.expect, rc, err, false);
  // Like packetdrill, only the first returned event is compared (events and data).
  if (rc > 0 && c.Arg(1).kind == Value::Kind::kStruct) {
    epoll_event want = to_event(c.Arg(1));
    if (events[0].events != want.events) {
      Fail(c.ev, c.category, "Expected epoll events " + std::to_string(want.events) +
                                 " but got " + std::to_string(events[0].events));
    }
    if (events[0].data.u64 != want.data.u64 && c.Arg(1).Find("fd") == nullptr) {
      Fail(c.ev, c.category, "Expected epoll data " + std::to_string(want.data.u64) +
                                 " but got " + std::to_string(events[0].data.u64));
    }
    if (c.Arg(1).Find("fd") && events[0].data.fd != want.data.fd) {
      Fail(c.ev, c.category, "Expected epoll fd data for live fd " + std::to_string(want.data.fd) +
                                 " but got " + std::to_string(events[0].data.fd));
    }
  }
  Trace(c.ev, c.timing, "epoll_wait() = " + std::to_string(rc));
}

void RunImpl::DoPipeOpen(CallContext& c) {
  if (c.name == "pipe") {
    int fds[2];
    errno = 0;
    int rc = pipe(fds);
    CheckResult(c.ev, "pipe", c.expect, rc, errno, false);
    const Value& list = c.Arg(0);
    if (rc == 0 && list.items.size() == 2) {
      MapFd(c.ev, IntOr(list.items[0], -1), fds[0]);
      MapFd(c.ev, IntOr(list.items[1], -1), fds[1]);
    }
    Trace(c.ev, c.timing, "pipe() = " + std::to_string(rc));
    return;
  }
  if (c.Arg(0).kind != Value::Kind::kString) Fail(c.ev, c.category, "open() takes a path string");
  errno = 0;
  int flags = static_cast<int>(PKTC_ARG_INT(c, 1, "flags"));
  int fd = c.args.size() > 2 ? open(c.Arg(0).s.c_str(), flags, static_cast<int>(PKTC_ARG_INT(c, 2, "mode")))
                             : open(c.Arg(0).s.c_str(), flags);
  CheckResult(c.ev, "open", c.expect, fd, errno, /*creates_fd=*/true);
  if (fd >= 0) MapFd(c.ev, c.expect.result, fd);
  Trace(c.ev, c.timing, "open() = " + std::to_string(fd));
}

}  // namespace pktc::rt
