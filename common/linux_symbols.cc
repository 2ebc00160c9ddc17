// Symbol table lookups over include/pktc/symbols.inc (generated, sorted by name).
#include "pktc/symbols.h"

#include <algorithm>
#include <iterator>

namespace pktc {

namespace {
struct Entry {
  std::string_view name;
  std::int64_t value;
};

constexpr Entry kSymbols[] = {
#define PKTC_SYMBOL(name, value) {#name, value},
#include "pktc/symbols.inc"
};

constexpr Entry kErrnos[] = {
#define PKTC_ERRNO(name, value) {#name, value},
#include "pktc/symbols.inc"
};

template <size_t N>
const Entry* Find(const Entry (&table)[N], std::string_view name) {
  auto it = std::lower_bound(std::begin(table), std::end(table), name,
                             [](const Entry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(table) || it->name != name) return nullptr;
  return it;
}
}  // namespace

std::optional<std::int64_t> LookupSymbol(std::string_view name) {
  if (const Entry* e = Find(kSymbols, name)) return e->value;
  if (const Entry* e = Find(kErrnos, name)) return e->value;
  return std::nullopt;
}

std::optional<int> LookupErrno(std::string_view name) {
  if (const Entry* e = Find(kErrnos, name)) return static_cast<int>(e->value);
  return std::nullopt;
}

const char* ErrnoName(int value) {
  // Prefer the canonical names over their aliases.
  if (value == 11) return "EAGAIN";
  if (value == 35) return "EDEADLK";
  if (value == 95) return "EOPNOTSUPP";
  for (const Entry& e : kErrnos) {
    if (e.value == value) return e.name.data();
  }
  return nullptr;
}

std::vector<std::string_view> AllSymbolNames() {
  std::vector<std::string_view> names;
  for (const Entry& e : kSymbols) names.push_back(e.name);
  for (const Entry& e : kErrnos) names.push_back(e.name);
  return names;
}

}  // namespace pktc
