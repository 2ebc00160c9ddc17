// pktc-run's command line.
#include "runner_options.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pktc::runner {

namespace {

bool ParseInt(const std::string& text, int min, int* out) {
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end || v < min || v > 1'000'000) return false;
  *out = static_cast<int>(v);
  return true;
}

/// "K/N" with 1 <= K <= N (1-based, as CI matrices count).
bool ParseShard(const std::string& text, int* index, int* count) {
  std::size_t slash = text.find('/');
  int k = 0, n = 0;
  if (slash == std::string::npos || !ParseInt(text.substr(0, slash), 1, &k) ||
      !ParseInt(text.substr(slash + 1), 1, &n) || k > n) {
    return false;
  }
  *index = k - 1;
  *count = n;
  return true;
}

/// GoogleTest's and Bazel's sharding variables (0-based index), if set.
bool ShardFromEnvironment(int* index, int* count, std::string* error) {
  for (auto [index_var, count_var] : {std::pair{"GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS"},
                                      std::pair{"TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS"}}) {
    const char* i = std::getenv(index_var);
    const char* n = std::getenv(count_var);
    if (!i || !n) continue;
    int k = 0, total = 0;
    if (!ParseInt(i, 0, &k) || !ParseInt(n, 1, &total) || k >= total) {
      *error = std::string("bad ") + index_var + "=" + i + " / " + count_var + "=" + n;
      return false;
    }
    *index = k;
    *count = total;
    return true;
  }
  return true;
}

}  // namespace

void PrintUsage() {
  std::puts(
      "usage: pktc-run [options] TEST... [-- ARGS for every test]\n"
      "       pktc-run --merge-junit OUT.xml IN.xml...\n"
      "Runs pktc test binaries, or .pkt scripts compiled on the fly (cached), in parallel.\n"
      "A suite binary (pktc a.pkt b.pkt -o suite) counts as one test per script it holds\n"
      "(from suite --list), each run as `suite NAME` and reported under its script's name.\n"
      "  -j N            tests at a time (default: 4 per CPU; a test whose timing margin was\n"
      "                  small in earlier runs takes more room, one with a tiny margin or one\n"
      "                  that was flaky runs alone)\n"
      "  --retries N     rerun a family that failed only on a time window, alone, up to N times\n"
      "                  (default 2; 0: never); a pass on retry is reported as flaky (KTAP\n"
      "                  '# flaky', JUnit <flakyFailure>), never as a plain pass; other failures\n"
      "                  are not retried, nor is a family that failed at the same line in every\n"
      "                  attempt of the last run (the cache remembers; it still fails)\n"
      "  --shard K/N     run the K-th of N shards (1-based); also GTEST_SHARD_INDEX and\n"
      "                  GTEST_TOTAL_SHARDS, or TEST_SHARD_INDEX and TEST_TOTAL_SHARDS (0-based)\n"
      "  --durations F   balance shards by the durations in F (every shard must get the same\n"
      "                  file: a cache's durations, see --cache); without it, by test count\n"
      "  --skip-missing-features  a run that fails because the kernel lacks a setting is SKIP\n"
      "  --junit FILE    merged JUnit XML of every test\n"
      "  --merge-junit OUT IN...  merge JUnit reports (of shards) into one, then exit\n"
      "  --pktc PATH     compiler for .pkt arguments (default: pktc next to pktc-run, or PATH)\n"
      "  --cache DIR     compiled binaries, and each test's last duration and timing margin:\n"
      "                  the longest start first (default: $XDG_CACHE_HOME/pktc or ~/.cache/pktc)\n"
      "  --target TRIPLE compile .pkt arguments with pktc --target=TRIPLE (cached apart from\n"
      "                  the host's); the binaries then run only where that target can run\n"
      "  --timeout S     per test (default 300)\n"
      "  -q              no progress lines\n"
      "Prints nested KTAP and a summary; exit 0 when every test passed, was flaky or skipped,\n"
      "else 1.");
}

bool ParseRunnerOptions(int argc, char** argv, RunnerOptions* o, std::string* error,
                        int* exit_now) {
  bool shard_given = false;
  bool rest = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    auto take = [&](const char* what) {
      if (i + 1 >= argc) {
        *error = std::string(what) + " needs a value";
        return false;
      }
      value = argv[++i];
      return true;
    };
    auto bad = [&](const char* what) {
      *error = std::string("bad ") + what + ": " + value;
      return false;
    };
    if (rest) {
      o->pass_through.push_back(a);
    } else if (a == "--") {
      rest = true;
    } else if (a == "-h" || a == "--help") {
      PrintUsage();
      *exit_now = 0;
      return false;
    } else if (a.rfind("-j", 0) == 0) {
      if (a == "-j") {
        if (!take("-j")) return false;
      } else {
        value = a.substr(2);
      }
      if (!ParseInt(value, 1, &o->jobs)) return bad("-j");
    } else if (a == "--retries") {
      if (!take("--retries")) return false;
      if (!ParseInt(value, 0, &o->retries)) return bad("--retries");
    } else if (a == "--shard") {
      if (!take("--shard")) return false;
      if (!ParseShard(value, &o->shard_index, &o->shard_count)) {
        *error = "bad --shard: " + value + " (expected K/N with 1 <= K <= N)";
        return false;
      }
      shard_given = true;
    } else if (a == "--durations") {
      if (!take("--durations")) return false;
      o->durations_file = value;
    } else if (a == "--skip-missing-features") {
      o->skip_missing_features = true;
    } else if (a == "--junit") {
      if (!take("--junit")) return false;
      o->junit = value;
    } else if (a == "--merge-junit") {
      if (!take("--merge-junit")) return false;
      o->merge_junit_out = value;
    } else if (a == "--pktc") {
      if (!take("--pktc")) return false;
      o->pktc = value;
    } else if (a == "--target") {
      if (!take("--target")) return false;
      o->target = value;
    } else if (a.rfind("--target=", 0) == 0) {
      o->target = a.substr(9);
    } else if (a == "--cache") {
      if (!take("--cache")) return false;
      o->cache_dir = value;
    } else if (a == "--timeout") {
      if (!take("--timeout")) return false;
      if (!ParseInt(value, 1, &o->timeout_seconds)) return bad("--timeout");
    } else if (a == "-q") {
      o->quiet = true;
    } else if (a[0] == '-') {
      *error = "unknown option '" + a + "' (see --help)";
      return false;
    } else {
      o->inputs.push_back(a);
    }
  }
  if (o->inputs.empty()) {
    *error = o->merge_junit_out.empty() ? "no tests given (see --help)"
                                        : "--merge-junit needs input reports";
    return false;
  }
  if (!shard_given && !ShardFromEnvironment(&o->shard_index, &o->shard_count, error)) {
    return false;
  }
  if (o->jobs <= 0) {
    o->jobs = kJobsPerCpu * static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  }
  return true;
}

}  // namespace pktc::runner
