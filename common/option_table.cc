// The option table and its value parser.
#include "option_table.h"

#include <cerrno>
#include <cstdlib>
#include <string>

namespace pktc {

namespace {

constexpr OptionSpec kOptions[] = {
#define PKTC_OPTION(Id, name, alias, Value, min, max, Status, Scope)                            \
  {OptionId::k##Id,      name, alias, OptionValue::k##Value, min, max, OptionStatus::k##Status, \
   OptionScope::k##Scope},
#include "options.def"
};

// Every row's id is its index, so the table can be indexed by OptionId.
constexpr bool IdsAreIndices() {
  for (std::size_t i = 0; i < std::size(kOptions); ++i) {
    if (static_cast<std::size_t>(kOptions[i].id) != i) return false;
  }
  return true;
}
static_assert(IdsAreIndices());

std::string Expected(const OptionSpec& spec) {
  switch (spec.value) {
    case OptionValue::kInt:
      return "an integer from " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
    case OptionValue::kPercent:
      return "a number from " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
    case OptionValue::kFamily:
      return "ipv4, ipv6 or ipv4-mapped-ipv6";
    case OptionValue::kDefine:
      return "NAME=VALUE";
    case OptionValue::kNone:
    case OptionValue::kText:
      break;
  }
  return "a value";
}

/// Why an Unsupported option is.
std::string UnsupportedReason(OptionId id) {
  switch (id) {
    case OptionId::kSoFilename:
    case OptionId::kSoFlags:
      return "a test binary is statically linked against the kernel's own stack and cannot "
             "load a user-space stack as a shared object";
    case OptionId::kPspUdpPort:
      return "PSP needs a PSP-capable device, so wire mode, which pktc does not run yet";
    default:
      return "wire mode is not implemented yet";
  }
}

/// packetdrill's parse_non_fatal_arg(): comma- or space-separated words, unknown ones ignored.
void ParseNonFatal(const std::string& text, Options* o) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = text.find_first_of(", ", i);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(i, end - i);
    if (word == "packet") o->non_fatal_packet = true;
    if (word == "syscall") o->non_fatal_syscall = true;
    i = end + 1;
  }
}

}  // namespace

std::span<const OptionSpec> AllOptions() { return kOptions; }

const OptionSpec* FindOption(std::string_view name) {
  for (const OptionSpec& spec : kOptions) {
    if (name == spec.name || (*spec.alias && name == spec.alias)) return &spec;
  }
  return nullptr;
}

bool ParseDecimal(std::string_view text, std::int64_t min, std::int64_t max, std::int64_t* out) {
  if (text.empty()) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(copy.c_str(), &end, 10);  // packetdrill reads options as decimal
  if (errno || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

bool ApplyOption(const OptionSpec& spec, const std::optional<std::string>& value, Options* o,
                 std::string* error) {
  std::string name = std::string("--") + spec.name;
  if (spec.status == OptionStatus::kUnsupported) {
    *error = "option " + name + " is not supported by pktc: " + UnsupportedReason(spec.id);
    return false;
  }
  if (spec.TakesValue() && !value) {
    *error = "option " + name + " needs a value";
    return false;
  }
  auto bad = [&]() {
    *error = "bad " + name + ": " + value.value_or("") + " (expected " + Expected(spec) + ")";
    return false;
  };
  std::int64_t n = 0;
  double fraction = 0;
  std::string family;
  switch (spec.value) {
    case OptionValue::kInt:
      if (!ParseDecimal(*value, spec.min, spec.max, &n)) return bad();
      break;
    case OptionValue::kPercent: {
      char* end = nullptr;
      fraction = std::strtod(value->c_str(), &end);
      // Written so that NaN fails too.
      if (value->empty() || *end || !(fraction >= spec.min && fraction <= spec.max)) return bad();
      break;
    }
    case OptionValue::kFamily:
      family = *value == "ipv4_mapped_ipv6" ? "ipv4-mapped-ipv6" : *value;
      if (family != "ipv4" && family != "ipv6" && family != "ipv4-mapped-ipv6") return bad();
      break;
    case OptionValue::kDefine:
      if (value->find('=') == 0 || value->find('=') == std::string::npos) return bad();
      break;
    case OptionValue::kNone:
    case OptionValue::kText:
      break;
  }
  switch (spec.id) {
    case OptionId::kIpVersion:
      o->ip_versions = {family};
      o->ip_version_given = true;
      break;
    case OptionId::kLocalIp:
      o->local_ip = *value;
      break;
    case OptionId::kRemoteIp:
      o->remote_ip = *value;
      break;
    case OptionId::kGatewayIp:
      o->gateway_ip = *value;
      break;
    case OptionId::kNetmaskIp:
      o->netmask_ip = *value;
      break;
    case OptionId::kBindPort:
      o->bind_port = static_cast<int>(n);
      break;
    case OptionId::kConnectPort:
      o->connect_port = static_cast<int>(n);
      break;
    case OptionId::kMtu:
      o->mtu = static_cast<int>(n);
      break;
    case OptionId::kToleranceUsecs:
      o->tolerance_usecs = n;
      break;
    case OptionId::kTolerancePercent:
      o->tolerance_percent = fraction;
      break;
    case OptionId::kTcpTsTickUsecs:
      o->tcp_ts_tick_usecs = n;
      break;
    case OptionId::kMss:
      o->mss = static_cast<int>(n);
      break;
    case OptionId::kVerbose:
      o->verbose = true;
      break;
    case OptionId::kDryRun:
      o->dry_run = true;
      break;
    case OptionId::kDefine: {
      std::size_t eq = value->find('=');
      o->defines[value->substr(0, eq)] = value->substr(eq + 1);
      break;
    }
    case OptionId::kJunit:
      o->junit_file = *value;
      break;
    case OptionId::kPcap:
      o->pcap_dir = *value;
      break;
    case OptionId::kTimingReport:
      o->timing_report = true;
      break;
    case OptionId::kParallel:
      o->parallel = true;
      break;
    case OptionId::kSerial:
      o->parallel = false;
      break;
    case OptionId::kSkipMissingFeatures:
      o->skip_missing_features = true;
      break;
    case OptionId::kReportMargins:
      o->report_margins = true;
      break;
    case OptionId::kHelp:
      o->help = true;
      break;
    case OptionId::kVersion:
      o->version = true;
      break;
    case OptionId::kNonFatal:
      ParseNonFatal(*value, o);
      break;
    case OptionId::kStrictSegments:
      o->strict_segments = true;
      break;
    case OptionId::kTcpTsEcrScaled:
      o->tcp_ts_ecr_scaled = true;
      break;
    case OptionId::kSendOmitFree:
      o->send_omit_free = true;
      break;
    case OptionId::kSpeed:
      o->speed = static_cast<std::uint32_t>(n);
      break;
    case OptionId::kInitScripts:
      o->init_scripts = *value;
      break;
    case OptionId::kIsAnyip:
      o->is_anyip = true;
      break;
    case OptionId::kCodeCommand:
      o->code_command = *value;
      break;
    case OptionId::kCodeFormat:
      // packetdrill knows one format; it dies on any other when it sets up code blocks.
      if (*value != "python") {
        *error = "unsupported --code_format '" + *value + "' (only python)";
        return false;
      }
      o->code_format = *value;
      break;
    case OptionId::kCodeSockopt:
      if (!value->empty() && *value != "TCP_INFO" && *value != "TCP_CC_INFO" &&
          *value != "SO_MEMINFO") {
        *error = "unsupported --code_sockopt '" + *value +
                 "' (TCP_INFO, TCP_CC_INFO or SO_MEMINFO)";
        return false;
      }
      o->code_sockopt = *value;
      break;
    case OptionId::kDebug:
      break;  // Ignored: pktc has no debug logging to turn on.
    // Refused above; listed so that a new row without a case here fails to compile.
    case OptionId::kPspUdpPort:
    case OptionId::kWireClient:
    case OptionId::kWireServer:
    case OptionId::kWireServerIp:
    case OptionId::kWireServerAt:
    case OptionId::kWireServerPort:
    case OptionId::kWireClientDev:
    case OptionId::kWireServerDev:
    case OptionId::kSoFilename:
    case OptionId::kSoFlags:
      break;
  }
  return true;
}

}  // namespace pktc
