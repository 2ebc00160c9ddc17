// System call arguments as packetdrill reads them; see syscall_args.h.
#include "exec/syscall_args.h"

#include <linux/errqueue.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>

#include <cctype>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iterator>
#include <optional>

#include "pktc/symbols.h"

namespace pktc::rt {

namespace {

std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

std::size_t ListLength(const Value& v) { return v.items.size() + v.fields.size(); }

/// packetdrill's scm_timestamping: three timespecs (software, deprecated, hardware).
struct Timestamping {
  timespec ts[3];
};

/// The sizes of the TCP_NLA_* statistics packetdrill knows (its tcp_nla table), by type.
constexpr int kNlaBytes[] = {
    4,  // PAD
    8,  // BUSY
    8,  // RWND_LIMITED
    8,  // SNDBUF_LIMITED
    8,  // DATA_SEGS_OUT
    8,  // TOTAL_RETRANS
    8,  // PACING_RATE
    8,  // DELIVERY_RATE
    4,  // SND_CWND
    4,  // REORDERING
    4,  // MIN_RTT
    1,  // RECUR_RETRANS
    1,  // DELIVERY_RATE_APP_LMT
    4,  // SNDQ_SIZE
    1,  // CA_STATE
    4,  // SND_SSTHRESH
    4,  // DELIVERED
    4,  // DELIVERED_CE
    8,  // BYTES_SENT
    8,  // BYTES_RETRANS
    4,  // DSACK_DUPS
    4,  // REORD_SEEN
    4,  // SRTT
};
constexpr const char* kNlaNames[] = {
    "TCP_NLA_PAD",
    "TCP_NLA_BUSY",
    "TCP_NLA_RWND_LIMITED",
    "TCP_NLA_SNDBUF_LIMITED",
    "TCP_NLA_DATA_SEGS_OUT",
    "TCP_NLA_TOTAL_RETRANS",
    "TCP_NLA_PACING_RATE",
    "TCP_NLA_DELIVERY_RATE",
    "TCP_NLA_SND_CWND",
    "TCP_NLA_REORDERING",
    "TCP_NLA_MIN_RTT",
    "TCP_NLA_RECUR_RETRANS",
    "TCP_NLA_DELIVERY_RATE_APP_LMT",
    "TCP_NLA_SNDQ_SIZE",
    "TCP_NLA_CA_STATE",
    "TCP_NLA_SND_SSTHRESH",
    "TCP_NLA_DELIVERED",
    "TCP_NLA_DELIVERED_CE",
    "TCP_NLA_BYTES_SENT",
    "TCP_NLA_BYTES_RETRANS",
    "TCP_NLA_DSACK_DUPS",
    "TCP_NLA_REORD_SEEN",
    "TCP_NLA_SRTT",
};
static_assert(std::size(kNlaBytes) == std::size(kNlaNames));
/// A script value of `...`: any value (packetdrill's OPT_NLA_IGNORE_VAL).
constexpr std::uint64_t kNlaIgnore = ~0U;

/// nla_expr_list_to_nla: `TCP_NLA_X=value` entries as netlink attributes.
bool BuildNlas(const Value& list, unsigned char* dst, std::size_t room, int* len,
               std::string* error) {
  if (!list.items.empty()) {
    return Fail(error, Format("Bad type; actual: %s expected: binary_expression",
                              ValueTypeName(list.items[0])));
  }
  std::size_t used = 0;
  for (const Value::Field& f : list.fields) {
    std::optional<std::int64_t> key = LookupSymbol(f.name);
    if (!key) return Fail(error, Format("unknown symbol: '%s'", f.name));
    const Value& value = f.value;
    if (value.kind != Value::Kind::kInt && value.kind != Value::Kind::kEllipsis) {
      return Fail(error, "values must be numeric or ellipsis");
    }
    if (*key < 0 || *key >= static_cast<std::int64_t>(std::size(kNlaBytes))) {
      return Fail(error, Format("bad NLA type %lld", static_cast<long long>(*key)));
    }
    int bytes = kNlaBytes[*key];
    if (value.kind == Value::Kind::kInt) {
      if (bytes == 1 && (value.i < 0 || value.i > UCHAR_MAX)) {
        return Fail(error, "out of bound u8 value specified");
      }
      if (bytes == 4 && (value.i < 0 || value.i > UINT_MAX)) {
        return Fail(error, "out of bound u32 value specified");
      }
    }
    std::uint64_t v =
        value.kind == Value::Kind::kInt ? static_cast<std::uint64_t>(value.i) : kNlaIgnore;
    std::size_t total = NLA_ALIGN(NLA_HDRLEN + bytes);
    if (used + total > room) return Fail(error, "too many cmsg_data attributes");
    nlattr nla{static_cast<std::uint16_t>(NLA_HDRLEN + bytes), static_cast<std::uint16_t>(*key)};
    std::memcpy(dst + used, &nla, sizeof nla);
    std::memcpy(dst + used + NLA_HDRLEN, &v, static_cast<std::size_t>(bytes));
    used += total;
  }
  *len = static_cast<int>(used);
  return true;
}

bool BuildExtendedErr(const Value& data, sock_extended_err* ee, std::string* error) {
  auto s32 = [&](const char* name, std::uint32_t* out) {
    const Value* v = data.Find(name);
    std::int32_t x = 0;
    if (!v) return Fail(error, Format("sock_extended_err without %s", name));
    if (!GetS32(*v, &x, error)) return false;
    *out = static_cast<std::uint32_t>(x);
    return true;
  };
  auto s8 = [&](const char* name, std::uint8_t* out) {
    const Value* v = data.Find(name);
    std::int8_t x = 0;
    if (!v) return Fail(error, Format("sock_extended_err without %s", name));
    if (!GetS8(*v, &x, error)) return false;
    *out = static_cast<std::uint8_t>(x);
    return true;
  };
  return s32("ee_errno", &ee->ee_errno) && s8("ee_origin", &ee->ee_origin) &&
         s8("ee_type", &ee->ee_type) && s8("ee_code", &ee->ee_code) &&
         s32("ee_info", &ee->ee_info) && s32("ee_data", &ee->ee_data);
}

bool CompareExtendedErr(const sock_extended_err& e, const sock_extended_err& a, int index,
                        std::string* error) {
  struct {
    const char* what;
    unsigned expected, actual;
  } fields[] = {{"errno", e.ee_errno, a.ee_errno}, {"origin", e.ee_origin, a.ee_origin},
                {"type", e.ee_type, a.ee_type},    {"code", e.ee_code, a.ee_code},
                {"info", e.ee_info, a.ee_info},    {"data", e.ee_data, a.ee_data}};
  for (const auto& f : fields) {
    if (f.expected != f.actual) {
      return Fail(error, Format("Bad %s in extended err %d: expected=%u actual=%u", f.what, index,
                                f.expected, f.actual));
    }
  }
  return true;
}

std::int64_t TimespecUs(const timespec& ts) {
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

bool CompareTimestamping(const Timestamping& e, const Timestamping& a, int index,
                         const CmsgClock& clock, std::string* error) {
  for (int i = 0; i < 3; ++i) {
    if (e.ts[i].tv_sec == 0 && e.ts[i].tv_nsec == 0) continue;  // 0/0: not checked
    std::int64_t want = clock.live_start_us + TimespecUs(e.ts[i]);
    std::int64_t got = TimespecUs(a.ts[i]);
    if (std::llabs(want - got) > clock.tolerance_us) {
      return Fail(error, Format("Bad timestamp %d in scm_timestamping %d: expected=%lld (%lld) "
                                "actual=%lld (%lld) start=%lld",
                                i, index, static_cast<long long>(want),
                                static_cast<long long>(want - clock.live_start_us),
                                static_cast<long long>(got),
                                static_cast<long long>(got - clock.live_start_us),
                                static_cast<long long>(clock.live_start_us)));
    }
  }
  return true;
}

template <typename T>
T Load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// scm_opt_stats_expect_eq: each attribute's type and length, then its value (time-like ones
/// within the tolerance, `...` anything).
bool CompareOptStats(const unsigned char* e, const unsigned char* a, std::size_t len, int index,
                     const CmsgClock& clock, std::string* error) {
  for (std::size_t offset = 0; offset < len;) {
    nlattr enla = Load<nlattr>(e + offset);
    nlattr anla = Load<nlattr>(a + offset);
    if (enla.nla_type != anla.nla_type) {
      return Fail(error, Format("Bad nla_type %d: expected=%u actual=%u", index, enla.nla_type,
                                anla.nla_type));
    }
    if (enla.nla_len != anla.nla_len) {
      return Fail(error, Format("Bad nla_len %d: expected=%u actual=%u", index, enla.nla_len,
                                anla.nla_len));
    }
    const unsigned char* ev = e + offset + NLA_HDRLEN;
    const unsigned char* av = a + offset + NLA_HDRLEN;
    if (enla.nla_type >= std::size(kNlaBytes)) {
      return Fail(error,
                  Format("Bad nla_type %d: no such TCP_NLA statistic %u", index, enla.nla_type));
    }
    const char* name = kNlaNames[enla.nla_type];
    switch (enla.nla_type) {
      case 1:  // BUSY, RWND_LIMITED, SNDBUF_LIMITED: times in us, within the tolerance.
      case 2:
      case 3: {
        std::uint64_t want = Load<std::uint64_t>(ev), got = Load<std::uint64_t>(av);
        bool ok = want == kNlaIgnore ||
                  (want ? std::llabs(static_cast<std::int64_t>(want - got)) <= clock.tolerance_us
                        : got == 0);
        if (!ok) {
          return Fail(error, Format("Bad %s: expected=%llu actual=%llu", name,
                                    static_cast<unsigned long long>(want),
                                    static_cast<unsigned long long>(got)));
        }
        break;
      }
      default: {
        int bytes = kNlaBytes[enla.nla_type];
        std::uint64_t want = 0, got = 0;
        std::memcpy(&want, ev, static_cast<std::size_t>(bytes));
        std::memcpy(&got, av, static_cast<std::size_t>(bytes));
        std::uint64_t ignore = bytes == 8 ? kNlaIgnore : bytes == 4 ? 0xffffffffu : 0xffu;
        if (want != got && want != ignore) {
          return Fail(error, Format("Bad %s: expected=%llu actual=%llu", name,
                                    static_cast<unsigned long long>(want),
                                    static_cast<unsigned long long>(got)));
        }
      }
    }
    offset += NLA_ALIGN(enla.nla_len);
  }
  return true;
}

std::string DataText(const unsigned char* p, std::size_t len) {
  if (len == sizeof(std::int32_t)) return std::to_string(Load<std::int32_t>(p));
  return ToPrintableString(reinterpret_cast<const char*>(p), len);
}

}  // namespace

const char* ValueTypeName(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kEllipsis:
      return "ellipsis";
    case Value::Kind::kInt:
      return "integer";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kStruct:
      break;
  }
  if (v.Find("msg_iov") || v.Find("msg_name")) return "msghdr";
  if (v.Find("cmsg_level")) return "cmsg";
  if (v.Find("scm_sec")) return "scm_timestamping";
  if (v.Find("ee_errno")) return "sock_extended_err";
  if (v.Find("onoff")) return "linger";
  if (v.Find("tcpm_key")) return "tcp_md5sig";  // pktc's own form
  // `{flags ...}` and `{(label ...)}`: sema's one-field structs holding packetdrill's struct gre
  // and struct mpls_stack bytes.
  if (v.fields.size() == 1 && std::strcmp(v.fields[0].name, "gre") == 0) return "gre";
  if (v.fields.size() == 1 && std::strcmp(v.fields[0].name, "mpls_stack") == 0) {
    return "mpls_stack";
  }
  if (const Value* family = v.Find("sa_family")) {
    return family->kind == Value::Kind::kInt && family->i == AF_INET6 ? "sockaddr_in6"
                                                                      : "sockaddr_in";
  }
  if (!v.fields.empty() && std::strcmp(v.fields[0].name, "fd") == 0) return "pollfd";
  if (!v.fields.empty() && std::strcmp(v.fields[0].name, "events") == 0) return "epollev";
  if (IsIovec(v)) return "iovec";
  return "list";  // `{a, b}` and `{NAME=value, ...}`
}

bool IsIovec(const Value& v) {
  return v.kind == Value::Kind::kStruct && v.fields.empty() && v.items.size() == 2 &&
         v.items[0].kind == Value::Kind::kEllipsis;
}

bool IsScriptList(const Value& v) { return std::strcmp(ValueTypeName(v), "list") == 0; }

bool CheckType(const Value& v, const char* expected, std::string* error) {
  const char* actual = ValueTypeName(v);
  if (std::strcmp(actual, expected) == 0) return true;
  return Fail(error, Format("Bad type; actual: %s expected: %s", actual, expected));
}

bool GetS32(const Value& v, std::int32_t* out, std::string* error) {
  if (!CheckType(v, "integer", error)) return false;
  if (v.i > static_cast<std::int64_t>(UINT_MAX) || v.i < INT_MIN) {
    return Fail(error,
                Format("Value out of range for 32-bit integer: %lld", static_cast<long long>(v.i)));
  }
  *out = static_cast<std::int32_t>(static_cast<std::uint32_t>(v.i));
  return true;
}

bool GetS8(const Value& v, std::int8_t* out, std::string* error) {
  if (!CheckType(v, "integer", error)) return false;
  if (v.i > UCHAR_MAX || v.i < CHAR_MIN) {
    return Fail(error,
                Format("Value out of range for 8-bit integer: %lld", static_cast<long long>(v.i)));
  }
  *out = static_cast<std::int8_t>(static_cast<std::uint8_t>(v.i));
  return true;
}

bool GetS64(const Value& v, std::int64_t* out, std::string* error) {
  if (!CheckType(v, "integer", error)) return false;
  *out = v.i;
  return true;
}

bool GetBracketed(const Value& v, const Value** element, std::string* error) {
  *element = nullptr;
  if (!CheckType(v, "list", error)) return false;
  if (ListLength(v) != 1) return Fail(error, "Expected [<element>] but got multiple elements");
  if (v.items.empty()) return Fail(error, "Bad type; actual: binary_expression expected: integer");
  *element = &v.items[0];
  return true;
}

bool GetBracketedS32(const Value& v, std::int32_t* out, std::string* error) {
  const Value* element;
  return GetBracketed(v, &element, error) && GetS32(*element, out, error);
}

bool GetBracketedS64(const Value& v, std::int64_t* out, std::string* error) {
  const Value* element;
  return GetBracketed(v, &element, error) && GetS64(*element, out, error);
}

bool GetBuffer(const Value& v, bool* is_null, std::string* error) {
  if (v.kind == Value::Kind::kEllipsis) {
    *is_null = false;
    return true;
  }
  if (v.kind == Value::Kind::kInt && v.i == 0) {
    *is_null = true;
    return true;
  }
  return Fail(error, "Expected ... or NULL for buffer");
}

std::string PollFlagsToString(std::uint32_t flags) {
  // packetdrill's poll_flags table, in its order of bits.
  static constexpr struct {
    std::uint32_t flag;
    const char* name;
  } kNames[] = {{0x1, "POLLIN"},       {0x2, "POLLPRI"},     {0x4, "POLLOUT"},
                {0x40, "POLLRDNORM"},  {0x80, "POLLRDBAND"}, {0x100, "POLLWRNORM"},
                {0x200, "POLLWRBAND"}, {0x400, "POLLMSG"},   {0x1000, "POLLREMOVE"},
                {0x2000, "POLLRDHUP"}, {0x8, "POLLERR"},     {0x10, "POLLHUP"},
                {0x20, "POLLNVAL"}};
  std::string out;
  for (int bit = 0; bit < 32; ++bit) {
    std::uint32_t flag = 1u << bit;
    if (!(flags & flag)) continue;
    const char* name = "???";
    for (const auto& n : kNames) {
      if (n.flag == flag) name = n.name;
    }
    if (!out.empty()) out += "|";
    out += name;
  }
  return out;
}

std::string ToPrintableString(const char* bytes, std::size_t len) {
  std::string out;
  for (std::size_t i = 0; i < len; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (i == len - 1 && c == 0) break;  // the terminating NUL
    if (std::isprint(c)) {
      out += static_cast<char>(c);
    } else {
      out += Format("\\x%02x", c);
    }
  }
  return out;
}

bool BuildCmsgs(const Value& list, ControlBuffer* out, std::string* error) {
  *out = ControlBuffer{};
  if (!CheckType(list, "list", error)) return false;
  std::size_t sum = 0;
  auto finish = [&](bool ok) {
    out->len = sum;
    return ok;
  };
  if (!list.fields.empty()) {
    return finish(Fail(error, "Bad type; actual: binary_expression expected: cmsg"));
  }
  for (const Value& item : list.items) {
    if (!CheckType(item, "cmsg", error)) return finish(false);
    cmsghdr header{};
    std::int32_t level = 0, type = 0;
    const Value* level_value = item.Find("cmsg_level");
    const Value* type_value = item.Find("cmsg_type");
    const Value* data = item.Find("cmsg_data");
    if (!level_value || !type_value || !data) {
      return finish(Fail(error, "cmsg without cmsg_level, cmsg_type or cmsg_data"));
    }
    if (!GetS32(*level_value, &level, error) || !GetS32(*type_value, &type, error)) {
      return finish(false);
    }
    header.cmsg_level = level;
    header.cmsg_type = type;
    unsigned char payload[kMaxControlLen] = {};
    int len = 0;
    const char* data_type = ValueTypeName(*data);
    if (data->kind == Value::Kind::kInt) {
      std::int32_t v;
      if (!GetS32(*data, &v, error)) return finish(false);
      len = sizeof v;
      std::memcpy(payload, &v, sizeof v);
    } else if (std::strcmp(data_type, "scm_timestamping") == 0) {
      Timestamping ts{};
      const Value* sec = data->Find("scm_sec");
      const Value* nsec = data->Find("scm_nsec");
      ts.ts[0].tv_sec = sec && sec->kind == Value::Kind::kInt ? sec->i : 0;
      ts.ts[0].tv_nsec = nsec && nsec->kind == Value::Kind::kInt ? nsec->i : 0;
      len = sizeof ts;
      std::memcpy(payload, &ts, sizeof ts);
    } else if (std::strcmp(data_type, "list") == 0) {
      std::size_t room = kMaxControlLen - sum - sizeof(cmsghdr);
      if (!BuildNlas(*data, payload, room, &len, error)) return finish(false);
    } else if (std::strcmp(data_type, "sock_extended_err") == 0) {
      // ip(v6)_recv_error appends the offender's address to the error.
      len = sizeof(sock_extended_err) +
            (level == SOL_IP ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
      sock_extended_err ee{};
      if (!BuildExtendedErr(*data, &ee, error)) return finish(false);
      std::memcpy(payload, &ee, sizeof ee);
    } else {
      return finish(Fail(error, "Unrecognized type for cmsg_data"));
    }
    std::size_t space = CMSG_SPACE(static_cast<std::size_t>(len));
    if (sum + space > kMaxControlLen) return finish(Fail(error, "too many cmsgs"));
    header.cmsg_len = CMSG_LEN(static_cast<std::size_t>(len));
    std::memcpy(out->bytes + sum, &header, sizeof header);
    std::memcpy(out->bytes + sum + CMSG_LEN(0), payload, static_cast<std::size_t>(len));
    sum += space;
  }
  return finish(true);
}

bool CompareCmsgs(const msghdr& expected, const msghdr& actual, const CmsgClock& clock,
                  std::string* error) {
  msghdr e = expected, a = actual;  // CMSG_NXTHDR takes non-const headers
  const std::size_t hdr_len = CMSG_ALIGN(sizeof(cmsghdr));
  int i = 0;
  cmsghdr* acm = CMSG_FIRSTHDR(&a);
  cmsghdr* ecm = CMSG_FIRSTHDR(&e);
  for (; acm && ecm && acm->cmsg_len && ecm->cmsg_len;
       acm = CMSG_NXTHDR(&a, acm), ecm = CMSG_NXTHDR(&e, ecm), ++i) {
    if (acm->cmsg_level != ecm->cmsg_level) {
      return Fail(error, Format("Bad level in cmsg %d: expected=%d actual=%d", i, ecm->cmsg_level,
                                acm->cmsg_level));
    }
    if (acm->cmsg_type != ecm->cmsg_type) {
      return Fail(error, Format("Bad type in cmsg %d: expected=%d actual=%d", i, ecm->cmsg_type,
                                acm->cmsg_type));
    }
    if (acm->cmsg_len != ecm->cmsg_len) {
      return Fail(error, Format("Bad len in cmsg %d: expected=%lu actual=%lu", i,
                                static_cast<unsigned long>(ecm->cmsg_len),
                                static_cast<unsigned long>(acm->cmsg_len)));
    }
    const unsigned char* edata = CMSG_DATA(ecm);
    const unsigned char* adata = CMSG_DATA(acm);
    std::size_t len = acm->cmsg_len - hdr_len;
    if ((acm->cmsg_level == SOL_IP && acm->cmsg_type == IP_RECVERR) ||
        (acm->cmsg_level == SOL_IPV6 && acm->cmsg_type == IPV6_RECVERR)) {
      if (!CompareExtendedErr(Load<sock_extended_err>(edata), Load<sock_extended_err>(adata), i,
                              error)) {
        return false;
      }
    } else if (acm->cmsg_level == SOL_SOCKET && acm->cmsg_type == SCM_TIMESTAMPING) {
      if (len < sizeof(Timestamping)) {
        return Fail(error, Format("Bad len in cmsg %d: %zu bytes for scm_timestamping", i, len));
      }
      if (!CompareTimestamping(Load<Timestamping>(edata), Load<Timestamping>(adata), i, clock,
                               error)) {
        return false;
      }
    } else if (acm->cmsg_level == SOL_SOCKET && acm->cmsg_type == SCM_TIMESTAMPING_OPT_STATS) {
      if (!CompareOptStats(edata, adata, len, i, clock, error)) return false;
    } else if (std::memcmp(adata, edata, len) != 0) {
      return Fail(error, Format("Bad data in cmsg %d: expected=%s actual=%s", i,
                                DataText(edata, len).c_str(), DataText(adata, len).c_str()));
    }
  }
  if (!acm && !ecm) return true;
  if (acm && !ecm) return Fail(error, Format("received more than %d cmsgs", i));
  if (!acm && ecm) return Fail(error, Format("received only %d cmsgs", i));
  return Fail(error, "cmsgs do not match");
}

}  // namespace pktc::rt
