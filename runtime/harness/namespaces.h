// Isolation of one run: network and mount namespaces of its own, inside a user namespace of its
// own when the caller is not privileged.
#ifndef PKTC_RUNTIME_HARNESS_NAMESPACES_H_
#define PKTC_RUNTIME_HARNESS_NAMESPACES_H_

#include <string>

#include "report/run_link.h"

namespace pktc::rt {

enum class Isolation {
  kPrivileged,     ///< New network namespace created with the caller's own privilege.
  kUserNamespace,  ///< The caller is unprivileged; it is root in a new user namespace.
  kUnavailable,    ///< Neither works; the reason says why.
};

/// Moves the calling process into a new network namespace and, where allowed, a new mount
/// namespace with a private tmpfs on /tmp (so concurrent runs never share files) and a new PID
/// namespace, whose init the run becomes (so nothing it starts survives it). An unprivileged
/// caller first gets a user namespace that maps its uid and gid to root, as `unshare -Urn`
/// does. Returns in a forked child when the PID namespace exists; the original process only
/// waits for it, reports its status on `link` and exits with it once released. On kUnavailable,
/// `reason` is one line for the skip message.
Isolation EnterNamespaces(const RunLink& link, std::string* reason);

/// A wire client's isolation: the mount and PID namespaces of EnterNamespaces(), but the
/// caller's network namespace, which holds the real device. Needs real privilege; returns
/// kUnavailable with `reason` without it.
Isolation EnterNamespacesKeepingNetwork(const RunLink& link, std::string* reason);

/// With real privilege: real-time scheduling (on a machine with more than one CPU) and locked
/// memory, which keep the event timing tight on a busy machine.
void TuneForTiming();

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_HARNESS_NAMESPACES_H_
