// Linux symbolic constants (SOCK_STREAM, SOL_TCP, EAGAIN...) that scripts use as words.
#ifndef PKTC_SYMBOLS_H_
#define PKTC_SYMBOLS_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace pktc {

/// The value of a constant or errno name, or nullopt if the name is unknown.
std::optional<std::int64_t> LookupSymbol(std::string_view name);
/// The value of an errno name (EAGAIN), or nullopt.
std::optional<int> LookupErrno(std::string_view name);
/// The errno name for a value ("EAGAIN"), or nullptr; aliases resolve to the canonical name.
const char* ErrnoName(int value);
/// Every known symbol and errno name, for "did you mean" hints.
std::vector<std::string_view> AllSymbolNames();

}  // namespace pktc

#endif  // PKTC_SYMBOLS_H_
