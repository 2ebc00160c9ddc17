// Unit tests for include/pktc/syscall.h: the one table of system calls (syscalls.def).
#include "pktc/syscall.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pktc {
namespace {

TEST(SyscallTable, NamesAreUniqueAndFound) {
  std::set<std::string> seen;
  for (const SyscallSpec& spec : kSyscalls) {
    EXPECT_TRUE(seen.insert(spec.name).second) << spec.name;
    EXPECT_EQ(FindSyscall(spec.name), &spec);
    EXPECT_EQ(&SpecOf(spec.id), &spec);
    EXPECT_LE(spec.min_args, spec.max_args) << spec.name;
    EXPECT_LT(spec.address_args, 1u << spec.max_args) << spec.name;
  }
  EXPECT_EQ(FindSyscall("frobnicate"), nullptr);
}

TEST(SyscallTable, AddressArgumentsAndSupport) {
  EXPECT_EQ(FindSyscall("connect")->address_args, 0b100u);
  EXPECT_EQ(FindSyscall("accept")->address_args, 0b110u);
  EXPECT_TRUE(FindSyscall("epoll_wait")->runtime_supported);
  EXPECT_TRUE(FindSyscall("splice")->runtime_supported);
  EXPECT_FALSE(FindSyscall("psp_rx_assoc")->runtime_supported);
  EXPECT_STREQ(SpecOf(SyscallId::kEpollWait).enumerator, "EpollWait");
}

}  // namespace
}  // namespace pktc
