#include "src/net/network_setup.hpp"

#include <linux/rtnetlink.h>

#include <chrono>
#include <thread>

#include <net/if.h>

#include <algorithm>

#include "src/base/error.hpp"
#include "src/net/ethtool.hpp"
#include "src/net/rtnetlink.hpp"
#include "src/net/tun.hpp"

namespace pktdrill::net {

namespace {

constexpr std::uint32_t tun_default_mtu = 1500;

char const* version_name(IpVersion version) {
    switch (version) {
    case IpVersion::ipv4: return "ipv4";
    case IpVersion::ipv4_mapped_ipv6: return "ipv4-mapped-ipv6";
    case IpVersion::ipv6: return "ipv6";
    }
    return "?";
}

// The address as it appears on the wire: mapped IPv4 addresses lose their ::ffff: prefix.
IpAddress on_wire(IpAddress const& address, IpVersion version, char const* flag) {
    auto const wire = version == IpVersion::ipv6 ? address : address.unmapped();
    if (wire.family() != wire_family(version))
        throw Error(std::string("--") + flag + "=" + address.to_string() + " does not fit --ip_version=" +
                    version_name(version));
    return wire;
}

IpPrefix remote_on_wire(IpPrefix const& remote, IpVersion version) {
    auto const address = on_wire(remote.address(), version, "remote_ip");
    if (!remote.address().is_v4_mapped() || version == IpVersion::ipv6) return IpPrefix(address, remote.length());
    // The length of a mapped prefix counts the 96 bits of ::ffff: as well.
    if (remote.length() < 96)
        throw Error("--remote_ip=" + remote.to_string() + ": a prefix of a mapped address must be at least /96");
    return IpPrefix(address, remote.length() - 96);
}

bool is_local(std::vector<AddressInfo> const& addresses, IpAddress const& address) {
    return std::any_of(addresses.begin(), addresses.end(),
                       [&](AddressInfo const& a) { return a.prefix.address() == address; });
}

}  // namespace

AddressFamily wire_family(IpVersion version) noexcept {
    return version == IpVersion::ipv6 ? AddressFamily::ipv6 : AddressFamily::ipv4;
}

namespace {

// The kernel installs the local route of a new IPv6 address (the one that delivers packets to it)
// from its address-configuration work queue, a moment after the address was added, even without
// duplicate address detection. A packet injected in that moment is dropped without a trace; about
// one run in forty saw its first SYN vanish. So setup waits for the route.
void wait_for_local_route(Rtnetlink& rtnl, IpAddress const& local) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (;;) {
        for (auto const& r : rtnl.routes(AddressFamily::ipv6))
            if (r.type == RTN_LOCAL && r.destination.length() == 128 && r.destination.address() == local) return;
        if (std::chrono::steady_clock::now() >= deadline)
            throw Error("the kernel did not install the local route of " + local.to_string() + " within 2 s");
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
}

}  // namespace

void configure_test_network(Rtnetlink& rtnl, TunDevice const& tun, NetworkConfig const& config) {
    auto const local = on_wire(config.local_ip, config.ip_version, "local_ip");
    auto const remote = remote_on_wire(config.remote, config.ip_version);
    auto const local_prefix = IpPrefix(local, config.local_prefix_length);

    // A remote address that is also local would be delivered locally, never reaching tun0.
    auto const existing = rtnl.addresses();
    if (is_local(existing, remote.address()) || remote.address() == local)
        throw Error("live_remote_ip " + remote.address().to_string() + " is not remote");
    if (config.is_anyip && is_local(existing, local))
        throw Error("live_local_ip " + local.to_string() + " is not remote for anyip");

    int const ifindex = tun.ifindex();
    if (config.mtu != tun_default_mtu) rtnl.set_mtu(ifindex, config.mtu);
    if (config.speed_mbps != 0) {
        set_link_speed(tun.name(), config.speed_mbps);
        // The stack copies the speed into its own state when the link comes up.
        if (rtnl.link(ifindex).flags & IFF_UP) rtnl.set_link_down(ifindex);
    }
    rtnl.set_link_up(ifindex);

    if (!config.is_anyip) {
        rtnl.add_address(ifindex, local_prefix);
        if (local.is_v6()) wait_for_local_route(rtnl, local);
    }

    Route route;
    route.destination = remote;
    route.ifindex = ifindex;
    if (!config.is_anyip) {
        auto const gateway = on_wire(config.gateway_ip, config.ip_version, "gateway_ip");
        route.gateway = gateway;
        // Without a connected route to it the kernel refuses the gateway ("Nexthop has invalid
        // gateway"); packetdrill's defaults never need this, explicit flags may.
        route.onlink = !local_prefix.contains(gateway);
    }
    rtnl.add_route(route);
}

}  // namespace pktdrill::net
