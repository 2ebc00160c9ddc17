// Shell command execution with embedded helper files.
#include "commands/command_runner.h"

#include "commands/command_signal.h"
#include "commands/native_command.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

extern char** environ;

namespace pktc::rt {

namespace {
constexpr const char* kSystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

int ParentDepth(std::string_view path) {
  int depth = 0;
  while (path.substr(0, 3) == "../") {
    ++depth;
    path.remove_prefix(3);
  }
  return depth;
}

bool MakeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string prefix = path.substr(0, i);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  std::remove(path);
  return 0;  // Best effort: keep going.
}

/// `rm -rf` in process: an exec of /bin/rm cost about 10 ms per run and needs an rm binary.
void RemoveTree(const std::string& path) {
  if (path.empty()) return;
  nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}
}  // namespace

CommandRunner::~CommandRunner() { RemoveTree(base_dir_); }

bool CommandRunner::Prepare(const ScriptInfo& script, std::string* error) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/pktc-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    *error = "cannot create a working directory (" + pattern + "): " + std::strerror(errno);
    return false;
  }
  base_dir_ = buf.data();
  int depth = 0;
  for (std::size_t i = 0; i < script.file_count; ++i) {
    depth = std::max(depth, ParentDepth(script.files[i].path));
  }
  work_dir_ = base_dir_;
  for (int i = 0; i < depth; ++i) work_dir_ += "/d" + std::to_string(i);
  if (!MakeDirs(work_dir_)) {
    *error = "cannot create " + work_dir_ + ": " + std::strerror(errno);
    return false;
  }
  for (std::size_t i = 0; i < script.file_count; ++i) {
    const EmbeddedFile& f = script.files[i];
    std::string rel = f.path;
    std::string dir = work_dir_;
    while (rel.substr(0, 3) == "../") {
      rel = rel.substr(3);
      dir = dir.substr(0, dir.rfind('/'));
    }
    std::string path = dir + "/" + rel;
    if (!MakeDirs(path.substr(0, path.rfind('/')))) {
      *error = "cannot create the directory of " + path + ": " + std::strerror(errno);
      return false;
    }
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, f.mode & 07777);
    if (fd < 0 || write(fd, f.data, f.size) != static_cast<ssize_t>(f.size)) {
      *error = "cannot write " + path + ": " + std::strerror(errno);
      if (fd >= 0) close(fd);
      return false;
    }
    fchmod(fd, f.mode & 07777);
    close(fd);
  }
  return true;
}

bool CommandRunner::Run(const std::string& text, std::string* error) {
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t self = getpid();
  CommandSignalScope signal_scope;
  if (!std::getenv("PKTC_SHELL_COMMANDS")) {
    NativeCommandContext context{work_dir_, std::to_string(self)};
    int status = 0;
    if (RunNativeCommand(text, context, &status)) {
      signal_scope.RanInProcess();
      if (status == 0) return true;
      *error = "non-zero status " + std::to_string(status);
      return false;
    }
  }
  // The child's environment is made here: after fork() in a process with a second thread (a
  // blocking system call) the child may only make async-signal-safe calls, and setenv and
  // malloc are not (ASan's allocator is not even unlocked for the child, so it could hang).
  // Scripts call sysctl, ip and tc, which live in sbin directories that a test runner's or an
  // init process's PATH may lack.
  const char* path = std::getenv("PATH");
  std::string path_entry = "PATH=" + std::string(path && *path ? path : "") + ":" + kSystemPath;
  std::string pid_entry = "PACKETDRILL_PID=" + std::to_string(self);
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "PATH=", 5) != 0 && std::strncmp(*e, "PACKETDRILL_PID=", 16) != 0) {
      env.push_back(*e);
    }
  }
  env.push_back(pid_entry.data());
  env.push_back(path_entry.data());
  env.push_back(nullptr);
  const char* argv[] = {"sh", "-c", text.c_str(), nullptr};
  static constexpr char kNoShell[] = "cannot run /bin/sh\n";
  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("cannot fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    signal_scope.RestoreInChild();
    if (chdir(work_dir_.c_str()) != 0) _exit(126);
    execve("/bin/sh", const_cast<char* const*>(argv), env.data());
    if (write(STDERR_FILENO, kNoShell, sizeof kNoShell - 1) < 0) {
      // Nothing more to say.
    }
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      *error = std::string("waitpid: ") + std::strerror(errno);
      return false;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  if (WIFEXITED(status)) {
    *error = "non-zero status " + std::to_string(WEXITSTATUS(status));
    if (WEXITSTATUS(status) == 127 && access("/bin/sh", X_OK) != 0) {
      *error += " (no /bin/sh on this machine)";
    }
  } else {
    *error = std::string("killed by signal ") + strsignal(WTERMSIG(status));
  }
  return false;
}

}  // namespace pktc::rt
