// The /init of the initramfs that scripts/vm boots: a tiny static program (gcc -static) that
// prepares the machine, runs every test binary in /tests in name order, prints KTAP to the
// console the way the kernel's kselftest runner does, and powers the machine off. A suite binary
// (pktc a.pkt b.pkt -o suite) is one test per script in it (its --list), each run as
// `suite NAME` with its own timeout and result line, as if it were a binary of its own.
//
//   1. mounts proc, sysfs, devtmpfs on /dev (tmpfs if that fails) and tmpfs on /tmp;
//   2. opens /dev/console (else /dev/ttyS0) as stdin, stdout and stderr;
//   3. loads the modules listed in /etc/modules (one .ko path a line, dependencies first) with
//      finit_module, and creates /dev/net/tun (char 10:200) if it is missing;
//   4. runs each test with its output prefixed by "# ", a per-test timeout, and prints
//      "ok N selftests: net/packetdrill: NAME" ("# SKIP" for exit 4), or "not ok ..." with
//      "# TIMEOUT S seconds" or "# exit=RC"; then "# Totals: ..." and "# pktc-vm: exit=0|1";
//   5. reboot(RB_POWER_OFF).
//
// Settings come from the kernel command line, which hands NAME=VALUE words without a dot to init
// as environment variables (and so to the tests, e.g. KSFT_MACHINE_SLOW=yes):
//   PKTC_VM_TIMEOUT=seconds   per-test timeout (default 45, 0 = none)
//   PKTC_VM_COLLECTION=name   the collection in result lines (default net/packetdrill)
//   PKTC_VM_ARGS=a,b,...      arguments for every test, comma-separated
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TESTS_DIR "/tests"
#define MODULES_LIST "/etc/modules"

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void Diag(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("# pktc-vm: ", stdout);
  vfprintf(stdout, fmt, ap);
  fputc('\n', stdout);
  fflush(stdout);
  va_end(ap);
}

static void Mount(const char* source, const char* target, const char* type, const char* data) {
  mkdir(target, 0755);
  if (mount(source, target, type, 0, data) != 0 && errno != EBUSY) {
    if (strcmp(type, "devtmpfs") == 0) {
      Mount("tmpfs", target, "tmpfs", "mode=0755");
      return;
    }
    Diag("cannot mount %s on %s: %s", type, target, strerror(errno));
  }
}

static void OpenConsole(void) {
  int fd = open("/dev/console", O_RDWR | O_NOCTTY);
  if (fd < 0) {
    mknod("/dev/console", S_IFCHR | 0600, makedev(5, 1));
    fd = open("/dev/console", O_RDWR | O_NOCTTY);
  }
  if (fd < 0) {
    mknod("/dev/ttyS0", S_IFCHR | 0600, makedev(4, 64));
    fd = open("/dev/ttyS0", O_RDWR | O_NOCTTY);
  }
  if (fd < 0) return;  // Keep whatever the kernel gave us.
  for (int i = 0; i < 3; i++) dup2(fd, i);
  if (fd > 2) close(fd);
}

static void LoadModules(void) {
  FILE* list = fopen(MODULES_LIST, "r");
  if (!list) return;
  char line[512];
  while (fgets(line, sizeof line, list)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#') continue;
    int fd = open(line, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      Diag("cannot open module %s: %s", line, strerror(errno));
      continue;
    }
    if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
      Diag("cannot load module %s: %s", line, strerror(errno));
    } else {
      Diag("loaded module %s", line);
    }
    close(fd);
  }
  fclose(list);
}

static void PowerOff(int code) {
  Diag("exit=%d", code);
  fflush(stdout);
  sync();
  reboot(RB_POWER_OFF);
  for (;;) pause();  // init must not exit: that would panic the kernel.
}

static int IsTest(const struct dirent* entry) {
  if (entry->d_name[0] == '.') return 0;
  char path[4096];
  snprintf(path, sizeof path, TESTS_DIR "/%s", entry->d_name);
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

// Reaps every exited process (init inherits the orphans of the tests); returns the wait status of
// `pid` once it has exited, or -1 while it runs.
static int Reap(pid_t pid, int* status) {
  int found = 0, s;
  pid_t p;
  while ((p = waitpid(-1, &s, WNOHANG)) > 0) {
    if (p == pid) {
      *status = s;
      found = 1;
    }
  }
  return found ? 0 : -1;
}

// Copies the child's output to stdout, "# " before every line.
static void Relay(const char* buf, ssize_t n, int* at_line_start) {
  for (ssize_t i = 0; i < n; i++) {
    if (*at_line_start) fputs("# ", stdout);
    fputc(buf[i], stdout);
    *at_line_start = buf[i] == '\n';
  }
  fflush(stdout);
}

static char* test_argv[64];

// One test: a binary in /tests, or one script of a suite binary there.
struct Test {
  const char* file;    // In /tests.
  const char* script;  // The script's name in the suite binary `file`, or NULL.
};

// The script names in a suite binary, from `FILE --list` (NULL-terminated), or NULL for a binary
// of one script, which rejects --list.
static char** ListSuite(const char* file) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return NULL;
  char path[4096];
  snprintf(path, sizeof path, TESTS_DIR "/%s", file);
  pid_t pid = fork();
  if (pid < 0) return NULL;
  if (pid == 0) {
    dup2(fds[1], 1);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 2);
    }
    char* argv[] = {(char*)file, "--list", NULL};
    execv(path, argv);
    _exit(127);
  }
  close(fds[1]);
  size_t size = 0, cap = 4096;
  char* out = malloc(cap);
  for (;;) {
    if (size + 1 >= cap) out = realloc(out, cap *= 2);
    ssize_t n = read(fds[0], out + size, cap - size - 1);
    if (n > 0) {
      size += (size_t)n;
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  out[size] = '\0';
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    free(out);
    return NULL;
  }
  size_t count = 0;
  for (size_t i = 0; i < size; i++) count += out[i] == '\n';
  char** names = calloc(count + 2, sizeof(char*));
  size_t k = 0;
  for (char* line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) names[k++] = line;
  return names;
}

// Runs one test; returns its exit status, 124 on timeout, 128+signal if killed.
static int RunTest(const struct Test* test, int timeout_secs) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return 125;
  pid_t pid = fork();
  if (pid < 0) return 125;
  if (pid == 0) {
    setpgid(0, 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    if (chdir(TESTS_DIR) != 0) _exit(126);
    char path[4096];
    snprintf(path, sizeof path, TESTS_DIR "/%s", test->file);
    char* argv[66];
    int argc = 0;
    argv[argc++] = (char*)test->file;
    if (test->script) argv[argc++] = (char*)test->script;
    for (int i = 1; test_argv[i]; i++) argv[argc++] = test_argv[i];
    argv[argc] = NULL;
    execv(path, argv);
    fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
    _exit(126);
  }
  setpgid(pid, pid);
  close(fds[1]);

  double deadline = timeout_secs > 0 ? Now() + timeout_secs : 0;
  int timed_out = 0, open_pipe = 1, at_line_start = 1, status = 0, exited = 0;
  double kill_at = 0, exit_time = 0;
  while (!exited || open_pipe) {
    int wait_ms = 200;
    struct pollfd p = {fds[0], POLLIN, 0};
    if (open_pipe && poll(&p, 1, wait_ms) > 0) {
      char buf[4096];
      ssize_t n = read(fds[0], buf, sizeof buf);
      if (n > 0) {
        Relay(buf, n, &at_line_start);
      } else if (n == 0 || errno != EINTR) {
        open_pipe = 0;
      }
    } else if (!open_pipe) {
      usleep(wait_ms * 1000);
    }
    double now = Now();
    if (!exited && Reap(pid, &status) == 0) {
      exited = 1;
      exit_time = now;
    }
    if (!exited && deadline > 0 && now >= deadline && !timed_out) {
      timed_out = 1;
      kill(-pid, SIGTERM);
      kill_at = now + 2;
    }
    if (timed_out && kill_at > 0 && now >= kill_at) {
      kill(-pid, SIGKILL);
      kill_at = 0;
    }
    // Children of the test that outlive it and keep the pipe open are killed after it exits.
    if (exited && open_pipe && kill_at == 0 && !timed_out) {
      kill(-pid, SIGKILL);
      kill_at = -1;
    }
    if (exited && open_pipe && now > exit_time + 5) open_pipe = 0;  // A daemon kept the pipe.
  }
  close(fds[0]);
  if (!at_line_start) fputc('\n', stdout);
  if (timed_out) return 124;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

int main(void) {
  double start = Now();
  Mount("proc", "/proc", "proc", NULL);
  Mount("sysfs", "/sys", "sysfs", NULL);
  Mount("devtmpfs", "/dev", "devtmpfs", "mode=0755");
  OpenConsole();
  setvbuf(stdout, NULL, _IOLBF, 0);
  Mount("tmpfs", "/tmp", "tmpfs", "mode=1777");
  setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);

  double uptime = 0;
  FILE* f = fopen("/proc/uptime", "r");
  if (f) {
    if (fscanf(f, "%lf", &uptime) != 1) uptime = 0;
    fclose(f);
  }
  struct utsname uts;
  uname(&uts);

  LoadModules();
  mkdir("/dev/net", 0755);
  if (access("/dev/net/tun", F_OK) != 0 &&
      mknod("/dev/net/tun", S_IFCHR | 0666, makedev(10, 200)) != 0) {
    Diag("cannot create /dev/net/tun: %s", strerror(errno));
  }

  const char* t = getenv("PKTC_VM_TIMEOUT");
  int timeout_secs = t && *t ? atoi(t) : 45;
  const char* collection = getenv("PKTC_VM_COLLECTION");
  if (!collection || !*collection) collection = "net/packetdrill";

  const char* args = getenv("PKTC_VM_ARGS");
  int argc = 1;
  if (args && *args) {
    char* copy = strdup(args);
    for (char* a = strtok(copy, ","); a && argc < 63; a = strtok(NULL, ",")) test_argv[argc++] = a;
  }
  test_argv[argc] = NULL;

  struct dirent** files = NULL;
  int n_files = scandir(TESTS_DIR, &files, IsTest, alphasort);
  if (n_files < 0) n_files = 0;
  struct Test* tests = NULL;
  int n = 0;
  for (int i = 0; i < n_files; i++) {
    char** scripts = ListSuite(files[i]->d_name);
    for (int k = 0; scripts == NULL ? k < 1 : scripts[k] != NULL; k++) {
      tests = realloc(tests, (size_t)(n + 1) * sizeof *tests);
      tests[n].file = files[i]->d_name;
      tests[n].script = scripts ? scripts[k] : NULL;
      n++;
    }
  }

  printf("TAP version 13\n");
  Diag("init: kernel %s, up %.2f s", uts.release, uptime);
  printf("1..%d\n", n);
  int pass = 0, fail = 0, skip = 0;
  for (int i = 0; i < n; i++) {
    const char* name = tests[i].script ? tests[i].script : tests[i].file;
    printf("# selftests: %s: %s\n", collection, name);
    fflush(stdout);
    int rc = RunTest(&tests[i], timeout_secs);
    if (rc == 0) {
      printf("ok %d selftests: %s: %s\n", i + 1, collection, name);
      pass++;
    } else if (rc == 4) {
      printf("ok %d selftests: %s: %s # SKIP\n", i + 1, collection, name);
      skip++;
    } else if (rc == 124) {
      printf("#\nnot ok %d selftests: %s: %s # TIMEOUT %d seconds\n", i + 1, collection, name,
             timeout_secs);
      fail++;
    } else {
      printf("not ok %d selftests: %s: %s # exit=%d\n", i + 1, collection, name, rc);
      fail++;
    }
    fflush(stdout);
  }
  printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", pass, fail, skip);
  Diag("tests took %.2f s", Now() - start);
  PowerOff(fail ? 1 : 0);
  return 0;
}
