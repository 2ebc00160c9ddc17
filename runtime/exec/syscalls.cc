// System calls, call by call as packetdrill's run_system_call.c: each argument's form and its
// check, the socket state that changes before the call (run_syscall_connect) or after it
// (socket, listen, accept, close), the call itself, and the result, compared as the kernel's
// 32-bit value (end_syscall). Failures carry packetdrill's wording. Blocking calls
// (`T1...T2 call()`) run on a second thread, as in packetdrill.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
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
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "base/clock.h"
#include "exec/run.h"
#include "exec/syscall_args.h"
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

std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

/// Which member of an epoll_event's data the script names.
enum class EpollData { kPtr, kFd, kU32, kU64 };

/// What a system call returned: its value (as wide as the call's type) and errno.
struct KernelResult {
  std::int64_t value;
  int err;
};

/// Memory from calloc/malloc, freed with the object: packetdrill's buffers, whose pages the
/// kernel only touches when it reads or writes them.
using CBuffer = std::unique_ptr<char, decltype(&std::free)>;
CBuffer Malloc(std::int32_t count, bool zero) {
  // A negative count is a huge size_t in packetdrill: the allocation fails, NULL is passed.
  if (count < 0) return CBuffer(nullptr, &std::free);
  std::size_t size = static_cast<std::size_t>(count);
  void* p = zero ? std::calloc(size, 1) : std::malloc(size);
  return CBuffer(static_cast<char*>(p), &std::free);
}
}  // namespace

/// One system call being executed, with packetdrill's argument accessors: each fails the call,
/// at its line and with packetdrill's message, when the argument has another form.
struct RunImpl::CallContext {
  RunImpl& run;
  Event ev;
  SyscallId id;
  const char* name;  ///< As the script spells it, for messages.
  std::vector<Value> args;
  Expect expect;
  EventWindow timing;
  std::string category;           ///< "runtime error in NAME call"
  std::int64_t returned_us = -1;  ///< When the call itself returned (script time).

  bool blocking() const { return ev.returns_us >= 0; }
  [[noreturn]] void Fail(const std::string& message) const { run.Fail(ev, category, message); }
  void Check(bool ok, const std::string& error) const {
    if (!ok) Fail(error);
  }
  /// check_arg_count
  void ArgCount(std::size_t n) const {
    if (args.size() != n) Fail(Format("Expected %zu args but got %zu", n, args.size()));
  }
  const Value& Arg(std::size_t i) const {
    if (i >= args.size()) Fail("Argument list too short");
    return args[i];
  }
  bool IsEllipsis(std::size_t i) const { return Arg(i).kind == Value::Kind::kEllipsis; }
  void Ellipsis(std::size_t i) const {
    std::string error;
    Check(CheckType(Arg(i), "ellipsis", &error), error);
  }
  std::int32_t S32(std::size_t i) const { return S32Of(Arg(i)); }
  std::int32_t S32Of(const Value& v) const {
    std::int32_t out = 0;
    std::string error;
    Check(GetS32(v, &out, &error), error);
    return out;
  }
  std::int64_t S64(std::size_t i) const {
    std::int64_t out = 0;
    std::string error;
    Check(GetS64(Arg(i), &out, &error), error);
    return out;
  }
  std::int32_t BracketedS32(std::size_t i) const {
    std::int32_t out = 0;
    std::string error;
    Check(GetBracketedS32(Arg(i), &out, &error), error);
    return out;
  }
  std::int64_t BracketedS64(std::size_t i) const {
    std::int64_t out = 0;
    std::string error;
    Check(GetBracketedS64(Arg(i), &out, &error), error);
    return out;
  }
  /// buffer_arg: `...` or NULL; true for NULL.
  bool BufferIsNull(std::size_t i) const {
    bool is_null = false;
    std::string error;
    Check(GetBuffer(Arg(i), &is_null, &error), error);
    return is_null;
  }
  /// The expected result as a 32-bit value (it is also the script fd of a new descriptor).
  std::int32_t ScriptResult() const { return S32Of(Int(expect.result)); }
  /// to_live_fd
  int LiveFd(std::int32_t script_fd) const {
    int live = run.FindLiveFd(script_fd);
    if (live < 0) Fail(Format("unable to find fd with script fd %d", script_fd));
    return live;
  }
  epoll_event EpollEvent(const Value& v, int script_fd, int live_fd, EpollData* kind) const;
  /// fd_to_socket(find_by_script_fd()), where packetdrill needs a socket.
  SocketState& Socket(std::int32_t script_fd) const {
    SocketState* s = run.SocketByScriptFd(script_fd);
    if (!s) Fail(Format("unable to find socket with script fd %d", script_fd));
    return *s;
  }
};

// ---------------------------------------------------------------------------------------------
// Dispatch, timing and the blocking-call thread

void RunImpl::FailingSyscall(const Event& ev, const char* name, const char* message) {
  PeerNextEvent(false);
  std::unique_lock<std::mutex> lock(mu_);
  if (LeavesCalls()) return KeepTime(ev, false, false);  // The client fails there.
  if (!blocking_done_) {
    lock.unlock();
    WaitForBlockingThread(ev, name, /*fatal=*/ev.returns_us >= 0);
    lock.lock();
  }
  // packetdrill evaluates a call's arguments once its time has come, then fails.
  EventWindow t = BeginEvent(ev, false);
  WaitForStart(ev, t, "system call start", &lock);
  Fail(ev, std::string("runtime error in ") + name + " call", message);
}

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
    WaitForBlockingThread(ev, name, /*fatal=*/ev.returns_us >= 0);
    lock.lock();
  }
  EventWindow t = BeginEvent(ev, false);
  CallContext call{*this,           ev,     id, name,
                   std::move(args), expect, t,  std::string("runtime error in ") + name + " call"};
  if (ev.returns_us < 0) {
    WaitForStart(ev, t, "system call start", &lock);
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
  blocking_line_ = call.ev.line;
  std::int64_t returns_after_us = call.ev.returns_us - call.ev.time.start_us;  // same base
  EventWindow returns = timing_.ReturnWindow(w, returns_after_us);
  StartThread([this, call = std::move(call), returns]() mutable {
    blocking_tid_ = static_cast<pid_t>(::syscall(SYS_gettid));
    WaitForStart(call.ev, call.timing, "system call start", /*held=*/nullptr);
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

void RunImpl::WaitForBlockingThread(const Event& ev, const char* call, bool fatal) {
  std::int64_t deadline = NowNs() + 1'000'000'000;
  while (!blocking_done_ && NowNs() < deadline) usleep(100);
  if (!blocking_done_ && fatal) {
    Fail(ev, std::string("runtime error in ") + call + " call",
         "blocking system call while another blocking system call is already in progress");
  }
  if (blocking_done_) JoinBlockingThread();
}

void RunImpl::Execute(CallContext& c) {
  switch (c.id) {
#define PKTC_SYSCALL(Id, name, min_args, max_args, address_args, Handler) \
  case SyscallId::k##Id:                                                  \
    return Handler(c);
#include "pktc/syscalls.def"
  }
}

void RunImpl::Unsupported(CallContext& c) {
  // pktc refuses such scripts when it builds them; this is for a hand-written caller.
  c.Fail(std::string("system call '") + c.name + "' is not supported by this runtime");
}

// Runs `fn` (the system call itself) with errno cleared. A blocking call runs it with the state
// lock released (packetdrill's begin_syscall), so the main thread can inject the packets that
// will wake it; its return time is taken before the lock is retaken.
template <typename Fn>
auto RunImpl::KernelCall(CallContext& c, Fn fn) {
  bool unlock = c.blocking();
  if (unlock) {
    mu_.unlock();
    blocking_in_call_ = true;  // From here, sleeping means sleeping in the call.
  }
  errno = 0;
  std::int64_t value = static_cast<std::int64_t>(fn());
  int err = errno;
  c.returned_us = timing_.ElapsedUs();
  if (unlock) mu_.lock();
  return KernelResult{value, err};
}

void RunImpl::EndSyscall(CallContext& c, ResultCheck mode, std::int64_t result, int err) {
  int actual = static_cast<int>(result);  // packetdrill keeps every result in an int
  Trace(c.ev, c.timing, std::string(c.name) + "() = " + std::to_string(actual));
  std::int32_t expected = c.ScriptResult();
  if (mode == ResultCheck::kFd && expected >= 0) {
    if (actual < 0) {
      c.Fail(Format("Expected non-negative result but got %d with errno %d (%s)", actual, err,
                    std::strerror(err)));
    }
  } else if (actual != expected) {
    c.Fail(Format("Expected result %d but got %d with errno %d (%s)", expected, actual, err,
                  std::strerror(err)));
  }
  if (c.expect.err_name && err != c.expect.err) {
    c.Fail(Format("Expected errno %d (%s) but got %d (%s)", c.expect.err,
                  std::strerror(c.expect.err), err, std::strerror(err)));
  }
}

// ---------------------------------------------------------------------------------------------
// The script's file descriptors, found as packetdrill's fd list finds them: the newest open
// one with that number.

SocketState* RunImpl::SocketByScriptFd(std::int64_t script_fd) {
  for (auto it = sockets_.rbegin(); it != sockets_.rend(); ++it) {
    SocketState* s = it->get();
    // A closed socket keeps its number but has no live descriptor; a wire server's sockets
    // never have one (the client makes the calls).
    bool open = s->live_fd >= 0 || LeavesCalls();
    if (s->script_fd >= 0 && open && s->script_fd == script_fd) return s;
  }
  return nullptr;
}

int RunImpl::FindLiveFd(std::int64_t script_fd) {
  if (SocketState* s = SocketByScriptFd(script_fd)) return s->live_fd;
  for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
    if (!it->closed && it->script_fd == script_fd) return it->live_fd;
  }
  return -1;
}

void RunImpl::CheckDuplicateFd(CallContext& c, std::int64_t script_fd, int live_fd) {
  if (FindLiveFd(script_fd) >= 0) {
    c.Fail(Format("duplicate fd %lld in script", static_cast<long long>(script_fd)));
  }
  bool live_in_use =
      std::any_of(sockets_.begin(), sockets_.end(),
                  [&](const auto& s) { return s->script_fd >= 0 && s->live_fd == live_fd; }) ||
      std::any_of(files_.begin(), files_.end(),
                  [&](const FileFd& f) { return !f.closed && f.live_fd == live_fd; });
  if (live_in_use) c.Fail(Format("duplicate live fd %d", live_fd));
}

SocketState* RunImpl::PrepareConnect(CallContext& c, std::int64_t script_fd, int family,
                                     sockaddr_storage* addr, socklen_t* addr_len) {
  if (family != -1) {
    // An integer address argument: a zeroed address of that family (AF_UNSPEC disconnects),
    // with the caller's length, sizeof(struct sockaddr_storage).
    *addr = {};
    addr->ss_family = static_cast<sa_family_t>(family);
  } else {
    *addr_len = static_cast<socklen_t>(
        FillSockaddr(config_.socket_family, config_.remote,
                     static_cast<std::uint16_t>(config_.connect_port), addr));
  }
  SocketState& s = c.Socket(static_cast<std::int32_t>(script_fd));
  // A disconnect makes the socket new again, so that a later connect() connects it.
  if (addr->ss_family == AF_UNSPEC) {
    s.kind = SocketState::Kind::kNew;
    return nullptr;
  }
  if (s.kind != SocketState::Kind::kNew) return nullptr;
  // Connecting from now, before the call: a blocking call's SYN goes out while it sleeps, and
  // the script's outbound SYN line binds the connection's ISN. The local port is learned
  // once the kernel has chosen it.
  s.kind = SocketState::Kind::kConnecting;
  s.has_local_isn = false;
  s.remote_port = static_cast<std::uint16_t>(config_.connect_port);
  s.local_port = 0;
  return &s;
}

void RunImpl::NoteConnected(SocketState* s, int live_fd) {
  if (s && s->local_port == 0) s->local_port = LocalPort(live_fd);
}

// ---------------------------------------------------------------------------------------------
// Sockets and connections

void RunImpl::DoSocket(CallContext& c) {
  c.ArgCount(3);
  std::int32_t domain = config_.socket_family;
  if (!c.IsEllipsis(0)) domain = c.S32(0);
  std::int32_t type = c.S32(1);
  std::int32_t protocol = c.S32(2);
  KernelResult r = KernelCall(c, [&] { return socket(domain, type, protocol); });
  EndSyscall(c, ResultCheck::kFd, r.value, r.err);
  if (r.value < 0) return;
  int live_fd = static_cast<int>(r.value);
  std::int32_t script_fd = c.ScriptResult();
  if (script_fd < 0) c.Fail(Format("invalid socket fd %d in script", script_fd));
  CheckDuplicateFd(c, script_fd, live_fd);
  auto s = std::make_unique<SocketState>();
  s->script_fd = script_fd;
  s->live_fd = live_fd;
  s->domain = domain;
  s->type = type;
  s->protocol = protocol;
  // Later packets of the script are this socket's.
  under_test_ = s.get();
  sockets_.push_back(std::move(s));
}

void RunImpl::DoBind(CallContext& c) {
  c.ArgCount(3);
  std::int32_t fd = c.S32(0);
  int live = c.LiveFd(fd);
  c.Ellipsis(1);
  c.Ellipsis(2);
  sockaddr_storage addr;
  socklen_t len = static_cast<socklen_t>(FillSockaddr(
      config_.socket_family, config_.local, static_cast<std::uint16_t>(config_.bind_port), &addr));
  KernelResult r =
      KernelCall(c, [&] { return bind(live, reinterpret_cast<sockaddr*>(&addr), len); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  if (r.value != 0) return;
  if (SocketState* s = SocketByScriptFd(fd)) {
    s->local_port = static_cast<std::uint16_t>(config_.bind_port);
  }
}

void RunImpl::DoListen(CallContext& c) {
  c.ArgCount(2);
  std::int32_t fd = c.S32(0);
  int live = c.LiveFd(fd);
  std::int32_t backlog = c.S32(1);
  KernelResult r = KernelCall(c, [&] { return listen(live, backlog); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  // As packetdrill: listening once the result is as the script expects, whatever it is.
  SocketState& s = c.Socket(fd);
  s.kind = SocketState::Kind::kListening;
  s.local_port = static_cast<std::uint16_t>(config_.bind_port);
}

void RunImpl::DoAccept(CallContext& c) {
  c.ArgCount(3);
  std::int32_t fd = c.S32(0);
  int live = c.LiveFd(fd);
  c.Ellipsis(1);
  c.Ellipsis(2);
  KernelResult r = KernelCall(c, [&] { return accept(live, nullptr, nullptr); });
  EndSyscall(c, ResultCheck::kFd, r.value, r.err);
  if (r.value < 0) return;
  std::int32_t script_fd = c.ScriptResult();
  // run_syscall_accept: the newest passive connection whose SYN-ACK the script has seen (the
  // kernel accepts a Fast Open connection before the handshake completes).
  for (auto it = sockets_.rbegin(); it != sockets_.rend(); ++it) {
    SocketState* s = it->get();
    if (s->kind != SocketState::Kind::kChild || !s->has_local_isn) continue;
    s->script_fd = script_fd;
    s->live_fd = static_cast<int>(r.value);
    return;
  }
  if (LeavesPackets()) {
    // A wire client never sees the SYN that made the child (the server injected it); as
    // packetdrill, the accepted socket becomes the child and the socket under test.
    SocketState* listener = SocketByScriptFd(fd);
    auto made = std::make_unique<SocketState>();
    made->kind = SocketState::Kind::kChild;
    made->listener = listener;
    made->domain = listener ? listener->domain : config_.socket_family;
    made->local_port = static_cast<std::uint16_t>(config_.bind_port);
    made->script_fd = script_fd;
    made->live_fd = static_cast<int>(r.value);
    under_test_ = made.get();
    sockets_.push_back(std::move(made));
    return;
  }
  c.Fail("unable to find socket matching accept() call");
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

void RunImpl::DoConnect(CallContext& c) {
  c.ArgCount(3);
  std::int32_t fd = c.S32(0);
  int live = c.LiveFd(fd);
  int family = -1;
  if (!c.IsEllipsis(1)) family = c.S32(1);
  c.Ellipsis(2);
  sockaddr_storage addr;
  socklen_t len = sizeof addr;
  SocketState* connecting = PrepareConnect(c, fd, family, &addr, &len);
  KernelResult r =
      KernelCall(c, [&] { return connect(live, reinterpret_cast<sockaddr*>(&addr), len); });
  NoteConnected(connecting, live);
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

void RunImpl::DoClose(CallContext& c) {
  c.ArgCount(1);
  std::int32_t fd = c.S32(0);
  int live = c.LiveFd(fd);
  KernelResult r = KernelCall(c, [&] { return close(live); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  // run_syscall_close: the script fd is free again; the socket stays, for its packets.
  if (SocketState* s = SocketByScriptFd(fd)) {
    s->script_fd = -1;
    return;
  }
  for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
    if (!it->closed && it->script_fd == fd) {
      it->closed = true;
      return;
    }
  }
}

void RunImpl::DoShutdown(CallContext& c) {
  c.ArgCount(2);
  int live = c.LiveFd(c.S32(0));
  std::int32_t how = c.S32(1);
  KernelResult r = KernelCall(c, [&] { return shutdown(live, how); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

// ---------------------------------------------------------------------------------------------
// Data transfer

/// Zero bytes to send from. Read-only and never freed, so MSG_ZEROCOPY sends (which the kernel
/// reads after the call returns) always carry zeros, as packetdrill's --send_omit_free ensures.
const char* SendZeros(std::int64_t len) {
  static const char* zeros = [] {
    void* p = mmap(nullptr, kMaxBuffer, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<const char*>(p);
  }();
  (void)len;
  return zeros;
}

namespace {
/// The bytes a send call passes: `count` zeros, or NULL for a NULL argument (and for a
/// negative count, whose allocation fails in packetdrill).
class SendBuffer {
 public:
  SendBuffer(bool is_null, std::int32_t count) {
    if (is_null || count < 0) return;
    if (count <= kMaxBuffer) {
      data_ = SendZeros(count);
      return;
    }
    big_ = Malloc(count, /*zero=*/true);
    data_ = big_.get();
  }
  const char* data() const { return data_; }

 private:
  const char* data_ = nullptr;
  CBuffer big_{nullptr, &std::free};
};
}  // namespace

void RunImpl::DoRead(CallContext& c) {
  c.ArgCount(3);
  int live = c.LiveFd(c.S32(0));
  bool is_null = c.BufferIsNull(1);
  std::int32_t count = c.S32(2);
  CBuffer buf = is_null ? CBuffer(nullptr, &std::free) : Malloc(count, /*zero=*/false);
  KernelResult r = KernelCall(c, [&] { return read(live, buf.get(), count); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

void RunImpl::DoRecv(CallContext& c) {
  c.ArgCount(4);
  int live = c.LiveFd(c.S32(0));
  bool is_null = c.BufferIsNull(1);
  std::int32_t count = c.S32(2);
  std::int32_t flags = c.S32(3);
  CBuffer buf = is_null ? CBuffer(nullptr, &std::free) : Malloc(count, /*zero=*/false);
  KernelResult r = KernelCall(c, [&] { return recv(live, buf.get(), count, flags); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

void RunImpl::DoRecvfrom(CallContext& c) {
  c.ArgCount(6);
  int live = c.LiveFd(c.S32(0));
  bool is_null = c.BufferIsNull(1);
  std::int32_t count = c.S32(2);
  std::int32_t flags = c.S32(3);
  c.Ellipsis(4);
  c.Ellipsis(5);
  CBuffer buf = is_null ? CBuffer(nullptr, &std::free) : Malloc(count, /*zero=*/false);
  sockaddr_storage from;
  socklen_t from_len = sizeof from;
  KernelResult r = KernelCall(c, [&] {
    return recvfrom(live, buf.get(), count, flags, reinterpret_cast<sockaddr*>(&from), &from_len);
  });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

void RunImpl::DoWrite(CallContext& c) {
  c.ArgCount(3);
  int live = c.LiveFd(c.S32(0));
  bool is_null = c.BufferIsNull(1);
  std::int32_t count = c.S32(2);
  SendBuffer buf(is_null, count);
  KernelResult r = KernelCall(c, [&] { return write(live, buf.data(), count); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

void RunImpl::DoSend(CallContext& c) {
  c.ArgCount(4);
  int live = c.LiveFd(c.S32(0));
  bool is_null = c.BufferIsNull(1);
  std::int32_t count = c.S32(2);
  std::int32_t flags = c.S32(3);
  SendBuffer buf(is_null, count);
  KernelResult r = KernelCall(c, [&] { return send(live, buf.data(), count, flags); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

void RunImpl::DoSendto(CallContext& c) {
  c.ArgCount(6);
  std::int32_t fd = c.S32(0);
  int live = c.LiveFd(fd);
  bool is_null = c.BufferIsNull(1);
  std::int32_t count = c.S32(2);
  std::int32_t flags = c.S32(3);
  int family = -1;
  if (!c.IsEllipsis(4)) family = c.S32(4);
  c.Ellipsis(5);
  // ICMP datagram ("ping") sockets send echo requests.
  if (SocketState* s = SocketByScriptFd(fd)) {
    if (s->type == SOCK_DGRAM && ((s->domain == AF_INET && s->protocol == IPPROTO_ICMP) ||
                                  (s->domain == AF_INET6 && s->protocol == IPPROTO_ICMPV6))) {
      return IcmpSendto(c);
    }
  }
  sockaddr_storage addr;
  socklen_t len = sizeof addr;
  SocketState* connecting = PrepareConnect(c, fd, family, &addr, &len);
  SendBuffer buf(is_null, count);
  KernelResult r = KernelCall(c, [&] {
    return sendto(live, buf.data(), count, flags, reinterpret_cast<sockaddr*>(&addr), len);
  });
  NoteConnected(connecting, live);
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

// packetdrill's syscall_icmp_sendto: an echo request (type 8, or 128 for ICMPv6, in the first
// byte when the buffer holds an ICMP header) to the script's peer.
void RunImpl::IcmpSendto(CallContext& c) {
  c.ArgCount(6);
  std::int32_t fd = c.S32(0);
  int live = c.LiveFd(fd);
  bool is_null = c.BufferIsNull(1);
  std::int32_t count = c.S32(2);
  std::int32_t flags = c.S32(3);
  c.Ellipsis(4);
  c.Ellipsis(5);
  sockaddr_storage addr;
  socklen_t len = sizeof addr;
  SocketState* connecting = PrepareConnect(c, fd, -1, &addr, &len);
  CBuffer buf = is_null ? CBuffer(nullptr, &std::free) : Malloc(count, /*zero=*/true);
  constexpr std::int32_t kIcmpHeaderLen = 8;
  if (buf && count >= kIcmpHeaderLen) {
    buf.get()[0] = static_cast<char>(config_.remote.family == AF_INET6 ? 128 : 8);
  }
  KernelResult r = KernelCall(c, [&] {
    return sendto(live, buf.get(), count, flags, reinterpret_cast<sockaddr*>(&addr), len);
  });
  NoteConnected(connecting, live);
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

namespace {
/// An iovec array as packetdrill builds it (iovec_new): `[{..., N}, ...]`, each N bytes of
/// zeros. What is sent comes from SendZeros, which stays valid after the call, for MSG_ZEROCOPY.
struct IoVectors {
  std::vector<iovec> iov;
  std::vector<CBuffer> buffers;
};

bool NewIovec(const Value& list, bool sending, IoVectors* out, std::string* error) {
  if (!CheckType(list, "list", error)) return false;
  for (const Value& item : list.items) {
    if (!CheckType(item, "iovec", error)) return false;
    std::int64_t len = item.items[1].kind == Value::Kind::kInt ? item.items[1].i : 0;
    if (sending && len <= kMaxBuffer) {
      out->iov.push_back({const_cast<char*>(SendZeros(len)), static_cast<std::size_t>(len)});
      continue;
    }
    CBuffer buf = Malloc(static_cast<std::int32_t>(std::clamp<std::int64_t>(len, 0, INT32_MAX)),
                         /*zero=*/true);
    out->iov.push_back({buf.get(), static_cast<std::size_t>(len)});
    out->buffers.push_back(std::move(buf));
  }
  if (!list.fields.empty()) {
    *error = "Bad type; actual: binary_expression expected: iovec";
    return false;
  }
  return true;
}

/// A msghdr as packetdrill builds it (msghdr_new): an address buffer for `msg_name`, the iovecs,
/// the control messages (at most 2000 bytes, msg_controllen their sum) and msg_flags.
struct MsgHdr {
  msghdr hdr{};
  sockaddr_storage name{};
  bool has_name = false;
  IoVectors iov;
  ControlBuffer control;
};

bool NewMsghdr(const Value& v, bool sending, MsgHdr* out, std::string* error) {
  if (!CheckType(v, "msghdr", error)) return false;
  msghdr& m = out->hdr;
  if (v.Find("msg_name")) {
    out->has_name = true;
    m.msg_name = &out->name;
    m.msg_namelen = sizeof out->name;
  }
  if (const Value* iov = v.Find("msg_iov")) {
    if (!NewIovec(*iov, sending, &out->iov, error)) return false;
    m.msg_iov = out->iov.iov.data();
  }
  std::int32_t iovlen = static_cast<std::int32_t>(out->iov.iov.size());
  if (const Value* n = v.FindParen("msg_iov")) {
    if (!GetS32(*n, &iovlen, error)) return false;
  }
  m.msg_iovlen = static_cast<std::size_t>(iovlen);
  if (iovlen != static_cast<std::int32_t>(out->iov.iov.size())) {
    *error = Format("msg_iovlen %d does not match %d-element iovec array", iovlen,
                    static_cast<int>(out->iov.iov.size()));
    return false;
  }
  m.msg_control = out->control.bytes;
  if (const Value* control = v.Find("msg_control")) {
    bool ok = BuildCmsgs(*control, &out->control, error);
    m.msg_controllen = out->control.len;
    if (!ok) return false;
  }
  if (const Value* flags = v.Find("msg_flags")) {
    std::int32_t f = 0;
    if (!GetS32(*flags, &f, error)) return false;
    m.msg_flags = f;
  }
  return true;
}
}  // namespace

// readv() and writev(): as packetdrill's syscall_readv/syscall_writev, which differ only in
// the direction.
void RunImpl::VectoredIo(CallContext& c, bool sending) {
  c.ArgCount(3);
  int live = c.LiveFd(c.S32(0));
  IoVectors iov;
  std::string error;
  c.Check(NewIovec(c.Arg(1), sending, &iov, &error), error);
  std::int32_t count = c.S32(2);
  if (count != static_cast<std::int32_t>(iov.iov.size())) {
    c.Fail(Format("iov_count %d does not match %d-element iovec array", count,
                  static_cast<int>(iov.iov.size())));
  }
  KernelResult r = KernelCall(c, [&] {
    return sending ? writev(live, iov.iov.data(), count) : readv(live, iov.iov.data(), count);
  });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

void RunImpl::DoReadv(CallContext& c) { VectoredIo(c, /*sending=*/false); }
void RunImpl::DoWritev(CallContext& c) { VectoredIo(c, /*sending=*/true); }

void RunImpl::DoRecvmsg(CallContext& c) { SendOrRecvmsg(c, /*receive=*/true); }
void RunImpl::DoSendmsg(CallContext& c) { SendOrRecvmsg(c, /*receive=*/false); }

void RunImpl::SendOrRecvmsg(CallContext& c, bool receive) {
  c.ArgCount(3);
  std::int32_t fd = c.S32(0);
  int live = c.LiveFd(fd);
  std::string error;
  // The call's msghdr and, for recvmsg, the script's expectation, built alike: the control
  // buffer the kernel fills holds the expected messages until it does.
  auto msg = std::make_unique<MsgHdr>();
  c.Check(NewMsghdr(c.Arg(1), !receive, msg.get(), &error), error);
  std::unique_ptr<MsgHdr> expected;
  if (receive) {
    expected = std::make_unique<MsgHdr>();
    c.Check(NewMsghdr(c.Arg(1), false, expected.get(), &error), error);
  }
  std::int32_t flags = c.S32(2);
  SocketState* connecting = nullptr;
  if (!receive) {
    if (msg->has_name) {
      connecting = PrepareConnect(c, fd, -1, &msg->name, &msg->hdr.msg_namelen);
    }
    if (msg->hdr.msg_flags != 0) c.Fail("sendmsg ignores msg_flags field in msghdr");
  }
  KernelResult r = KernelCall(c, [&] {
    return receive ? recvmsg(live, &msg->hdr, flags) : sendmsg(live, &msg->hdr, flags);
  });
  NoteConnected(connecting, live);
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  if (!receive) return;
  if (msg->hdr.msg_flags != expected->hdr.msg_flags) {
    c.Fail(Format("Expected msg_flags 0x%08X but got 0x%08X",
                  static_cast<unsigned>(expected->hdr.msg_flags),
                  static_cast<unsigned>(msg->hdr.msg_flags)));
  }
  // Kernel timestamps are on CLOCK_REALTIME.
  CmsgClock clock{(timing_.live_start_ns() - RealtimeToMonotonicOffsetNs()) / 1000,
                  config_.tolerance_usecs};
  c.Check(CompareCmsgs(expected->hdr, msg->hdr, clock, &error), error);
}

void RunImpl::DoSendfile(CallContext& c) {
  c.ArgCount(4);
  int out_fd = c.LiveFd(c.S32(0));
  int in_fd = c.LiveFd(c.S32(1));
  off_t offset = static_cast<off_t>(c.BracketedS64(2));
  std::int32_t count = c.S32(3);
  KernelResult r = KernelCall(c, [&] { return sendfile(out_fd, in_fd, &offset, count); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

// packetdrill's syscall_splice: the offsets are pointers as the script writes them (NULL, in
// practice).
void RunImpl::DoSplice(CallContext& c) {
  c.ArgCount(6);
  int in_fd = c.LiveFd(c.S32(0));
  std::int64_t off_in = c.S64(1);
  int out_fd = c.LiveFd(c.S32(2));
  std::int64_t off_out = c.S64(3);
  std::int32_t len = c.S32(4);
  std::int32_t flags = c.S32(5);
  KernelResult r = KernelCall(c, [&] {
    return splice(in_fd, reinterpret_cast<loff_t*>(off_in), out_fd,
                  reinterpret_cast<loff_t*>(off_out), static_cast<std::size_t>(len),
                  static_cast<unsigned>(flags));
  });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

// ---------------------------------------------------------------------------------------------
// Descriptors and options

void RunImpl::DoFcntl(CallContext& c) {
  if (c.args.size() != 2 && c.args.size() != 3) {
    c.Fail(Format("fcntl expected 2-3 args but got %zu", c.args.size()));
  }
  int live = c.LiveFd(c.S32(0));
  std::int32_t command = c.S32(1);
  if (c.args.size() == 2) {
    KernelResult r = KernelCall(c, [&] { return fcntl(live, command); });
    return EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  }
  std::int32_t arg = c.S32(2);
  KernelResult r = KernelCall(c, [&] { return fcntl(live, command, arg); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

void RunImpl::DoIoctl(CallContext& c) {
  if (c.args.size() != 2 && c.args.size() != 3) {
    c.Fail(Format("ioctl expected 2-3 args but got %zu", c.args.size()));
  }
  int live = c.LiveFd(c.S32(0));
  auto command = static_cast<unsigned long>(static_cast<std::uint32_t>(c.S32(1)));
  if (c.args.size() == 2) {
    KernelResult r = KernelCall(c, [&] { return ioctl(live, command, 0); });
    return EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  }
  std::int32_t script_optval = c.BracketedS32(2);
  int live_optval = 0;
  KernelResult r = KernelCall(c, [&] { return ioctl(live, command, &live_optval); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  if (live_optval != script_optval) {
    c.Fail(Format("Bad ioctl optval: expected: %d actual: %d", script_optval, live_optval));
  }
}

void RunImpl::DoGetsockopt(CallContext& c) {
  c.ArgCount(5);
  int live = c.LiveFd(c.S32(0));
  std::int32_t level = c.S32(1);
  std::int32_t name = c.S32(2);
  const Value& value = c.Arg(3);
  std::int32_t script_optlen = c.BracketedS32(4);
  socklen_t live_optlen = static_cast<socklen_t>(script_optlen);
  // calloc(1, optlen + 1), as packetdrill: room for a string's terminating NUL.
  CBuffer out = Malloc(static_cast<std::int32_t>(std::clamp<std::int64_t>(
                           static_cast<std::int64_t>(script_optlen) + 1, 1, kMaxBuffer)),
                       /*zero=*/true);
  KernelResult r =
      KernelCall(c, [&] { return getsockopt(live, level, name, out.get(), &live_optlen); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  if (static_cast<int>(live_optlen) != script_optlen) {
    c.Fail(Format("Bad getsockopt optlen: expected: %d actual: %d", script_optlen,
                  static_cast<int>(live_optlen)));
  }
  if (value.kind == Value::Kind::kString) {
    std::string want = ToPrintableString(value.s.data(), value.s.size());
    if (script_optlen != static_cast<std::int32_t>(value.s.size())) {
      c.Fail(
          Format("Bad getsockopt optval: expected optlen (%d bytes) does not match length of "
                 "expected optval string '%s' (%d bytes)",
                 script_optlen, want.c_str(), static_cast<int>(value.s.size())));
    }
    if (std::memcmp(out.get(), value.s.data(), value.s.size()) != 0) {
      c.Fail(Format("Bad getsockopt optval: expected: '%s' actual: '%s'", want.c_str(),
                    ToPrintableString(out.get(), live_optlen).c_str()));
    }
    return;
  }
  if (std::strcmp(ValueTypeName(value), "gre") == 0) {
    // packetdrill compares the flags and the sum, off, key and seq words, not the protocol.
    if (script_optlen != 16) c.Fail(Format("Unsupported getsockopt optlen: %d", script_optlen));
    const std::string& want = value.fields[0].value.s;
    if (std::memcmp(out.get(), want.data(), 2) != 0 ||
        std::memcmp(out.get() + 4, want.data() + 4, 12) != 0) {
      c.Fail("Bad getsockopt optval.");
    }
    return;
  }
  if (IsScriptList(value)) {
    if (script_optlen != 4) c.Fail(Format("Unsupported getsockopt optlen: %d", script_optlen));
    std::int32_t want = c.BracketedS32(3);
    std::int32_t got;
    std::memcpy(&got, out.get(), sizeof got);
    if (got != want) {
      c.Fail(Format("Bad getsockopt optval: expected: %d actual: %d", want, got));
    }
    return;
  }
  c.Fail(Format("unsupported getsockopt value type: %s", ValueTypeName(value)));
}

void RunImpl::DoSetsockopt(CallContext& c) {
  c.ArgCount(5);
  std::int32_t fd = c.S32(0);
  int live = c.LiveFd(fd);
  std::int32_t level = c.S32(1);
  std::int32_t name = c.S32(2);
  const Value& value = c.Arg(3);
  std::vector<char> data;
  auto hold = [&](const auto& object) {
    const char* p = reinterpret_cast<const char*>(&object);
    data.assign(p, p + sizeof object);
  };
  std::string md5_key;
  socklen_t optlen;
  if (std::strcmp(ValueTypeName(value), "tcp_md5sig") == 0) {
    // pktc's own form, `{tcpm_addr=..., tcpm_keylen=N, tcpm_key="..."}` with any optlen: the
    // key is for the script's peer, the remote address in the socket's family.
    tcp_md5sig md5{};
    sockaddr_storage peer;
    SocketState* s = SocketByScriptFd(fd);
    FillSockaddr(s ? s->domain : config_.socket_family, config_.remote, 0, &peer);
    std::memcpy(&md5.tcpm_addr, &peer, sizeof peer);
    const Value* key = value.Find("tcpm_key");
    md5_key = key->s.substr(0, TCP_MD5SIG_MAXKEYLEN);
    md5.tcpm_keylen = static_cast<std::uint16_t>(md5_key.size());
    std::memcpy(md5.tcpm_key, md5_key.data(), md5_key.size());
    hold(md5);
    optlen = c.IsEllipsis(4) ? sizeof md5 : static_cast<socklen_t>(c.S32(4));
  } else {
    optlen = static_cast<socklen_t>(c.S32(4));
    const char* type = ValueTypeName(value);
    if (std::strcmp(type, "linger") == 0) {
      linger l{c.S32Of(*value.Find("onoff")),
               value.Find("linger") ? c.S32Of(*value.Find("linger")) : 0};
      hold(l);
    } else if (value.kind == Value::Kind::kString) {
      // The string and its NUL; zeros beyond, if optlen says more.
      data.assign(value.s.begin(), value.s.end());
      data.resize(
          std::max<std::size_t>(data.size() + 1, std::min<std::size_t>(optlen, kMaxBuffer)));
    } else if (IsScriptList(value)) {
      std::int32_t v = c.BracketedS32(3);
      hold(v);
    } else if (std::strcmp(type, "gre") == 0 || std::strcmp(type, "mpls_stack") == 0) {
      // packetdrill's struct gre / struct mpls_stack, as sema laid them out.
      const std::string& bytes = value.fields[0].value.s;
      data.assign(bytes.begin(), bytes.end());
      data.resize(std::max<std::size_t>(data.size(), std::min<std::size_t>(optlen, kMaxBuffer)));
    } else {
      c.Fail(Format("unsupported setsockopt value type: %s", type));
    }
  }
  KernelResult r =
      KernelCall(c, [&] { return setsockopt(live, level, name, data.data(), optlen); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  if (r.value == 0 && !md5_key.empty()) {
    if (SocketState* s = SocketByScriptFd(fd)) s->md5_key = md5_key;
  }
}

void RunImpl::DoPoll(CallContext& c) {
  c.ArgCount(3);
  const Value& list = c.Arg(0);
  std::string error;
  c.Check(CheckType(list, "list", &error), error);
  std::vector<pollfd> fds;
  std::vector<int> want_revents;
  for (const Value& item : list.items) {
    c.Check(CheckType(item, "pollfd", &error), error);
    const Value* fd = item.Find("fd");
    const Value* events = item.Find("events");
    const Value* revents = item.Find("revents");
    Value zero = Int(0);
    if (!revents) revents = &zero;  // revents=0 when the script leaves it out
    if (!fd || !events) c.Fail("pollfd without fd or events");
    c.Check(CheckType(*fd, "integer", &error) && CheckType(*events, "integer", &error) &&
                CheckType(*revents, "integer", &error),
            error);
    pollfd p{};
    p.fd = c.LiveFd(static_cast<int>(fd->i));
    p.events = static_cast<short>(events->i);
    p.revents = static_cast<short>(revents->i);  // what poll() leaves there on an error
    fds.push_back(p);
    want_revents.push_back(static_cast<int>(revents->i));
  }
  std::int32_t nfds = c.S32(1);
  std::int32_t timeout = c.S32(2);
  if (nfds != static_cast<std::int32_t>(fds.size())) {
    c.Fail(Format("nfds %d does not match %d-element pollfd array", nfds,
                  static_cast<int>(fds.size())));
  }
  KernelResult r = KernelCall(c, [&] { return poll(fds.data(), nfds, timeout); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  for (std::size_t i = 0; i < fds.size(); ++i) {
    int got = fds[i].revents;
    if (got == want_revents[i]) continue;
    auto text = [](int flags) {
      std::string s = PollFlagsToString(static_cast<std::uint32_t>(flags));
      return s.empty() ? std::string("0") : s;
    };
    c.Fail(Format("Expected revents of %s but got %s for pollfd %zu", text(want_revents[i]).c_str(),
                  text(got).c_str(), i));
  }
}

void RunImpl::DoEpollCreate(CallContext& c) {
  c.ArgCount(1);
  std::int32_t size = c.S32(0);
  KernelResult r = KernelCall(c, [&] { return epoll_create(size); });
  EndSyscall(c, ResultCheck::kFd, r.value, r.err);
  if (r.value < 0) return;
  std::int32_t script_fd = c.ScriptResult();
  CheckDuplicateFd(c, script_fd, static_cast<int>(r.value));
  files_.push_back({script_fd, static_cast<int>(r.value)});
}

// packetdrill's get_epoll_event_from_expr: `{events=E, ptr|fd|u32|u64=X}`. With `script_fd`
// (epoll_ctl), the fd named must be the call's; without (-1, epoll_wait), it is looked up.
epoll_event RunImpl::CallContext::EpollEvent(const Value& v, int script_fd, int live_fd,
                                             EpollData* kind) const {
  const CallContext& c = *this;
  std::string error;
  c.Check(CheckType(v, "epollev", &error), error);
  epoll_event e{};
  const Value* events = v.Find("events");
  c.Check(CheckType(*events, "integer", &error), error);
  e.events = static_cast<std::uint32_t>(events->i);
  if (const Value* ptr = v.Find("ptr")) {
    c.Check(CheckType(*ptr, "integer", &error), error);
    e.data.u64 = static_cast<std::uint64_t>(ptr->i);
    *kind = EpollData::kPtr;
  } else if (const Value* fd = v.Find("fd")) {
    c.Check(CheckType(*fd, "integer", &error), error);
    if (script_fd == -1) {
      live_fd = c.LiveFd(static_cast<int>(fd->i));
    } else if (fd->i != script_fd) {
      c.Fail("wrong fd specified in epoll_event");
    }
    e.data.fd = live_fd;
    *kind = EpollData::kFd;
  } else if (const Value* u32 = v.Find("u32")) {
    c.Check(CheckType(*u32, "integer", &error), error);
    e.data.u32 = static_cast<std::uint32_t>(u32->i);
    *kind = EpollData::kU32;
  } else if (const Value* u64 = v.Find("u64")) {
    c.Check(CheckType(*u64, "integer", &error), error);
    e.data.u64 = static_cast<std::uint64_t>(u64->i);
    *kind = EpollData::kU64;
  } else {
    c.Fail("epoll_event specified incorrectly");
  }
  return e;
}

void RunImpl::DoEpollCtl(CallContext& c) {
  c.ArgCount(4);
  int epfd = c.LiveFd(c.S32(0));
  std::int32_t op = c.S32(1);
  std::int32_t script_fd = c.S32(2);
  int live_fd = c.LiveFd(script_fd);
  EpollData kind;
  epoll_event event = c.EpollEvent(c.Arg(3), script_fd, live_fd, &kind);
  KernelResult r = KernelCall(c, [&] { return epoll_ctl(epfd, op, live_fd, &event); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
}

void RunImpl::DoEpollWait(CallContext& c) {
  c.ArgCount(4);
  int epfd = c.LiveFd(c.S32(0));
  EpollData kind;
  epoll_event want = c.EpollEvent(c.Arg(1), -1, -1, &kind);
  std::int32_t max_events = c.S32(2);
  std::int32_t timeout = c.S32(3);
  std::unique_ptr<epoll_event, decltype(&std::free)> events(
      static_cast<epoll_event*>(
          max_events < 0 ? nullptr
                         : std::calloc(std::max<std::size_t>(max_events, 1), sizeof(epoll_event))),
      &std::free);
  if (!events) c.Fail(Format("Failed to calloc %d struct epoll_event", max_events));
  KernelResult r =
      KernelCall(c, [&] { return epoll_wait(epfd, events.get(), max_events, timeout); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  // As packetdrill: the first event, whatever the result (none returned: zeros).
  epoll_event got = events.get()[0];
  if (got.events != want.events) {
    c.Fail(Format("epoll_event->events does not match script: expected: 0x%x actual: 0x%x",
                  want.events, got.events));
  }
  std::string mismatch;
  switch (kind) {
    case EpollData::kPtr:
      if (got.data.u64 != want.data.u64) {
        mismatch =
            Format("expected: %#llx actual: %#llx", static_cast<unsigned long long>(want.data.u64),
                   static_cast<unsigned long long>(got.data.u64));
      }
      break;
    case EpollData::kFd:
      if (got.data.fd != want.data.fd) {
        mismatch = Format("expected: %d actual: %d", want.data.fd, got.data.fd);
      }
      break;
    case EpollData::kU32:
      if (got.data.u32 != want.data.u32) {
        mismatch = Format("expected: %u actual: %u", want.data.u32, got.data.u32);
      }
      break;
    case EpollData::kU64:
      if (got.data.u64 != want.data.u64) {
        mismatch =
            Format("expected: %llu actual: %llu", static_cast<unsigned long long>(want.data.u64),
                   static_cast<unsigned long long>(got.data.u64));
      }
      break;
  }
  if (!mismatch.empty()) c.Fail("epoll_event->data does not match script: " + mismatch);
}

void RunImpl::DoPipe(CallContext& c) {
  c.ArgCount(1);
  const Value& list = c.Arg(0);
  std::string error;
  c.Check(CheckType(list, "list", &error), error);
  std::size_t n = list.items.size() + list.fields.size();
  if (n != 2) c.Fail(Format("%zu pipe file descriptors instead of 2", n));
  if (list.items.size() != 2) c.Fail("Bad type; actual: binary_expression expected: integer");
  int script_fds[2];
  for (int i = 0; i < 2; ++i) {
    c.Check(CheckType(list.items[i], "integer", &error), error);
    script_fds[i] = static_cast<int>(list.items[i].i);
  }
  int live_fds[2];
  KernelResult r = KernelCall(c, [&] { return pipe(live_fds); });
  EndSyscall(c, ResultCheck::kExact, r.value, r.err);
  if (r.value < 0) return;
  for (int i = 0; i < 2; ++i) CheckDuplicateFd(c, script_fds[i], live_fds[i]);
  for (int i = 0; i < 2; ++i) files_.push_back({script_fds[i], live_fds[i]});
}

void RunImpl::DoOpen(CallContext& c) {
  c.ArgCount(2);
  std::string error;
  c.Check(CheckType(c.Arg(0), "string", &error), error);
  std::int32_t flags = c.S32(1);
  KernelResult r = KernelCall(c, [&] { return open(c.Arg(0).s.c_str(), flags); });
  EndSyscall(c, ResultCheck::kFd, r.value, r.err);
  if (r.value < 0) return;
  std::int32_t script_fd = c.ScriptResult();
  CheckDuplicateFd(c, script_fd, static_cast<int>(r.value));
  files_.push_back({script_fd, static_cast<int>(r.value)});
}

// packetdrill's syscall_cap_set: libcap's cap_get_proc(), cap_set_flag() for one capability
// and cap_set_proc(), here as capget(2) and capset(2) of the calling thread. cap_set_flag()'s
// rules: a flag (CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE) and an op (CAP_CLEAR, CAP_SET)
// it knows, else packetdrill dies; a capability it does not know is left alone.
void RunImpl::DoCapSet(CallContext& c) {
  c.ArgCount(3);
  std::int32_t flag = c.S32(0);
  std::int32_t capability = c.S32(1);
  std::int32_t op = c.S32(2);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) c.Fail("Error in cap_get_proc()");
  constexpr std::int32_t kEffective = 0, kPermitted = 1, kInheritable = 2, kClear = 0, kSet = 1;
  if (flag < kEffective || flag > kInheritable || (op != kClear && op != kSet)) {
    c.Fail("Error in cap_set_flag()");
  }
  if (capability >= 0 && capability < 32 * _LINUX_CAPABILITY_U32S_3) {
    __user_cap_data_struct& word = data[capability / 32];
    std::uint32_t& set = flag == kEffective   ? word.effective
                         : flag == kPermitted ? word.permitted
                                              : word.inheritable;
    std::uint32_t bit = 1u << (capability % 32);
    set = op == kSet ? set | bit : set & ~bit;
  }
  KernelResult r = KernelCall(c, [&] { return ::syscall(SYS_capset, &header, data); });
  EndSyscall(c, ResultCheck::kFd, r.value, r.err);
}

}  // namespace pktc::rt
