// Follows iproute2's misc/nstat.c (as in Debian 12) where scripts can tell: the counters it
// reads and their order, the names it drops, increments against the history file, and its
// output format.
#include "commands/nstat.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace pktc::rt {

namespace {

/// Not counters (constants and gauges): nstat never prints them.
bool Useless(const std::string& name) {
  for (const char* n : {"IpForwarding", "IpDefaultTTL", "TcpRtoAlgorithm", "TcpRtoMin",
                        "TcpRtoMax", "TcpMaxConn", "TcpCurrEstab"}) {
    if (name == n) return true;
  }
  return false;
}

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// /proc/net/snmp and /proc/net/netstat: pairs of lines, "Tcp: Name1 Name2" then
/// "Tcp: 1 2"; the names get the prefix without its colon.
void ParsePairedLines(const std::string& text,
                      std::vector<std::pair<std::string, std::uint64_t>>* out) {
  std::istringstream in(text);
  std::string names, values;
  while (std::getline(in, names) && std::getline(in, values)) {
    std::vector<std::string> n = Words(names), v = Words(values);
    if (n.empty() || v.size() != n.size() || n[0] != v[0] || n[0].back() != ':') continue;
    std::string prefix = n[0].substr(0, n[0].size() - 1);
    for (std::size_t i = 1; i < n.size(); ++i) {
      // Values are unsigned in nstat; a negative one (TcpMaxConn -1) is a constant anyway.
      out->emplace_back(prefix + n[i], std::strtoull(v[i].c_str(), nullptr, 10));
    }
  }
}

std::string ReadAll(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::optional<NstatOptions> ParseNstatArgs(const std::vector<std::string>& args) {
  NstatOptions o;
  for (const std::string& a : args) {
    if (a.size() > 1 && a[0] == '-' && a[1] != '-') {
      for (std::size_t i = 1; i < a.size(); ++i) {
        switch (a[i]) {
          case 'n': o.no_output = true; break;
          case 's': o.no_update = true; break;
          case 'a': o.absolute = true; break;
          case 'z': o.zeros = true; break;
          default: return std::nullopt;
        }
      }
    } else if (a == "--nooutput") {
      o.no_output = true;
    } else if (a == "--noupdate") {
      o.no_update = true;
    } else if (a == "--ignore") {
      o.absolute = true;
    } else if (a == "--zeros") {
      o.zeros = true;
    } else if (!a.empty() && a[0] != '-' && a.find_first_of("*?[") == std::string::npos) {
      o.names.push_back(a);
    } else {
      return std::nullopt;
    }
  }
  return o;
}

std::vector<std::pair<std::string, std::uint64_t>> ParseNstatCounters(const std::string& snmp,
                                                                      const std::string& snmp6,
                                                                      const std::string& netstat) {
  std::vector<std::pair<std::string, std::uint64_t>> all;
  ParsePairedLines(snmp, &all);
  std::istringstream in(snmp6);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> w = Words(line);
    if (w.size() == 2) all.emplace_back(w[0], std::strtoull(w[1].c_str(), nullptr, 10));
  }
  ParsePairedLines(netstat, &all);
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (auto& c : all) {
    if (!Useless(c.first)) out.push_back(std::move(c));
  }
  return out;
}

std::string FormatNstat(const NstatOptions& options,
                        const std::vector<std::pair<std::string, std::uint64_t>>& counters,
                        const std::string& history) {
  std::map<std::string, std::uint64_t> before;
  if (!options.absolute) {
    std::istringstream in(history);
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> w = Words(line);
      if (w.size() >= 2 && w[0][0] != '#') before[w[0]] = std::strtoull(w[1].c_str(), nullptr, 10);
    }
  }
  std::string out = "#kernel\n";
  for (const auto& [name, value] : counters) {
    if (!options.names.empty()) {
      bool wanted = false;
      for (const std::string& n : options.names) wanted = wanted || n == name;
      if (!wanted) continue;
    }
    std::uint64_t shown = value;
    bool overflow = false;
    if (auto it = before.find(name); it != before.end()) {
      overflow = value < it->second;
      shown = overflow ? 0 : value - it->second;
    }
    if (shown == 0 && !options.zeros) continue;
    char line[128];
    std::snprintf(line, sizeof line, "%-32s%-16" PRIu64 "%6.1f%s\n", name.c_str(), shown, 0.0,
                  overflow ? " (overflow)" : "");
    out += line;
  }
  return out;
}

std::string NstatHistory(const std::vector<std::pair<std::string, std::uint64_t>>& counters) {
  NstatOptions absolute;
  absolute.absolute = true;
  return FormatNstat(absolute, counters, "");
}

int RunNstat(const NstatOptions& options, std::string* output, std::string* error) {
  std::vector<std::pair<std::string, std::uint64_t>> counters = ParseNstatCounters(
      ReadAll("/proc/net/snmp"), ReadAll("/proc/net/snmp6"), ReadAll("/proc/net/netstat"));
  std::string path;
  if (const char* env = std::getenv("NSTAT_HISTORY")) {
    path = env;
  } else {
    path = "/tmp/.nstat.u" + std::to_string(getuid());
  }
  std::string history = ReadAll(path.c_str());
  if (!options.no_output) *output = FormatNstat(options, counters, history);
  if (!options.no_update) {
    std::string text = NstatHistory(counters);
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      *error = "nstat: history file " + path + ": " + std::strerror(errno);
      if (fd >= 0) close(fd);
      return 1;
    }
    close(fd);
  }
  return 0;
}

}  // namespace pktc::rt
