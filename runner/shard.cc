// Duration-balanced shards (see shard.h).
#include "shard.h"

#include <algorithm>
#include <numeric>

namespace pktc::runner {

std::vector<std::size_t> SelectShard(const std::vector<std::string>& names,
                                     const TestHistory& durations, int index, int count) {
  double known = 0;
  int known_count = 0;
  for (const std::string& name : names) {
    if (auto it = durations.find(name); it != durations.end()) {
      known += it->second.seconds;
      ++known_count;
    }
  }
  double fallback = known_count ? known / known_count : 1.0;
  auto weight = [&](std::size_t i) {
    auto it = durations.find(names[i]);
    return it == durations.end() ? fallback : it->second.seconds;
  };
  std::vector<std::size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (weight(a) != weight(b)) return weight(a) > weight(b);
    if (names[a] != names[b]) return names[a] < names[b];
    return a < b;
  });
  std::vector<double> load(static_cast<std::size_t>(count), 0.0);
  std::vector<std::size_t> mine;
  for (std::size_t i : order) {
    std::size_t lightest = static_cast<std::size_t>(
        std::min_element(load.begin(), load.end()) - load.begin());
    load[lightest] += weight(i);
    if (static_cast<int>(lightest) == index) mine.push_back(i);
  }
  std::sort(mine.begin(), mine.end());
  return mine;
}

}  // namespace pktc::runner
