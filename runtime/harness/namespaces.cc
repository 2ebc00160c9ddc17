// Network, mount and user namespaces for one run.
#include "harness/namespaces.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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

/// Shares the directories that already exist in the caller's /tmp (`host_tmp`) into the run's
/// /tmp as they are: a checkout or build tree under /tmp works as anywhere else, writes
/// included, while the top-level files the run creates stay its own.
void ShareExistingDirectories(int host_tmp) {
  int listing = openat(host_tmp, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = listing >= 0 ? fdopendir(listing) : nullptr;
  if (!dir) {
    if (listing >= 0) close(listing);
    return;
  }
  std::string host = "/proc/self/fd/" + std::to_string(host_tmp) + "/";
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (fstatat(host_tmp, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) {
      continue;
    }
    std::string target = "/tmp/" + name;
    mkdir(target.c_str(), 0700);  // Exists already through an overlay's lower layer.
    mount((host + name).c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr);
  }
  closedir(dir);
}

/// The run's /tmp: the caller's files and directories are there (a CI checkout under /tmp, a
/// file a test's command reads), but what the run writes at the top (its
/// /tmp/sysctl_restore_PID.sh, a script's /tmp/testfile) lands in a tmpfs of its own, so
/// concurrent runs never see each other's files and nothing of that is left behind. An overlay
/// with the caller's /tmp as its lower layer (existing top-level files copy on write), and the
/// caller's existing directories shared as they are. Where overlays cannot be mounted, the
/// private tmpfs with the directories shared.
void CopyOnWriteTmp() {
  int host_tmp = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (mount("pktc-tmp", "/tmp", "tmpfs", 0, "mode=1777") != 0) {
    if (host_tmp >= 0) close(host_tmp);
    return;
  }
  // Whatever TMPDIR named under the old /tmp is reachable again.
  setenv("TMPDIR", "/tmp", 1);
  if (host_tmp < 0) return;
  // The upper layer's root is the merged root: world-writable and sticky, as /tmp.
  if (mkdir("/tmp/.pktc-upper", 01777) == 0 && chmod("/tmp/.pktc-upper", 01777) == 0 &&
      mkdir("/tmp/.pktc-work", 0700) == 0) {
    std::string layers = "lowerdir=/proc/self/fd/" + std::to_string(host_tmp) +
                         ",upperdir=/tmp/.pktc-upper,workdir=/tmp/.pktc-work";
    // In a user namespace, overlayfs keeps its metadata in user.* xattrs (userxattr).
    if (mount("pktc-tmp", "/tmp", "overlay", 0, layers.c_str()) != 0) {
      mount("pktc-tmp", "/tmp", "overlay", 0, (layers + ",userxattr").c_str());
    }
  }
  ShareExistingDirectories(host_tmp);
  close(host_tmp);
}

/// A mount namespace of the run's own, with a copy-on-write /tmp. Not essential: carry on with
/// the shared /tmp where mount namespaces are not allowed. Returns whether the mount namespace
/// is private.
bool PrivateTmp() {
  if (unshare(CLONE_NEWNS) != 0 ||
      mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return false;
  }
  CopyOnWriteTmp();
  return true;
}

/// Forks the process that runs the script as PID 1 of a new PID namespace, and returns in it.
/// When PID 1 dies, the kernel kills every process left in its namespace, so nothing a script
/// started (a `sleep 100 &` in a command, a hung helper) outlives a SIGKILL of the test. The
/// calling process stays behind to pass on the exit status (see RunLink). Best effort: where a
/// PID namespace cannot be created, the script runs in the calling process.
void RunAsInitOfNewPidNamespace(bool private_mounts, const RunLink& link) {
  if (unshare(CLONE_NEWPID) != 0) return;
  int alive[2];  // The worker sees EOF here once its parent is gone.
  if (pipe2(alive, O_CLOEXEC) != 0) return;
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t worker = fork();
  if (worker < 0) {
    std::fprintf(stderr, "cannot fork into a PID namespace: %s\n", std::strerror(errno));
    _exit(1);
  }
  if (worker == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(alive[1]);
    pollfd parent{alive[0], POLLIN, 0};
    if (poll(&parent, 1, 0) == 1) _exit(1);  // The parent died before PDEATHSIG was set.
    close(alive[0]);
    // /proc as this namespace sees it: /proc/$PPID and friends then name the script's own
    // processes, not the host's.
    if (private_mounts) mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    return;
  }
  close(alive[0]);
  // The parent reads the run's output until end of file, which must not wait for this process.
  close(STDOUT_FILENO);
  close(STDERR_FILENO);
  int status = 0;
  while (waitpid(worker, &status, 0) < 0 && errno == EINTR) {
  }
  bool exited = WIFEXITED(status);
  int value = exited ? WEXITSTATUS(status) : WTERMSIG(status);
  // Usually the worker has reported already (EndRun) and this one goes nowhere.
  ReportRunDoneAndWait(link, exited, value);
  if (exited) _exit(value);
  // Report the worker's death by signal as our own, as the parent expects from a run.
  signal(value, SIG_DFL);
  kill(getpid(), value);
  _exit(128 + value);
}

}  // namespace

Isolation EnterNamespaces(const RunLink& link, std::string* reason) {
  Isolation isolation = Isolation::kPrivileged;
  if (unshare(CLONE_NEWNET) != 0) {
    int net_errno = errno;
    std::string user_error;
    if (net_errno == EPERM && EnterUserNamespace(&user_error)) {
      if (unshare(CLONE_NEWNET) == 0) {
        isolation = Isolation::kUserNamespace;
      } else {
        user_error = std::string("cannot create a network namespace in a user namespace: ") +
                     std::strerror(errno);
      }
    }
    if (isolation != Isolation::kUserNamespace) {
      *reason = std::string("cannot create a network namespace (") + std::strerror(net_errno) + ")";
      if (!user_error.empty()) *reason += ", and the user namespace path failed: " + user_error;
      *reason += "; run as root, or allow unprivileged user namespaces";
      return Isolation::kUnavailable;
    }
  }
  RunAsInitOfNewPidNamespace(PrivateTmp(), link);
  return isolation;
}

}  // namespace pktc::rt
