// System call arguments as packetdrill reads them (run_system_call.c): the forms an argument
// may take, their 32-bit range, the messages for a wrong one, and the control messages of
// recvmsg()/sendmsg(). Pure functions of the script's values and the kernel's bytes: no run
// state, so they are unit-tested on their own.
#ifndef PKTC_RUNTIME_EXEC_SYSCALL_ARGS_H_
#define PKTC_RUNTIME_EXEC_SYSCALL_ARGS_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "pktc/runtime.h"

namespace pktc::rt {

/// packetdrill's name for the kind of expression `v` is ("integer", "list", "msghdr", ...), as
/// its "Bad type" messages name it.
const char* ValueTypeName(const Value& v);

/// Whether `v` is what packetdrill calls a list: `[...]`, or `{...}` of plain elements.
bool IsScriptList(const Value& v);
/// Whether `v` is an iovec `{..., N}`.
bool IsIovec(const Value& v);

/// "Bad type; actual: integer expected: list" unless `v` is `expected` (a ValueTypeName).
bool CheckType(const Value& v, const char* expected, std::string* error);

/// packetdrill's get_s32: an integer from INT_MIN to UINT_MAX, as the kernel's 32-bit value
/// (0xffffffff is -1), else "Value out of range for 32-bit integer: N".
bool GetS32(const Value& v, std::int32_t* out, std::string* error);
/// get_s8: CHAR_MIN to UCHAR_MAX.
bool GetS8(const Value& v, std::int8_t* out, std::string* error);
/// get_s64: any integer.
bool GetS64(const Value& v, std::int64_t* out, std::string* error);
/// `[X]`: a list of exactly one element (s32_bracketed_arg without the integer check).
bool GetBracketed(const Value& v, const Value** element, std::string* error);
bool GetBracketedS32(const Value& v, std::int32_t* out, std::string* error);
bool GetBracketedS64(const Value& v, std::int64_t* out, std::string* error);
/// A buffer argument: `...` (a buffer packetdrill allocates) or 0 (NULL).
bool GetBuffer(const Value& v, bool* is_null, std::string* error);

/// packetdrill's flags_to_string for poll events: "POLLIN|POLLOUT"; "" for none.
std::string PollFlagsToString(std::uint32_t flags);
/// packetdrill's to_printable_string: printable bytes as they are, others as \xHH.
std::string ToPrintableString(const char* bytes, std::size_t len);

/// The control messages of a msghdr as packetdrill builds them (cmsg_new): at most this many
/// bytes, and `len` (msg_controllen) is the sum of the messages' CMSG_SPACE.
inline constexpr std::size_t kMaxControlLen = 2000;
struct ControlBuffer {
  alignas(cmsghdr) unsigned char bytes[kMaxControlLen] = {};
  std::size_t len = 0;
};

/// Builds `msg_control=[{cmsg_level=..., cmsg_type=..., cmsg_data=...}, ...]`: data an integer
/// (4 bytes), `{scm_sec=S, scm_nsec=N}` (struct scm_timestamping), `{ee_errno=...}` (struct
/// sock_extended_err and room for the offender's address) or a list of `TCP_NLA_X=value`
/// netlink attributes (SCM_TIMESTAMPING_OPT_STATS; `...` for any value).
bool BuildCmsgs(const Value& list, ControlBuffer* out, std::string* error);

/// How cmsg timestamps are compared: script times are this far from the kernel's clock.
struct CmsgClock {
  std::int64_t live_start_us = 0;  ///< Script time 0 on CLOCK_REALTIME, in microseconds.
  std::int64_t tolerance_us = 0;   ///< --tolerance_usecs.
};

/// packetdrill's cmsg_expect_eq: level, type, length and data of each received message against
/// the script's, in order; then that neither side has more.
bool CompareCmsgs(const msghdr& expected, const msghdr& actual, const CmsgClock& clock,
                  std::string* error);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_SYSCALL_ARGS_H_
