// Addresses, routes and MTU of the wire devices.
#include "wire/wire_devices.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pktc::rt {

namespace {

int DeviceMtu(const std::string& name) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  int mtu = ioctl(fd, SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : 0;
  close(fd);
  return mtu;
}

std::string WithPrefix(const IpAddress& a, int len) {
  return a.ToString() + "/" + std::to_string(len);
}

}  // namespace

bool GuessClientDevice(const IpAddress& server, std::string* device, std::string* error) {
  Netlink netlink;
  Netlink::RouteInfo route;
  std::string why;
  if (!netlink.ok() || !netlink.GetRoute(server, &route, &why)) {
    *error = "no route to the wire server " + server.ToString() + " (" + why +
             "): add one, or name the device with --wire_client_dev";
    return false;
  }
  *device = DeviceName(route.ifindex);
  if (route.local || *device == "lo" || device->empty()) {
    *error = "the wire server " + server.ToString() +
             " is this machine: name the device the kernel under test should use with "
             "--wire_client_dev";
    return false;
  }
  return true;
}

bool GuessServerDevice(const IpAddress& address, std::string* device, std::string* error) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    *error = std::string("getifaddrs: ") + std::strerror(errno);
    return false;
  }
  device->clear();
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != address.family) continue;
    const void* bytes =
        address.family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr)
            : &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr;
    if (std::memcmp(bytes, address.bytes, address.size()) == 0) {
      *device = i->ifa_name;
      break;
    }
  }
  freeifaddrs(list);
  if (device->empty() || *device == "lo") {
    *error = "cannot tell which device faces the client (it connected to " + address.ToString() +
             "): name it with --wire_server_dev";
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// WireClientDevice

bool WireClientDevice::Set(const std::string& name, const FamilyConfig& config,
                           std::string* error) {
  name_ = name;
  if (!DeviceIndex(name, &ifindex_, error) || !DeviceMac(name, &mac_, error)) {
    *error += " (--wire_client_dev)";
    return false;
  }
  if (!netlink_.ok()) {
    *error = "cannot open a netlink socket";
    return false;
  }
  auto fail = [&](const std::string& what) {
    *error = name + ": " + what;
    return false;
  };
  Netlink::RouteInfo route;
  std::string why;
  if (netlink_.GetRoute(config.remote, &route, &why) && route.local) {
    return fail("remote_ip " + config.remote.ToString() +
                " is an address of this machine, whose kernel would answer the script's "
                "packets itself: give --remote_ip an address no machine has");
  }
  if (config.gateway == config.local) {
    return fail("gateway_ip " + config.gateway.ToString() +
                " is local_ip: in wire mode it is the next hop to remote_ip, which the wire "
                "server answers for; give --gateway_ip another address in local_ip's subnet");
  }
  if (!netlink_.SetLinkUp(ifindex_, error)) return fail(*error);
  long qdisc = netlink_.RootQdiscHandle(ifindex_);
  default_qdisc_ = qdisc >= 0 && (qdisc >> 16) == 0;
  int mtu = DeviceMtu(name);
  if (mtu != config.mtu) {
    if (!netlink_.SetMtu(ifindex_, config.mtu, error)) {
      return fail(*error + " (the run's MTU is " + std::to_string(config.mtu) +
                  "; choose one the device takes with --mtu)");
    }
    old_mtu_ = mtu;
  }
  local_ = config.local;
  remote_ = config.remote;
  local_prefix_len_ = config.local_prefix_len;
  remote_prefix_len_ = config.remote_prefix_len;
  if (!(netlink_.GetRoute(config.local, &route, &why) && route.local)) {
    if (!netlink_.AddAddress(ifindex_, config.local, config.local_prefix_len, error) ||
        !netlink_.WaitUntilLocal(config.local, error)) {
      return fail(*error);
    }
    added_address_ = true;
  }
  if (!netlink_.AddRouteVia(ifindex_, config.remote, config.remote_prefix_len, config.gateway,
                            error)) {
    return fail(*error + " (is gateway_ip " + config.gateway.ToString() + " in " +
                WithPrefix(config.local, config.local_prefix_len) + "?)");
  }
  added_route_ = true;
  return true;
}

void WireClientDevice::Restore() {
  std::string ignored;
  if (added_route_) netlink_.DeleteRoute(remote_, remote_prefix_len_, &ignored);
  if (added_address_) netlink_.DeleteAddress(ifindex_, local_, local_prefix_len_, &ignored);
  if (old_mtu_ > 0) netlink_.SetMtu(ifindex_, old_mtu_, &ignored);
  long qdisc = default_qdisc_ ? netlink_.RootQdiscHandle(ifindex_) : -1;
  if (qdisc > 0 && (qdisc >> 16) != 0) netlink_.DeleteRootQdisc(ifindex_, &ignored);
  added_route_ = added_address_ = default_qdisc_ = false;
  old_mtu_ = 0;
}

// ---------------------------------------------------------------------------------------------
// WireServerDevice

bool WireServerDevice::Set(const std::string& name, const FamilyConfig& config, bool add_gateway,
                           std::string* error) {
  name_ = name;
  if (!DeviceIndex(name, &ifindex_, error)) {
    *error += " (--wire_server_dev)";
    return false;
  }
  if (!netlink_.ok()) {
    *error = "cannot open a netlink socket";
    return false;
  }
  auto fail = [&](const std::string& what) {
    *error = name + ": " + what;
    return false;
  };
  Netlink::RouteInfo route;
  std::string why;
  for (const IpAddress* a : {&config.remote, &config.local}) {
    if (netlink_.GetRoute(*a, &route, &why) && route.local) {
      return fail(std::string(a == &config.remote ? "remote_ip " : "local_ip ") + a->ToString() +
                  " is an address of this machine, whose kernel would answer the script's "
                  "packets itself: use addresses no machine has (packetdrill drops them "
                  "with iptables; pktc does not)");
    }
  }
  remote_ = config.remote;
  remote_prefix_len_ = config.remote_prefix_len;
  if (!netlink_.AddBlackholeRoute(remote_, remote_prefix_len_, error)) {
    return fail(WithPrefix(remote_, remote_prefix_len_) + ": " + *error);
  }
  added_blackhole_ = true;
  if (!add_gateway) return true;
  if (netlink_.GetRoute(config.gateway, &route, &why) && route.local) return true;
  gateway_ = config.gateway;
  prefix_len_ = config.local_prefix_len;
  if (!netlink_.AddAddress(ifindex_, gateway_, prefix_len_, error) ||
      !netlink_.WaitUntilLocal(gateway_, error)) {
    return fail("gateway address " + WithPrefix(gateway_, prefix_len_) + ": " + *error);
  }
  added_gateway_ = true;
  return true;
}

MacAddress WireServerDevice::Destination(const FamilyConfig& config, const MacAddress& client_mac) {
  MacAddress mac = client_mac;
  Netlink::RouteInfo route;
  std::string why;
  if (netlink_.GetRoute(config.local, &route, &why) && route.ifindex == ifindex_ &&
      route.has_gateway) {
    // The client is behind a router: frames go to the router.
    netlink_.Neighbour(ifindex_, route.gateway, mac.bytes);
  } else if (client_mac.IsZero()) {
    netlink_.Neighbour(ifindex_, config.local, mac.bytes);
  }
  return mac;
}

void WireServerDevice::Restore() {
  std::string ignored;
  if (added_gateway_) netlink_.DeleteAddress(ifindex_, gateway_, prefix_len_, &ignored);
  if (added_blackhole_) netlink_.DeleteRoute(remote_, remote_prefix_len_, &ignored);
  added_gateway_ = added_blackhole_ = false;
}

}  // namespace pktc::rt
