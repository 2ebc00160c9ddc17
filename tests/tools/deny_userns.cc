// Test helper: runs a command as an unprivileged user that may not create user namespaces, the
// situation of a hardened host (e.g. an LSM or user.max_user_namespaces=0). Used to prove that a
// test binary then skips with a one-line reason instead of failing.
//
//   pktc-test-deny-userns UID GID COMMAND [ARG...]
//
// A seccomp filter makes unshare() and clone() fail with EPERM when they ask for
// CLONE_NEWUSER, and clone3() fail with ENOSYS so that callers fall back to clone().
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool DenyUserNamespaces() {
  constexpr unsigned kFlagsLow = offsetof(seccomp_data, args[0]);  // Little-endian low word.
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kFlagsLow),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s UID GID COMMAND [ARG...]\n", argv[0]);
    return 2;
  }
  uid_t uid = static_cast<uid_t>(std::atol(argv[1]));
  gid_t gid = static_cast<gid_t>(std::atol(argv[2]));
  if (setgroups(0, nullptr) != 0 || setresgid(gid, gid, gid) != 0 ||
      setresuid(uid, uid, uid) != 0) {
    std::fprintf(stderr, "%s: cannot drop privileges: %s\n", argv[0], std::strerror(errno));
    return 2;
  }
  if (!DenyUserNamespaces()) {
    std::fprintf(stderr, "%s: cannot install the seccomp filter: %s\n", argv[0],
                 std::strerror(errno));
    return 2;
  }
  execvp(argv[3], argv + 3);
  std::fprintf(stderr, "%s: cannot run %s: %s\n", argv[0], argv[3], std::strerror(errno));
  return 127;
}
