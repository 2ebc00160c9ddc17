// Shards: one suite spread over N machines (a CI matrix, a Kubernetes indexed Job). Every
// shard computes the same split from the same inputs, so together they run each test once.
#ifndef PKTC_RUNNER_SHARD_H_
#define PKTC_RUNNER_SHARD_H_

#include <cstddef>
#include <string>
#include <vector>

#include "test_history.h"

namespace pktc::runner {

/// The indices (into `names`, in their order) of the tests shard `index` of `count` runs.
/// Balanced by the durations in `durations` (a test it lacks weighs their mean; with no
/// durations every test weighs 1): heaviest first, ties by name, each to the lightest shard so
/// far (ties: the lowest index). Depends on nothing but its arguments.
std::vector<std::size_t> SelectShard(const std::vector<std::string>& names,
                                     const TestHistory& durations, int index, int count);

}  // namespace pktc::runner

#endif  // PKTC_RUNNER_SHARD_H_
