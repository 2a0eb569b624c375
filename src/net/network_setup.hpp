#pragma once
// Configures the TUN device and routing in the private namespace the way packetdrill does
// before a script runs: the local address on tun0 and the remote net routed through it via the
// gateway, so the kernel's packets to the simulated peer leave through tun0.
//
// Intended order of a run:
//   enter_private_network_namespace();      // before any thread exists
//   TunDevice tun;                          // tun0, link down
//   Sniffer sniffer(tun.ifindex());         // before anything can be sent on tun0
//   Rtnetlink rtnl;
//   configure_test_network(rtnl, tun, config);
//
// Defaults (random local address, default gateway, prefix lengths) belong to the configuration
// layer; this file only applies a complete NetworkConfig.

#include <cstdint>

#include "src/net/ip_address.hpp"

namespace pktdrill::net {

class Rtnetlink;
class TunDevice;

// --ip_version
enum class IpVersion : std::uint8_t {
    ipv4,              // AF_INET sockets, IPv4 on the wire
    ipv4_mapped_ipv6,  // AF_INET6 sockets with ::ffff:a.b.c.d addresses, IPv4 on the wire
    ipv6,              // AF_INET6 sockets, IPv6 on the wire
};

// The family of the packets on tun0.
AddressFamily wire_family(IpVersion version) noexcept;

struct NetworkConfig {
    IpVersion ip_version = IpVersion::ipv4;
    // --local_ip. For ipv4-mapped-ipv6, either a.b.c.d or ::ffff:a.b.c.d.
    IpAddress local_ip;
    // --netmask_ip as a prefix length for IPv4 (see netmask_to_prefix_length); 48 for IPv6.
    int local_prefix_length = 16;
    // --remote_ip with its prefix length; the whole prefix is routed to tun0.
    IpPrefix remote;
    // --gateway_ip: the next hop of that route (unused with is_anyip).
    IpAddress gateway_ip;
    // --mtu; the device starts at 1500.
    std::uint32_t mtu = 1500;
    // --speed in Mb/s; 0 leaves the device's speed alone.
    std::uint32_t speed_mbps = 0;
    // --is_anyip: local_ip is not put on the device and the route has no gateway.
    bool is_anyip = false;
};

// Applies config to the (fresh, still down) device, through rtnetlink and the ethtool ioctl:
//   1. the remote IP must be neither a local address nor local_ip ("live_remote_ip ... is not
//      remote"), and with is_anyip local_ip must not be a local address either;
//   2. MTU if not 1500; speed if given (ethtool, autoneg off), followed by a link down/up so the
//      stack picks the new speed up;
//   3. link up;
//   4. local_ip/local_prefix_length on the device, unless is_anyip;
//   5. remote prefix → device via gateway_ip (is_anyip: directly on the device). A gateway that
//      the local prefix does not cover is declared on-link, so the route is accepted anyway.
// Addresses of the wrong family for ip_version are rejected with a clear Error.
void configure_test_network(Rtnetlink& rtnl, TunDevice const& tun, NetworkConfig const& config);

}  // namespace pktdrill::net
