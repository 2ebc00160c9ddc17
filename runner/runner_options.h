// pktc-run's command line: what to run and how (jobs, retries, shards, reports).
#ifndef PKTC_RUNNER_RUNNER_OPTIONS_H_
#define PKTC_RUNNER_RUNNER_OPTIONS_H_

#include <string>
#include <vector>

namespace pktc::runner {

struct RunnerOptions {
  std::vector<std::string> inputs;        ///< .pkt scripts and test binaries, in order.
  std::vector<std::string> pass_through;  ///< Arguments for every test binary (after --).
  int jobs = 0;                           ///< 0: the default (DefaultJobs()).
  /// Reruns of a family that failed on timing only (reported as flaky if one passes).
  int retries = 2;
  int shard_index = 0, shard_count = 1;   ///< Run the shard_index-th of shard_count (0-based).
  std::string durations_file;  ///< Shared durations that balance shards (else: by count).
  std::string junit;
  std::string pktc;
  std::string cache_dir;
  std::string target;  ///< --target: pktc --target for .pkt arguments (part of the cache key).
  bool quiet = false;
  bool skip_missing_features = false;
  int timeout_seconds = 300;
  /// --merge-junit OUT IN...: merge shard reports into one and exit.
  std::string merge_junit_out;
};

/// Tests mostly sleep until their next event: by default this many run at a time per CPU.
/// Measured on 2 CPUs (bench/RESULTS.md): tests whose timing margin is small get more room
/// (see scheduler.h), so the rest can be packed densely.
constexpr int kJobsPerCpu = 4;

/// Parses argv (and GTEST_/TEST_ shard variables where --shard is not given). False with a
/// one-line reason; `*exit_now` with the exit code for --help.
bool ParseRunnerOptions(int argc, char** argv, RunnerOptions* options, std::string* error,
                        int* exit_now);

void PrintUsage();

}  // namespace pktc::runner

#endif  // PKTC_RUNNER_RUNNER_OPTIONS_H_
