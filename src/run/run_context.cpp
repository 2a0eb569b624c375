#include "src/run/run_context.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>
#include <random>

#include "src/net/network_setup.hpp"
#include "src/script/render.hpp"

namespace pktdrill::run {

net::IpAddress LiveAddresses::socket_local_ip() const {
    return ip_version == script::IpVersion::ipv4_mapped_ipv6 ? local_ip.v4_mapped() : local_ip;
}

net::IpAddress LiveAddresses::socket_remote_ip() const {
    return ip_version == script::IpVersion::ipv4_mapped_ipv6 ? remote_ip.v4_mapped() : remote_ip;
}

namespace {

// packetdrill picks the local IPv4 address at random in 192.168.0.0/16, avoiding .0, .1 and the
// broadcast address, so that runs sharing a namespace do not collide (ours never share one).
net::IpAddress random_local_ipv4() {
    std::random_device rd;
    std::uniform_int_distribution<int> third(0, 255), fourth(2, 254);
    return net::IpAddress::v4({192, 168, static_cast<std::uint8_t>(third(rd)), static_cast<std::uint8_t>(fourth(rd))});
}

net::IpAddress random_local_ipv6() {
    std::random_device rd;
    std::array<std::uint8_t, 16> b{0xfd, 0x3d, 0xfa, 0x7b, 0xd1, 0x7d};
    for (int i = 12; i < 16; ++i) b[i] = static_cast<std::uint8_t>(rd());
    if (b[15] == 0) b[15] = 1;
    return net::IpAddress::v6(b);
}

net::IpAddress wire_address(std::string const& text, bool wire_ipv6, char const* what) {
    auto const a = net::IpAddress::try_parse(text);
    if (!a) throw Error(std::string(what) + " '" + text + "' is not an IP address");
    net::IpAddress const w = wire_ipv6 ? *a : a->unmapped();
    if (w.is_v6() != wire_ipv6)
        throw Error(std::string(what) + " '" + text + "' is not an " + (wire_ipv6 ? "IPv6" : "IPv4") +
                    " address, as --ip_version needs");
    return w;
}

}  // namespace

LiveAddresses resolve_addresses(script::Config const& config) {
    LiveAddresses a;
    a.ip_version = config.ip_version;
    a.wire_ipv6 = config.ip_version == script::IpVersion::ipv6;
    a.socket_family = config.ip_version == script::IpVersion::ipv4 ? AF_INET : AF_INET6;
    a.bind_port = config.bind_port;
    a.connect_port = config.connect_port;

    if (a.wire_ipv6) {
        a.local_ip = config.local_ip ? wire_address(*config.local_ip, true, "local_ip") : random_local_ipv6();
        a.local_prefix_length = 48;
        std::string remote = config.remote_ip.value_or("2001:DB8::1/32");
        a.remote_prefix_length = 32;
        if (auto slash = remote.find('/'); slash != std::string::npos) {
            a.remote_prefix_length = std::stoi(remote.substr(slash + 1));
            remote = remote.substr(0, slash);
        } else if (config.remote_ip) {
            a.remote_prefix_length = 128;
        }
        a.remote_ip = wire_address(remote, true, "remote_ip");
        a.gateway_ip = wire_address(config.gateway_ip.value_or("fd3d:fa7b:d17d:8888::0"), true, "gateway_ip");
    } else {
        a.local_ip = config.local_ip ? wire_address(*config.local_ip, false, "local_ip") : random_local_ipv4();
        a.local_prefix_length = 16;
        if (config.netmask_ip) {
            in_addr m{};
            ::inet_pton(AF_INET, config.netmask_ip->c_str(), &m);
            a.local_prefix_length = __builtin_popcount(ntohl(m.s_addr));
        }
        std::string remote = config.remote_ip.value_or("192.0.2.1/24");
        // An address given without a length routes that address alone: scripts then change
        // that very route (`ip route change 192.0.2.1 ... mtu lock 640`).
        a.remote_prefix_length = 32;
        if (auto slash = remote.find('/'); slash != std::string::npos) {
            a.remote_prefix_length = std::stoi(remote.substr(slash + 1));
            remote = remote.substr(0, slash);
        }
        a.remote_ip = wire_address(remote, false, "remote_ip");
        a.gateway_ip = wire_address(config.gateway_ip.value_or("192.168.0.1"), false, "gateway_ip");
    }
    return a;
}

Micros RunContext::tolerance(Micros expected, std::optional<Micros> previous) const noexcept {
    Micros tol = config.tolerance_usecs;
    if (previous) {
        auto const dynamic = static_cast<Micros>(config.tolerance_percent / 100.0 * static_cast<double>(expected - *previous));
        if (dynamic > tol) tol = dynamic;
    }
    return tol;
}

namespace {

std::string secs(Micros us) { return script::format_seconds(us); }

std::string signed_secs(Micros us) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%+.6f", static_cast<double>(us) / 1e6);
    return buf;
}

}  // namespace

std::optional<std::string> verify_time(RunContext const& ctx, EventTiming const& timing, Micros happened,
                                       char const* description) {
    using script::TimeKind;
    if (timing.kind == TimeKind::any) return std::nullopt;
    Micros const tol = ctx.tolerance(timing.start, timing.previous);
    if (timing.kind == TimeKind::absolute_range || timing.kind == TimeKind::relative_range) {
        if (happened >= timing.start - tol && happened <= timing.end + tol) return std::nullopt;
        if (timing.kind == TimeKind::absolute_range)
            return std::string("timing error: expected ") + description + " in time range " + secs(timing.start) + "~" +
                   secs(timing.end) + " sec but happened at " + secs(happened) + " sec";
        return std::string("timing error: expected ") + description + " in relative time range +" +
               secs(timing.start - timing.offset) + "~+" + secs(timing.end - timing.offset) +
               " sec but happened at " + signed_secs(happened - timing.offset) + " sec";
    }
    if (happened >= timing.start - tol && happened <= timing.start + tol) return std::nullopt;
    return std::string("timing error: expected ") + description + " at " + secs(timing.start) +
           " sec but happened at " + secs(happened) + " sec; tolerance " + secs(tol) + " sec";
}

std::optional<std::string> verify_return_time(RunContext const& ctx, EventTiming const& timing, Micros happened) {
    EventTiming ret;
    ret.kind = script::TimeKind::absolute;
    ret.start = timing.blocking_end.value_or(timing.start);
    ret.previous = timing.start;  // the tolerance grows with the call's scripted duration
    return verify_time(ctx, ret, happened, "system call return");
}

}  // namespace pktdrill::run
