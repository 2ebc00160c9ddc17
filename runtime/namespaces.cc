// Network, mount and user namespaces for one run.
#include "namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pktc::rt {

namespace {

bool WriteProcFile(const char* path, const std::string& text, std::string* error) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = std::string(path) + ": " + std::strerror(errno);
    return false;
  }
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (!ok) *error = std::string(path) + ": " + std::strerror(errno);
  close(fd);
  return ok;
}

/// Root inside, the caller outside: the uid and gid maps of `unshare --map-root-user`.
bool EnterUserNamespace(std::string* error) {
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER) != 0) {
    *error = std::string("cannot create a user namespace: ") + std::strerror(errno);
    return false;
  }
  // setgroups must be denied before an unprivileged process may write gid_map.
  return WriteProcFile("/proc/self/setgroups", "deny", error) &&
         WriteProcFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1", error) &&
         WriteProcFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1", error);
}

void PrivateTmp() {
  // Not essential: carry on with the shared /tmp where mount namespaces are not allowed.
  if (unshare(CLONE_NEWNS) == 0 &&
      mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
      mount("pktc-tmp", "/tmp", "tmpfs", 0, "mode=1777") == 0) {
    // Whatever TMPDIR named under the old /tmp is hidden now.
    setenv("TMPDIR", "/tmp", 1);
  }
}

}  // namespace

Isolation EnterNamespaces(std::string* reason) {
  if (unshare(CLONE_NEWNET) == 0) {
    PrivateTmp();
    return Isolation::kPrivileged;
  }
  int net_errno = errno;
  std::string user_error;
  if (net_errno == EPERM && EnterUserNamespace(&user_error)) {
    if (unshare(CLONE_NEWNET) == 0) {
      PrivateTmp();
      return Isolation::kUserNamespace;
    }
    user_error = std::string("cannot create a network namespace in a user namespace: ") +
                 std::strerror(errno);
  }
  *reason = std::string("cannot create a network namespace (") + std::strerror(net_errno) + ")";
  if (!user_error.empty()) *reason += ", and the user namespace path failed: " + user_error;
  *reason += "; run as root, or allow unprivileged user namespaces";
  return Isolation::kUnavailable;
}

}  // namespace pktc::rt
