// Unit tests for common/tcp_info_layout.h: the field tables against the kernel's struct layouts, the
// reasons a snapshot lacks a field, and a real getsockopt snapshot of an unconnected socket.
#include "exec/tcp_info_snapshot.h"

#include <gtest/gtest.h>
#include <linux/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace pktc::rt {
namespace {

// struct tcp_info as include/uapi/linux/tcp.h declares it in Linux 6.18, copied so the test
// does not depend on the host's headers; the compiler, not the table, lays out the bitfields.
struct Linux618TcpInfo {
  __u8 tcpi_state;
  __u8 tcpi_ca_state;
  __u8 tcpi_retransmits;
  __u8 tcpi_probes;
  __u8 tcpi_backoff;
  __u8 tcpi_options;
  __u8 tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4;
  __u8 tcpi_delivery_rate_app_limited : 1, tcpi_fastopen_client_fail : 2;
  __u32 tcpi_rto;
  __u32 tcpi_ato;
  __u32 tcpi_snd_mss;
  __u32 tcpi_rcv_mss;
  __u32 tcpi_unacked;
  __u32 tcpi_sacked;
  __u32 tcpi_lost;
  __u32 tcpi_retrans;
  __u32 tcpi_fackets;
  __u32 tcpi_last_data_sent;
  __u32 tcpi_last_ack_sent;
  __u32 tcpi_last_data_recv;
  __u32 tcpi_last_ack_recv;
  __u32 tcpi_pmtu;
  __u32 tcpi_rcv_ssthresh;
  __u32 tcpi_rtt;
  __u32 tcpi_rttvar;
  __u32 tcpi_snd_ssthresh;
  __u32 tcpi_snd_cwnd;
  __u32 tcpi_advmss;
  __u32 tcpi_reordering;
  __u32 tcpi_rcv_rtt;
  __u32 tcpi_rcv_space;
  __u32 tcpi_total_retrans;
  __u64 tcpi_pacing_rate;
  __u64 tcpi_max_pacing_rate;
  __u64 tcpi_bytes_acked;
  __u64 tcpi_bytes_received;
  __u32 tcpi_segs_out;
  __u32 tcpi_segs_in;
  __u32 tcpi_notsent_bytes;
  __u32 tcpi_min_rtt;
  __u32 tcpi_data_segs_in;
  __u32 tcpi_data_segs_out;
  __u64 tcpi_delivery_rate;
  __u64 tcpi_busy_time;
  __u64 tcpi_rwnd_limited;
  __u64 tcpi_sndbuf_limited;
  __u32 tcpi_delivered;
  __u32 tcpi_delivered_ce;
  __u64 tcpi_bytes_sent;
  __u64 tcpi_bytes_retrans;
  __u32 tcpi_dsack_dups;
  __u32 tcpi_reord_seen;
  __u32 tcpi_rcv_ooopack;
  __u32 tcpi_snd_wnd;
  __u32 tcpi_rcv_wnd;
  __u32 tcpi_rehash;
  __u16 tcpi_total_rto;
  __u16 tcpi_total_rto_recoveries;
  __u32 tcpi_total_rto_time;
  __u32 tcpi_received_ce;
  __u32 tcpi_delivered_e1_bytes;
  __u32 tcpi_delivered_e0_bytes;
  __u32 tcpi_delivered_ce_bytes;
  __u32 tcpi_received_e1_bytes;
  __u32 tcpi_received_e0_bytes;
  __u32 tcpi_received_ce_bytes;
  __u32 tcpi_ecn_mode : 2, tcpi_accecn_opt_seen : 2, tcpi_accecn_fail_mode : 4, tcpi_options2 : 24;
};
static_assert(sizeof(Linux618TcpInfo) == kTcpInfoSize);

std::vector<std::uint8_t> Bytes(const void* p, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  return {b, b + n};
}

// Every tcp_info field gets a distinct value that fills most of its width, written through the
// struct's members; Field() must read each back through the table.
TEST(TcpInfo, TableMatchesTheKernelLayout) {
  Linux618TcpInfo info{};
  std::map<std::string, std::uint64_t> want;
  std::uint64_t next = 1;
  // Values that use the field's top bits, so an offset or width error shows.
#define PKTC_SET(field, bits)                                              \
  do {                                                                     \
    std::uint64_t v = ((next++ * 0x9e3779b97f4a7c15ull) >> (64 - (bits))); \
    info.field = v;                                                        \
    want[#field] = v;                                                      \
  } while (0)
  PKTC_SET(tcpi_state, 8);
  PKTC_SET(tcpi_ca_state, 8);
  PKTC_SET(tcpi_retransmits, 8);
  PKTC_SET(tcpi_probes, 8);
  PKTC_SET(tcpi_backoff, 8);
  PKTC_SET(tcpi_options, 8);
  PKTC_SET(tcpi_snd_wscale, 4);
  PKTC_SET(tcpi_rcv_wscale, 4);
  PKTC_SET(tcpi_delivery_rate_app_limited, 1);
  PKTC_SET(tcpi_fastopen_client_fail, 2);
  PKTC_SET(tcpi_rto, 32);
  PKTC_SET(tcpi_ato, 32);
  PKTC_SET(tcpi_snd_mss, 32);
  PKTC_SET(tcpi_rcv_mss, 32);
  PKTC_SET(tcpi_unacked, 32);
  PKTC_SET(tcpi_sacked, 32);
  PKTC_SET(tcpi_lost, 32);
  PKTC_SET(tcpi_retrans, 32);
  PKTC_SET(tcpi_fackets, 32);
  PKTC_SET(tcpi_last_data_sent, 32);
  PKTC_SET(tcpi_last_ack_sent, 32);
  PKTC_SET(tcpi_last_data_recv, 32);
  PKTC_SET(tcpi_last_ack_recv, 32);
  PKTC_SET(tcpi_pmtu, 32);
  PKTC_SET(tcpi_rcv_ssthresh, 32);
  PKTC_SET(tcpi_rtt, 32);
  PKTC_SET(tcpi_rttvar, 32);
  PKTC_SET(tcpi_snd_ssthresh, 32);
  PKTC_SET(tcpi_snd_cwnd, 32);
  PKTC_SET(tcpi_advmss, 32);
  PKTC_SET(tcpi_reordering, 32);
  PKTC_SET(tcpi_rcv_rtt, 32);
  PKTC_SET(tcpi_rcv_space, 32);
  PKTC_SET(tcpi_total_retrans, 32);
  PKTC_SET(tcpi_pacing_rate, 64);
  PKTC_SET(tcpi_max_pacing_rate, 64);
  PKTC_SET(tcpi_bytes_acked, 64);
  PKTC_SET(tcpi_bytes_received, 64);
  PKTC_SET(tcpi_segs_out, 32);
  PKTC_SET(tcpi_segs_in, 32);
  PKTC_SET(tcpi_notsent_bytes, 32);
  PKTC_SET(tcpi_min_rtt, 32);
  PKTC_SET(tcpi_data_segs_in, 32);
  PKTC_SET(tcpi_data_segs_out, 32);
  PKTC_SET(tcpi_delivery_rate, 64);
  PKTC_SET(tcpi_busy_time, 64);
  PKTC_SET(tcpi_rwnd_limited, 64);
  PKTC_SET(tcpi_sndbuf_limited, 64);
  PKTC_SET(tcpi_delivered, 32);
  PKTC_SET(tcpi_delivered_ce, 32);
  PKTC_SET(tcpi_bytes_sent, 64);
  PKTC_SET(tcpi_bytes_retrans, 64);
  PKTC_SET(tcpi_dsack_dups, 32);
  PKTC_SET(tcpi_reord_seen, 32);
  PKTC_SET(tcpi_rcv_ooopack, 32);
  PKTC_SET(tcpi_snd_wnd, 32);
  PKTC_SET(tcpi_rcv_wnd, 32);
  PKTC_SET(tcpi_rehash, 32);
  PKTC_SET(tcpi_total_rto, 16);
  PKTC_SET(tcpi_total_rto_recoveries, 16);
  PKTC_SET(tcpi_total_rto_time, 32);
  PKTC_SET(tcpi_received_ce, 32);
  PKTC_SET(tcpi_delivered_e1_bytes, 32);
  PKTC_SET(tcpi_delivered_e0_bytes, 32);
  PKTC_SET(tcpi_delivered_ce_bytes, 32);
  PKTC_SET(tcpi_received_e1_bytes, 32);
  PKTC_SET(tcpi_received_e0_bytes, 32);
  PKTC_SET(tcpi_received_ce_bytes, 32);
  PKTC_SET(tcpi_ecn_mode, 2);
  PKTC_SET(tcpi_accecn_opt_seen, 2);
  PKTC_SET(tcpi_accecn_fail_mode, 4);
  PKTC_SET(tcpi_options2, 24);
#undef PKTC_SET

  TcpInfoSnapshot snapshot;
  snapshot.tcp_info = Bytes(&info, sizeof info);
  int tcp_info_fields = 0;
  for (const InfoField& f : InfoFields()) {
    if (f.source != InfoSource::kTcpInfo) continue;
    ++tcp_info_fields;
    ASSERT_TRUE(want.count(f.name)) << f.name << " is not in the kernel's struct";
    std::string reason;
    EXPECT_EQ(snapshot.Field(f, &reason), want[f.name]) << f.name << ": " << reason;
  }
  EXPECT_EQ(tcp_info_fields, static_cast<int>(want.size()));
}

// The host's <linux/tcp.h> (whatever its age) agrees on every field it declares.
TEST(TcpInfo, OffsetsAgreeWithTheHostHeader) {
#define PKTC_CHECK(field)                                                                \
  do {                                                                                   \
    const InfoField* f = FindInfoField(#field);                                          \
    ASSERT_NE(f, nullptr) << #field;                                                     \
    EXPECT_EQ(f->offset, offsetof(struct tcp_info, field)) << #field;                    \
    EXPECT_EQ(f->size, sizeof(static_cast<struct tcp_info*>(nullptr)->field)) << #field; \
  } while (0)
  PKTC_CHECK(tcpi_state);
  PKTC_CHECK(tcpi_options);
  PKTC_CHECK(tcpi_rto);
  PKTC_CHECK(tcpi_snd_mss);
  PKTC_CHECK(tcpi_lost);
  PKTC_CHECK(tcpi_last_data_recv);
  PKTC_CHECK(tcpi_rtt);
  PKTC_CHECK(tcpi_snd_ssthresh);
  PKTC_CHECK(tcpi_snd_cwnd);
  PKTC_CHECK(tcpi_reordering);
  PKTC_CHECK(tcpi_total_retrans);
  PKTC_CHECK(tcpi_pacing_rate);
  PKTC_CHECK(tcpi_bytes_received);
  PKTC_CHECK(tcpi_min_rtt);
  PKTC_CHECK(tcpi_delivery_rate);
  PKTC_CHECK(tcpi_busy_time);
  PKTC_CHECK(tcpi_rwnd_limited);
  PKTC_CHECK(tcpi_sndbuf_limited);
  PKTC_CHECK(tcpi_delivered);
  PKTC_CHECK(tcpi_delivered_ce);
  PKTC_CHECK(tcpi_bytes_sent);
  PKTC_CHECK(tcpi_bytes_retrans);
  PKTC_CHECK(tcpi_dsack_dups);
  PKTC_CHECK(tcpi_reord_seen);
  PKTC_CHECK(tcpi_rcv_ooopack);
  PKTC_CHECK(tcpi_snd_wnd);
#undef PKTC_CHECK
}

TEST(TcpInfo, ShortSnapshotLacksNewerFields) {
  // What a 6.6 kernel returns: tcp_info ends after tcpi_total_rto_time.
  TcpInfoSnapshot snapshot;
  snapshot.tcp_info.assign(248, 0);
  snapshot.tcp_info[80] = 10;  // tcpi_snd_cwnd
  EXPECT_EQ(snapshot.Field("tcpi_snd_cwnd"), 10u);
  EXPECT_EQ(snapshot.Field("tcpi_total_rto_time"), 0u);
  std::string reason;
  EXPECT_EQ(snapshot.Field("tcpi_delivered_ce_bytes", &reason), std::nullopt);
  EXPECT_EQ(reason,
            "this kernel's tcp_info has no field tcpi_delivered_ce_bytes (TCP_INFO returned 248 "
            "bytes; the field ends at byte 264)");
  EXPECT_EQ(snapshot.Field("tcpi_options2", &reason), std::nullopt);
  EXPECT_EQ(snapshot.Field("no_such_variable", &reason), std::nullopt);
  EXPECT_EQ(reason, "no getsockopt provides a variable named no_such_variable");

  // Variables() leaves out what the kernel did not return, as packetdrill's file would.
  std::vector<std::string> names;
  for (const auto& [name, value] : snapshot.Variables(InfoSource::kTcpInfo)) names.push_back(name);
  EXPECT_EQ(names.front(), "TCP_ESTABLISHED");
  EXPECT_EQ(names.back(), "tcpi_total_rto_time");
  EXPECT_EQ(std::count(names.begin(), names.end(), "tcpi_fastopen_client_fail"), 0);
}

TEST(TcpInfo, CongestionControlInfoIsReadAsEveryStructThatFits) {
  TcpInfoSnapshot snapshot;
  std::string reason;
  EXPECT_EQ(snapshot.Field("dctcp_alpha", &reason), std::nullopt);
  EXPECT_EQ(reason,
            "the socket's congestion control does not provide dctcp_alpha (TCP_CC_INFO returned 0 "
            "bytes; 16 are needed)");

  // struct tcp_dctcp_info (16 bytes): packetdrill also defines the vegas names from it.
  std::uint16_t dctcp[8] = {1, 2, 1024, 0, 7, 0, 9, 0};
  snapshot.cc_info = Bytes(dctcp, sizeof dctcp);
  EXPECT_EQ(snapshot.Field("dctcp_enabled"), 1u);
  EXPECT_EQ(snapshot.Field("dctcp_ce_state"), 2u);
  EXPECT_EQ(snapshot.Field("dctcp_alpha"), 1024u);
  EXPECT_EQ(snapshot.Field("dctcp_ab_ecn"), 7u);
  EXPECT_EQ(snapshot.Field("dctcp_ab_tot"), 9u);
  EXPECT_EQ(snapshot.Field("tcp_minrtt"), 9u);
  EXPECT_EQ(snapshot.Field("bbr_bw"), std::nullopt);

  // struct tcp_bbr_info (20 bytes); bbr_bw joins the two halves.
  std::uint32_t bbr[5] = {0x89abcdef, 0x1234567, 20000, 739, 512};
  snapshot.cc_info = Bytes(bbr, sizeof bbr);
  EXPECT_EQ(snapshot.Field("bbr_bw"), 0x123456789abcdefull);
  EXPECT_EQ(snapshot.Field("bbr_min_rtt"), 20000u);
  EXPECT_EQ(snapshot.Field("bbr_cwnd_gain"), 512u);
}

TEST(TcpInfo, MeminfoIsIndexedBySkMeminfoVars) {
  TcpInfoSnapshot snapshot;
  std::uint32_t mem[9] = {1, 131072, 3, 4, 5, 6, 7, 8, 9};
  snapshot.meminfo = Bytes(mem, sizeof mem);
  EXPECT_EQ(snapshot.Field("SK_MEMINFO_RCVBUF"), 131072u);
  EXPECT_EQ(snapshot.Field("SK_MEMINFO_DROPS"), 9u);
  snapshot.meminfo.resize(8 * 4);
  std::string reason;
  EXPECT_EQ(snapshot.Field("SK_MEMINFO_DROPS", &reason), std::nullopt);
  EXPECT_EQ(reason, "this kernel's SO_MEMINFO has no SK_MEMINFO_DROPS (it returned 32 bytes)");
}

TEST(TcpInfo, ConstantsAreLinuxValues) {
  EXPECT_EQ(FindInfoConstant("TCP_CLOSE")->value, 7u);
  EXPECT_EQ(FindInfoConstant("TCP_CA_Recovery")->value, 3u);
  EXPECT_EQ(FindInfoConstant("TCPI_OPT_SYN_DATA")->value,
            static_cast<std::uint64_t>(TCPI_OPT_SYN_DATA));
  EXPECT_EQ(FindInfoConstant("TCPI_OPT_TFO_CHILD")->value, 128u);
  EXPECT_EQ(FindInfoConstant("TCP_CA_OPEN"), nullptr);  // Python names are case-sensitive.
}

// getsockopt works on a TCP socket that was merely created: no namespace or device needed.
TEST(TcpInfo, ReadsAnUnconnectedSocket) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  TcpInfoSnapshot snapshot;
  std::string error;
  ASSERT_TRUE(ReadTcpInfo(fd, &snapshot, &error)) << error;
  close(fd);
  EXPECT_GE(snapshot.tcp_info.size(), 104u);  // Every kernel since 4.x returns more.
  EXPECT_LE(snapshot.tcp_info.size(), 1024u);
  EXPECT_EQ(snapshot.Field("tcpi_state"), 7u);  // TCP_CLOSE
  EXPECT_GE(snapshot.meminfo.size(), 9 * 4u);
  EXPECT_GT(snapshot.Field("SK_MEMINFO_SNDBUF").value_or(0), 0u);
}

TEST(TcpInfo, ReadFailsWithPacketdrillsMessage) {
  TcpInfoSnapshot snapshot;
  std::string error;
  EXPECT_FALSE(ReadTcpInfo(-1, &snapshot, &error));
  EXPECT_EQ(error, "can't find getsockopt to get TCP info: Bad file descriptor");
}

}  // namespace
}  // namespace pktc::rt
