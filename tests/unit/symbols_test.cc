// Unit tests for include/pktc/symbols.inc, the generated table of symbolic
// constants (see scripts/gen_symbols/). Checks a sample of values against
// the host's headers (each check guarded so this compiles anywhere), that
// no name appears twice, that each list is sorted, and that every constant
// the kernel packetdrill selftests use is present.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#if __has_include(<linux/sockios.h>)
#include <linux/sockios.h>
#endif
#if __has_include(<linux/errqueue.h>)
#include <time.h>  // struct timespec, used by linux/errqueue.h
#include <linux/errqueue.h>
#endif
#if __has_include(<linux/net_tstamp.h>)
#include <linux/net_tstamp.h>
#endif
#endif  // __linux__

namespace {

using Entry = std::pair<std::string, int64_t>;

const std::vector<Entry> kSymbolList = {
#define PKTC_SYMBOL(n, v) {#n, v},
#include "pktc/symbols.inc"
};

const std::vector<Entry> kErrnoList = {
#define PKTC_ERRNO(n, v) {#n, v},
#include "pktc/symbols.inc"
};

const std::map<std::string, int64_t> kSymbols = {
#define PKTC_SYMBOL(n, v) {#n, v},
#include "pktc/symbols.inc"
};

const std::map<std::string, int64_t> kErrnos = {
#define PKTC_ERRNO(n, v) {#n, v},
#include "pktc/symbols.inc"
};

// Value of `name` in `table`, or -1 (no value is negative) if absent.
int64_t Lookup(const std::map<std::string, int64_t>& table,
               const std::string& name) {
  auto it = table.find(name);
  return it == table.end() ? -1 : it->second;
}

#define EXPECT_SYMBOL(name) \
  EXPECT_EQ(Lookup(kSymbols, #name), static_cast<int64_t>(name)) << #name
#define EXPECT_ERRNO(name) \
  EXPECT_EQ(Lookup(kErrnos, #name), static_cast<int64_t>(name)) << #name

TEST(SymbolsTest, TablesAreNonEmpty) {
  EXPECT_GT(kSymbolList.size(), 250u);
  EXPECT_GT(kErrnoList.size(), 130u);
}

TEST(SymbolsTest, NoDuplicateNames) {
  // A std::map silently keeps only the first of two equal keys.
  EXPECT_EQ(kSymbols.size(), kSymbolList.size());
  EXPECT_EQ(kErrnos.size(), kErrnoList.size());
  for (const auto& [name, value] : kErrnoList)
    EXPECT_EQ(kSymbols.count(name), 0u) << name << " is in both lists";
}

TEST(SymbolsTest, ListsAreSortedByName) {
  auto by_name = [](const Entry& a, const Entry& b) { return a.first < b.first; };
  EXPECT_TRUE(std::is_sorted(kSymbolList.begin(), kSymbolList.end(), by_name));
  EXPECT_TRUE(std::is_sorted(kErrnoList.begin(), kErrnoList.end(), by_name));
}

TEST(SymbolsTest, ValuesAreNonNegative) {
  for (const auto& [name, value] : kSymbolList) EXPECT_GE(value, 0) << name;
  for (const auto& [name, value] : kErrnoList) EXPECT_GT(value, 0) << name;
}

TEST(SymbolsTest, KnownValues) {
  // Architecture-independent values, checked even without host headers.
  EXPECT_EQ(Lookup(kSymbols, "NULL"), 0);
  EXPECT_EQ(Lookup(kSymbols, "SOCK_STREAM"), 1);
  EXPECT_EQ(Lookup(kSymbols, "IPPROTO_TCP"), 6);
  EXPECT_EQ(Lookup(kSymbols, "SOL_TCP"), 6);
  EXPECT_EQ(Lookup(kSymbols, "TCP_INQ"), 36);
  EXPECT_EQ(Lookup(kSymbols, "TCP_CM_INQ"), 36);
  EXPECT_EQ(Lookup(kSymbols, "TCP_NLA_SRTT"), 22);
  EXPECT_EQ(Lookup(kSymbols, "TCP_CA_LOSS"), 4);
  EXPECT_EQ(Lookup(kSymbols, "TCP_INFINITE_SSTHRESH"), 0x7fffffff);
  EXPECT_EQ(Lookup(kSymbols, "SO_EE_ORIGIN_TIMESTAMPING"), 4);
  EXPECT_EQ(Lookup(kSymbols, "SOF_TIMESTAMPING_OPT_ID_TCP"), 1 << 16);
  EXPECT_EQ(Lookup(kSymbols, "EPOLLET"), int64_t{1} << 31);
  EXPECT_EQ(Lookup(kErrnos, "EWOULDBLOCK"), Lookup(kErrnos, "EAGAIN"));
  EXPECT_EQ(Lookup(kErrnos, "EDEADLOCK"), Lookup(kErrnos, "EDEADLK"));
  EXPECT_EQ(Lookup(kErrnos, "ENOTSUP"), Lookup(kErrnos, "EOPNOTSUPP"));
  EXPECT_EQ(Lookup(kErrnos, "EPERM"), 1);
  EXPECT_EQ(Lookup(kErrnos, "EHWPOISON"), 133);
}

TEST(SymbolsTest, MatchesHostHeaders) {
#ifdef AF_INET
  EXPECT_SYMBOL(AF_INET);
#endif
#ifdef AF_INET6
  EXPECT_SYMBOL(AF_INET6);
#endif
#ifdef AF_UNSPEC
  EXPECT_SYMBOL(AF_UNSPEC);
#endif
#ifdef SOCK_STREAM
  EXPECT_SYMBOL(SOCK_STREAM);
#endif
#ifdef SOCK_DGRAM
  EXPECT_SYMBOL(SOCK_DGRAM);
#endif
#ifdef SOCK_NONBLOCK
  EXPECT_SYMBOL(SOCK_NONBLOCK);
#endif
#ifdef IPPROTO_TCP
  EXPECT_SYMBOL(IPPROTO_TCP);
#endif
#ifdef IPPROTO_UDP
  EXPECT_SYMBOL(IPPROTO_UDP);
#endif
#ifdef SOL_SOCKET
  EXPECT_SYMBOL(SOL_SOCKET);
#endif
#ifdef SOL_TCP
  EXPECT_SYMBOL(SOL_TCP);
#endif
#ifdef SOL_IP
  EXPECT_SYMBOL(SOL_IP);
#endif
#ifdef SHUT_WR
  EXPECT_SYMBOL(SHUT_WR);
#endif
#ifdef SO_REUSEADDR
  EXPECT_SYMBOL(SO_REUSEADDR);
#endif
#ifdef SO_SNDBUF
  EXPECT_SYMBOL(SO_SNDBUF);
#endif
#ifdef SO_RCVBUF
  EXPECT_SYMBOL(SO_RCVBUF);
#endif
#ifdef SO_ERROR
  EXPECT_SYMBOL(SO_ERROR);
#endif
#ifdef SO_MARK
  EXPECT_SYMBOL(SO_MARK);
#endif
#ifdef SO_ZEROCOPY
  EXPECT_SYMBOL(SO_ZEROCOPY);
#endif
#ifdef SO_TIMESTAMPING
  EXPECT_SYMBOL(SO_TIMESTAMPING);
#endif
#ifdef SCM_TIMESTAMPING
  EXPECT_SYMBOL(SCM_TIMESTAMPING);
#endif
#ifdef TCP_NODELAY
  EXPECT_SYMBOL(TCP_NODELAY);
#endif
#ifdef TCP_CORK
  EXPECT_SYMBOL(TCP_CORK);
#endif
#ifdef TCP_FASTOPEN
  EXPECT_SYMBOL(TCP_FASTOPEN);
#endif
#ifdef TCP_FASTOPEN_CONNECT
  EXPECT_SYMBOL(TCP_FASTOPEN_CONNECT);
#endif
#ifdef TCP_FASTOPEN_KEY
  EXPECT_SYMBOL(TCP_FASTOPEN_KEY);
#endif
#ifdef TCP_USER_TIMEOUT
  EXPECT_SYMBOL(TCP_USER_TIMEOUT);
#endif
#ifdef TCP_MD5SIG
  EXPECT_SYMBOL(TCP_MD5SIG);
#endif
#ifdef TCP_MD5SIG_EXT
  EXPECT_SYMBOL(TCP_MD5SIG_EXT);
#endif
#ifdef TCP_INQ
  EXPECT_SYMBOL(TCP_INQ);
#endif
#ifdef TCP_CM_INQ
  EXPECT_SYMBOL(TCP_CM_INQ);
#endif
#ifdef IP_TOS
  EXPECT_SYMBOL(IP_TOS);
#endif
#ifdef IP_MTU_DISCOVER
  EXPECT_SYMBOL(IP_MTU_DISCOVER);
#endif
#ifdef IP_PMTUDISC_DONT
  EXPECT_SYMBOL(IP_PMTUDISC_DONT);
#endif
#ifdef IPV6_TCLASS
  EXPECT_SYMBOL(IPV6_TCLASS);
#endif
#ifdef MSG_ERRQUEUE
  EXPECT_SYMBOL(MSG_ERRQUEUE);
#endif
#ifdef MSG_ZEROCOPY
  EXPECT_SYMBOL(MSG_ZEROCOPY);
#endif
#ifdef MSG_FASTOPEN
  EXPECT_SYMBOL(MSG_FASTOPEN);
#endif
#ifdef MSG_MORE
  EXPECT_SYMBOL(MSG_MORE);
#endif
#ifdef MSG_EOR
  EXPECT_SYMBOL(MSG_EOR);
#endif
#ifdef MSG_TRUNC
  EXPECT_SYMBOL(MSG_TRUNC);
#endif
#ifdef O_RDWR
  EXPECT_SYMBOL(O_RDWR);
#endif
#ifdef O_NONBLOCK
  EXPECT_SYMBOL(O_NONBLOCK);
#endif
#ifdef F_GETFL
  EXPECT_SYMBOL(F_GETFL);
#endif
#ifdef F_SETFL
  EXPECT_SYMBOL(F_SETFL);
#endif
#ifdef SIOCINQ
  EXPECT_SYMBOL(SIOCINQ);
#endif
#ifdef POLLIN
  EXPECT_SYMBOL(POLLIN);
#endif
#ifdef POLLOUT
  EXPECT_SYMBOL(POLLOUT);
#endif
#ifdef EPOLLOUT
  EXPECT_SYMBOL(EPOLLOUT);
#endif
#ifdef EPOLLET
  EXPECT_SYMBOL(EPOLLET);
#endif
#ifdef EPOLL_CTL_ADD
  EXPECT_SYMBOL(EPOLL_CTL_ADD);
#endif
#ifdef SO_EE_ORIGIN_ZEROCOPY
  EXPECT_SYMBOL(SO_EE_ORIGIN_ZEROCOPY);
#endif
#ifdef SO_EE_ORIGIN_TIMESTAMPING
  EXPECT_SYMBOL(SO_EE_ORIGIN_TIMESTAMPING);
#endif
#ifdef SO_EE_CODE_ZEROCOPY_COPIED
  EXPECT_SYMBOL(SO_EE_CODE_ZEROCOPY_COPIED);
#endif
#ifdef _NET_TIMESTAMPING_H  // enum members: test the header's guard
  EXPECT_SYMBOL(SOF_TIMESTAMPING_TX_SOFTWARE);
  EXPECT_SYMBOL(SOF_TIMESTAMPING_SOFTWARE);
  EXPECT_SYMBOL(SOF_TIMESTAMPING_OPT_ID);
  EXPECT_SYMBOL(SOF_TIMESTAMPING_TX_SCHED);
  EXPECT_SYMBOL(SOF_TIMESTAMPING_TX_ACK);
#endif
#ifdef _UAPI_LINUX_ERRQUEUE_H
  EXPECT_SYMBOL(SCM_TSTAMP_SND);
  EXPECT_SYMBOL(SCM_TSTAMP_SCHED);
  EXPECT_SYMBOL(SCM_TSTAMP_ACK);
#endif

#ifdef EPERM
  EXPECT_ERRNO(EPERM);
#endif
#ifdef EAGAIN
  EXPECT_ERRNO(EAGAIN);
#endif
#ifdef EWOULDBLOCK
  EXPECT_ERRNO(EWOULDBLOCK);
#endif
#ifdef EDEADLOCK
  EXPECT_ERRNO(EDEADLOCK);
#endif
#ifdef ENOTSUP
  EXPECT_ERRNO(ENOTSUP);
#endif
#ifdef EINPROGRESS
  EXPECT_ERRNO(EINPROGRESS);
#endif
#ifdef ECONNRESET
  EXPECT_ERRNO(ECONNRESET);
#endif
#ifdef ETIMEDOUT
  EXPECT_ERRNO(ETIMEDOUT);
#endif
#ifdef EHOSTUNREACH
  EXPECT_ERRNO(EHOSTUNREACH);
#endif
#ifdef ENOMSG
  EXPECT_ERRNO(ENOMSG);
#endif
#ifdef EHWPOISON
  EXPECT_ERRNO(EHWPOISON);
#endif
}

// Every real constant used as a WORD by the kernel's packetdrill selftests
// (tools/testing/selftests/net/packetdrill).
TEST(SymbolsTest, CoversKernelSelftestCorpus) {
  const char* const kCorpusSymbols[] = {
      "AF_UNSPEC", "EPOLLERR", "EPOLLET", "EPOLLEXCLUSIVE", "EPOLLONESHOT",
      "EPOLLOUT", "EPOLL_CTL_ADD", "EPOLL_CTL_MOD", "F_GETFL", "F_SETFL",
      "IPPROTO_TCP", "IP_MTU_DISCOVER", "IP_PMTUDISC_DONT", "IP_TOS",
      "MSG_EOR", "MSG_ERRQUEUE", "MSG_FASTOPEN", "MSG_MORE", "MSG_TRUNC",
      "MSG_ZEROCOPY", "NULL", "O_NONBLOCK", "O_RDONLY", "O_RDWR",
      "SCM_TIMESTAMPING", "SCM_TSTAMP_ACK", "SCM_TSTAMP_SCHED",
      "SCM_TSTAMP_SND", "SHUT_WR", "SIOCINQ", "SOCK_NONBLOCK", "SOCK_STREAM",
      "SOF_TIMESTAMPING_OPT_ID", "SOF_TIMESTAMPING_SOFTWARE",
      "SOF_TIMESTAMPING_TX_ACK", "SOF_TIMESTAMPING_TX_SCHED",
      "SOF_TIMESTAMPING_TX_SOFTWARE", "SOL_IP", "SOL_SOCKET", "SOL_TCP",
      "SO_EE_CODE_ZEROCOPY_COPIED", "SO_EE_ORIGIN_TIMESTAMPING",
      "SO_EE_ORIGIN_ZEROCOPY", "SO_ERROR", "SO_MARK", "SO_RCVBUF",
      "SO_REUSEADDR", "SO_SNDBUF", "SO_TIMESTAMPING", "SO_ZEROCOPY",
      "TCP_CM_INQ", "TCP_CORK", "TCP_FASTOPEN", "TCP_FASTOPEN_CONNECT",
      "TCP_FASTOPEN_KEY", "TCP_INQ", "TCP_NODELAY", "TCP_USER_TIMEOUT",
  };
  for (const char* name : kCorpusSymbols)
    EXPECT_EQ(kSymbols.count(name), 1u) << name;

  const char* const kCorpusErrnos[] = {
      "EAGAIN", "ECONNRESET", "EFAULT", "EHOSTUNREACH", "EINPROGRESS",
      "ENOMSG", "ENOTCONN", "EPIPE", "ETIMEDOUT",
  };
  for (const char* name : kCorpusErrnos)
    EXPECT_EQ(kErrnos.count(name), 1u) << name;

  // Harness defines (ksft --define) must not be baked into the table.
  for (const char* name : {"CMSG_LEVEL_IP", "CMSG_TYPE_RECVERR", "TFO_COOKIE",
                           "TFO_COOKIE_ZERO", "CODE"})
    EXPECT_EQ(kSymbols.count(name) + kErrnos.count(name), 0u) << name;
}

}  // namespace
