// The compile cache (see compile_cache.h).
#include "compile_cache.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>

namespace pktc::runner {

namespace {

std::mutex g_stderr_mutex;  ///< Compile threads print pktc's diagnostics whole.

/// FNV-1a: enough to key a cache by content.
std::string Hash(const std::string& data) {
  unsigned long long h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

}  // namespace

std::string TestName(const std::string& path) {
  std::string name = path;
  if (std::size_t slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".pkt") == 0) name.resize(name.size() - 4);
  return name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int RunCommand(const std::vector<std::string>& argv, std::string* out) {
  // Built before fork: the runner has compile threads, and the child may not allocate.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    dup2(fds[1], STDOUT_FILENO);
    if (!out) dup2(fds[1], STDERR_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  if (out) {
    *out = text;
  } else if (!text.empty()) {
    std::lock_guard<std::mutex> lock(g_stderr_mutex);
    std::fputs(text.c_str(), stderr);
  }
  return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string CompileCached(const std::string& pktc, const std::string& cache_dir,
                          const std::string& script, const std::string& target) {
  std::vector<std::string> target_flag;
  if (!target.empty()) target_flag.push_back("--target=" + target);
  auto with_target = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin() + 1, target_flag.begin(), target_flag.end());
    return argv;
  };
  std::string deps;
  if (RunCommand(with_target({pktc, "-M", script, "-o", "x"}), &deps) != 0) {
    RunCommand({pktc, "--check", script}, nullptr);
    return "";
  }
  // The depfile of a cross target's binary names that target's runtime too (read below).
  std::string key_material = "target=" + target + "\n" +
                             ReadFile(pktc.find('/') != std::string::npos ? pktc : "") + deps;
  std::istringstream lines(deps);
  std::string word;
  while (lines >> word) {
    if (word == "\\" || word.back() == ':') continue;
    key_material += ReadFile(word);
  }
  std::string binary = cache_dir + "/" + TestName(script) + "-" + (target.empty() ? "" : target + "-") +
                       Hash(key_material);
  struct stat st;
  if (stat(binary.c_str(), &st) == 0) return binary;
  mkdir(cache_dir.c_str(), 0755);
  if (RunCommand(with_target({pktc, script, "-o", binary}), nullptr) != 0) return "";
  return binary;
}

}  // namespace pktc::runner
