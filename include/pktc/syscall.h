// The system calls a script may make (syscalls.def): their ids, names and argument shapes,
// shared by pktc's sema and codegen, generated code and the runtime.
#ifndef PKTC_SYSCALL_H_
#define PKTC_SYSCALL_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace pktc {

enum class SyscallId : std::uint8_t {
#define PKTC_SYSCALL(Id, name, min_args, max_args, address_args, Handler) k##Id,
#include "syscalls.def"
};

struct SyscallSpec {
  SyscallId id;
  const char* name;        ///< As scripts spell it: "epoll_wait".
  const char* enumerator;  ///< "EpollWait": the name of `id` without its k, for generated code.
  std::uint8_t min_args, max_args;
  std::uint32_t address_args;  ///< Bit i: argument i must be `...`.
  bool runtime_supported;      ///< The runtime has a handler for it.
};

inline constexpr SyscallSpec kSyscalls[] = {
#define PKTC_SYSCALL(Id, name, min_args, max_args, address_args, Handler) \
  {SyscallId::k##Id,                                                      \
   name,                                                                  \
   #Id,                                                                   \
   min_args,                                                              \
   max_args,                                                              \
   address_args,                                                          \
   std::string_view(#Handler) != "Unsupported"},
#include "syscalls.def"
};

constexpr bool SyscallIdsAreIndices() {
  for (std::size_t i = 0; i < std::size(kSyscalls); ++i) {
    if (static_cast<std::size_t>(kSyscalls[i].id) != i) return false;
  }
  return true;
}
static_assert(SyscallIdsAreIndices());

/// The row of `id`: the table is in enum order.
constexpr const SyscallSpec& SpecOf(SyscallId id) { return kSyscalls[static_cast<int>(id)]; }

/// The call named `name`, or nullptr.
constexpr const SyscallSpec* FindSyscall(std::string_view name) {
  for (const SyscallSpec& spec : kSyscalls) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

}  // namespace pktc

#endif  // PKTC_SYSCALL_H_
