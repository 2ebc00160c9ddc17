// The runtime's capabilities, checked before emitting code.
#include "codegen/runtime_support.h"

#include <set>
#include <string>

namespace pktc {

namespace {
const std::set<std::string>& RuntimeSyscalls() {
  static const std::set<std::string> calls = {
      "socket",   "bind",       "listen",     "accept",       "connect",   "read",
      "readv",    "recv",       "recvfrom",   "recvmsg",      "write",     "writev",
      "send",     "sendto",     "sendmsg",    "sendfile",     "fcntl",     "ioctl",
      "close",    "shutdown",   "getsockopt", "setsockopt",   "poll",      "epoll_create",
      "epoll_ctl", "epoll_wait", "pipe",      "open",
  };
  return calls;
}

SourceLoc Loc(const ir::SourceLocation& loc) { return SourceLoc::getFromPointer(loc.pointer); }
}  // namespace

bool CheckRuntimeSupport(const ir::Script& script, DiagnosticEngine& diags) {
  int errors_before = diags.error_count();
  for (const auto& [loc, what] : script.unsupported) {
    diags.Error(Loc(loc), what + " is not supported by the pktc runtime yet");
  }
  for (const ir::Event& event : script.events) {
    if (const auto* call = std::get_if<ir::Syscall>(&event.action)) {
      if (!RuntimeSyscalls().count(call->name)) {
        diags.Error(Loc(event.loc),
                    "system call '" + call->name + "' is not supported by the pktc runtime yet");
      }
    }
    if (const auto* tcp = std::get_if<ir::TcpPacket>(&event.action)) {
      if (tcp->ip.flowlabel) {
        diags.Error(Loc(event.loc), "IPv6 flow labels are not supported by the pktc runtime yet");
      }
    }
  }
  return diags.error_count() == errors_before;
}

}  // namespace pktc
