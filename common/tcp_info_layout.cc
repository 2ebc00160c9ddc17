// Field tables for struct tcp_info, TCP_CC_INFO and SO_MEMINFO (Linux 6.18 uapi).
#include "tcp_info_layout.h"

namespace pktc {

namespace {

using S = InfoSource;

// A whole tcp_info field: it exists if the kernel returned every byte of it.
constexpr InfoField Tcpi(const char* name, std::uint16_t offset, std::uint8_t size) {
  return {name, S::kTcpInfo, offset, size, 0, 0, static_cast<std::uint16_t>(offset + size)};
}
// A __u64 that is ~0 while unlimited.
constexpr InfoField Unlimited(InfoField f) {
  f.may_exceed_int64 = true;
  return f;
}
// A tcp_info bitfield inside the `size`-byte unit at `offset`.
constexpr InfoField TcpiBits(const char* name, std::uint16_t offset, std::uint8_t size,
                             std::uint8_t bit_offset, std::uint8_t bit_width,
                             bool packetdrill_variable = true) {
  InfoField f = Tcpi(name, offset, size);
  f.bit_offset = bit_offset;
  f.bit_width = bit_width;
  f.packetdrill_variable = packetdrill_variable;
  return f;
}
// A TCP_CC_INFO field, defined only if the kernel returned `struct_len` bytes: packetdrill
// reads the union as every algorithm's struct whose length fits, whatever the algorithm.
constexpr InfoField Cc(const char* name, std::uint16_t offset, std::uint8_t size,
                       std::uint16_t struct_len) {
  return {name, S::kCcInfo, offset, size, 0, 0, struct_len};
}
// SO_MEMINFO's u32 at `index` (enum sk_meminfo_vars).
constexpr InfoField Mem(const char* name, std::uint16_t index) {
  InfoField f = Tcpi(name, static_cast<std::uint16_t>(index * 4), 4);
  f.source = S::kMemInfo;
  return f;
}

constexpr std::uint16_t kBbrInfoLen = 20;    // struct tcp_bbr_info
constexpr std::uint16_t kDctcpInfoLen = 16;  // struct tcp_dctcp_info
constexpr std::uint16_t kVegasInfoLen = 16;  // struct tcpvegas_info

// The order is packetdrill's (code.c: write_tcp_info and friends), so the Python file pktc
// writes matches packetdrill's; offsets are those of include/uapi/linux/tcp.h in Linux 6.18
// (sizeof 280). tests/unit/tcp_info_test.cc checks them against a copy of that struct.
constexpr InfoField kFields[] = {
    Tcpi("tcpi_state", 0, 1),
    Tcpi("tcpi_ca_state", 1, 1),
    Tcpi("tcpi_retransmits", 2, 1),
    Tcpi("tcpi_probes", 3, 1),
    Tcpi("tcpi_backoff", 4, 1),
    Tcpi("tcpi_options", 5, 1),
    TcpiBits("tcpi_snd_wscale", 6, 1, 0, 4),
    TcpiBits("tcpi_rcv_wscale", 6, 1, 4, 4),
    TcpiBits("tcpi_delivery_rate_app_limited", 7, 1, 0, 1),
    Tcpi("tcpi_rto", 8, 4),
    Tcpi("tcpi_ato", 12, 4),
    Tcpi("tcpi_snd_mss", 16, 4),
    Tcpi("tcpi_rcv_mss", 20, 4),
    Tcpi("tcpi_unacked", 24, 4),
    Tcpi("tcpi_sacked", 28, 4),
    Tcpi("tcpi_lost", 32, 4),
    Tcpi("tcpi_retrans", 36, 4),
    Tcpi("tcpi_fackets", 40, 4),
    Tcpi("tcpi_last_data_sent", 44, 4),
    Tcpi("tcpi_last_ack_sent", 48, 4),
    Tcpi("tcpi_last_data_recv", 52, 4),
    Tcpi("tcpi_last_ack_recv", 56, 4),
    Tcpi("tcpi_pmtu", 60, 4),
    Tcpi("tcpi_rcv_ssthresh", 64, 4),
    Tcpi("tcpi_rtt", 68, 4),
    Tcpi("tcpi_rttvar", 72, 4),
    Tcpi("tcpi_snd_ssthresh", 76, 4),
    Tcpi("tcpi_snd_cwnd", 80, 4),
    Tcpi("tcpi_advmss", 84, 4),
    Tcpi("tcpi_reordering", 88, 4),
    Tcpi("tcpi_total_retrans", 100, 4),
    // Both are ~0 while pacing is unlimited (the default for sk_max_pacing_rate).
    Unlimited(Tcpi("tcpi_pacing_rate", 104, 8)),
    Unlimited(Tcpi("tcpi_max_pacing_rate", 112, 8)),
    Tcpi("tcpi_rcv_rtt", 92, 4),
    Tcpi("tcpi_rcv_space", 96, 4),
    Tcpi("tcpi_bytes_acked", 120, 8),
    Tcpi("tcpi_bytes_received", 128, 8),
    Tcpi("tcpi_segs_out", 136, 4),
    Tcpi("tcpi_segs_in", 140, 4),
    Tcpi("tcpi_notsent_bytes", 144, 4),
    Tcpi("tcpi_min_rtt", 148, 4),
    Tcpi("tcpi_data_segs_in", 152, 4),
    Tcpi("tcpi_data_segs_out", 156, 4),
    Tcpi("tcpi_delivery_rate", 160, 8),
    Tcpi("tcpi_busy_time", 168, 8),
    Tcpi("tcpi_rwnd_limited", 176, 8),
    Tcpi("tcpi_sndbuf_limited", 184, 8),
    Tcpi("tcpi_delivered", 192, 4),
    Tcpi("tcpi_delivered_ce", 196, 4),
    Tcpi("tcpi_bytes_sent", 200, 8),
    Tcpi("tcpi_bytes_retrans", 208, 8),
    Tcpi("tcpi_dsack_dups", 216, 4),
    Tcpi("tcpi_reord_seen", 220, 4),
    Tcpi("tcpi_rcv_ooopack", 224, 4),
    Tcpi("tcpi_snd_wnd", 228, 4),
    Tcpi("tcpi_rcv_wnd", 232, 4),
    Tcpi("tcpi_rehash", 236, 4),
    Tcpi("tcpi_total_rto", 240, 2),
    Tcpi("tcpi_total_rto_recoveries", 242, 2),
    Tcpi("tcpi_total_rto_time", 244, 4),
    TcpiBits("tcpi_ecn_mode", 276, 4, 0, 2),
    TcpiBits("tcpi_accecn_opt_seen", 276, 4, 2, 2),
    TcpiBits("tcpi_accecn_fail_mode", 276, 4, 4, 4),
    TcpiBits("tcpi_options2", 276, 4, 8, 24),
    Tcpi("tcpi_received_ce", 248, 4),
    Tcpi("tcpi_delivered_e1_bytes", 252, 4),
    Tcpi("tcpi_delivered_e0_bytes", 256, 4),
    Tcpi("tcpi_delivered_ce_bytes", 260, 4),
    Tcpi("tcpi_received_e1_bytes", 264, 4),
    Tcpi("tcpi_received_e0_bytes", 268, 4),
    Tcpi("tcpi_received_ce_bytes", 272, 4),
    // In the kernel's struct since 5.5, but packetdrill writes no variable for it.
    TcpiBits("tcpi_fastopen_client_fail", 7, 1, 1, 2, /*packetdrill_variable=*/false),

    // struct tcp_bbr_info; bbr_bw is packetdrill's 64-bit join of the two halves.
    Cc("bbr_bw_lo", 0, 4, kBbrInfoLen),
    Cc("bbr_bw_hi", 4, 4, kBbrInfoLen),
    {"bbr_bw", S::kCcInfo, 0, 8, 0, 0, kBbrInfoLen, /*u32_pair=*/true},
    Cc("bbr_min_rtt", 8, 4, kBbrInfoLen),
    Cc("bbr_pacing_gain", 12, 4, kBbrInfoLen),
    Cc("bbr_cwnd_gain", 16, 4, kBbrInfoLen),
    // struct tcp_dctcp_info
    Cc("dctcp_enabled", 0, 2, kDctcpInfoLen),
    Cc("dctcp_ce_state", 2, 2, kDctcpInfoLen),
    Cc("dctcp_alpha", 4, 4, kDctcpInfoLen),
    Cc("dctcp_ab_ecn", 8, 4, kDctcpInfoLen),
    Cc("dctcp_ab_tot", 12, 4, kDctcpInfoLen),
    // struct tcpvegas_info; packetdrill names the last two tcp_rtt and tcp_minrtt.
    Cc("tcpv_enabled", 0, 4, kVegasInfoLen),
    Cc("tcpv_rttcnt", 4, 4, kVegasInfoLen),
    Cc("tcp_rtt", 8, 4, kVegasInfoLen),
    Cc("tcp_minrtt", 12, 4, kVegasInfoLen),

    // enum sk_meminfo_vars indexes (include/uapi/linux/sock_diag.h).
    Mem("SK_MEMINFO_RMEM_ALLOC", 0),
    Mem("SK_MEMINFO_RCVBUF", 1),
    Mem("SK_MEMINFO_WMEM_ALLOC", 2),
    Mem("SK_MEMINFO_SNDBUF", 3),
    Mem("SK_MEMINFO_FWD_ALLOC", 4),
    Mem("SK_MEMINFO_WMEM_QUEUED", 5),
    Mem("SK_MEMINFO_OPTMEM", 6),
    Mem("SK_MEMINFO_BACKLOG", 7),
    Mem("SK_MEMINFO_DROPS", 8),
};

// code.c: write_symbols (Linux values).
constexpr InfoConstant kConstants[] = {
    {"TCP_ESTABLISHED", 1},    {"TCP_SYN_SENT", 2},        {"TCP_SYN_RECV", 3},
    {"TCP_FIN_WAIT1", 4},      {"TCP_FIN_WAIT2", 5},       {"TCP_TIME_WAIT", 6},
    {"TCP_CLOSE", 7},          {"TCP_CLOSE_WAIT", 8},      {"TCP_LAST_ACK", 9},
    {"TCP_LISTEN", 10},        {"TCP_CLOSING", 11},        {"TCP_CA_Open", 0},
    {"TCP_CA_Disorder", 1},    {"TCP_CA_CWR", 2},          {"TCP_CA_Recovery", 3},
    {"TCP_CA_Loss", 4},        {"TCPI_OPT_TIMESTAMPS", 1}, {"TCPI_OPT_SACK", 2},
    {"TCPI_OPT_WSCALE", 4},    {"TCPI_OPT_ECN", 8},        {"TCPI_OPT_ECN_SEEN", 16},
    {"TCPI_OPT_SYN_DATA", 32}, {"TCPI_OPT_USEC_TS", 64},   {"TCPI_OPT_TFO_CHILD", 128},
};

}  // namespace

std::span<const InfoField> InfoFields() { return kFields; }
std::span<const InfoConstant> InfoConstants() { return kConstants; }

const InfoField* FindInfoField(std::string_view name) {
  for (const InfoField& f : kFields) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

const InfoConstant* FindInfoConstant(std::string_view name) {
  for (const InfoConstant& c : kConstants) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

}  // namespace pktc
