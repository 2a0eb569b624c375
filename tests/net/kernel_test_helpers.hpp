#pragma once
// Helpers for the kernel tests of the network layer: a ready-made test network, hand-built TCP
// packets (the codec is a separate layer; these tests must not depend on it) and a way to ask
// `ip` for a second opinion inside the test's private namespace.

#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "src/base/unique_fd.hpp"
#include "src/net/ip_address.hpp"
#include "src/net/netns.hpp"
#include "src/net/network_setup.hpp"
#include "src/net/rtnetlink.hpp"
#include "src/net/sniffer.hpp"
#include "src/net/tun.hpp"

namespace pktdrill::net::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Generous: the kernel answers within microseconds, but a loaded CI machine must not flake.
inline constexpr auto patience = 5s;

// Runs a shell command (in this process's namespace) and returns its stdout; fails the test if
// the command fails.
inline std::string run(std::string const& command) {
    std::string output;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buffer;
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
    int const status = ::pclose(pipe);
    INFO(command << " →\n" << output);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    return output;
}

// The arguments of the kernel selftests (tools/testing/selftests/net/packetdrill/ksft_runner.sh).
inline NetworkConfig selftest_ipv4_config() {
    NetworkConfig c;
    c.ip_version = IpVersion::ipv4;
    c.local_ip = IpAddress::parse("192.168.0.1");
    c.local_prefix_length = 16;  // --netmask_ip=255.255.0.0
    c.remote = IpPrefix::parse("192.0.2.1/24");
    c.gateway_ip = IpAddress::parse("192.168.0.1");
    return c;
}

inline NetworkConfig selftest_ipv6_config() {
    NetworkConfig c;
    c.ip_version = IpVersion::ipv6;
    c.local_ip = IpAddress::parse("fd3d:0a0b:17d6::1");
    c.local_prefix_length = 48;
    c.remote = IpPrefix::parse("fd3d:fa7b:d17d::1/48");
    c.gateway_ip = IpAddress::parse("fd3d:0a0b:17d6:8888::1");
    c.mtu = 1520;
    return c;
}

// The whole environment in the intended order: namespace, device, sniffer, configuration.
struct TestNetwork {
    explicit TestNetwork(NetworkConfig const& c) : config(c) {
        enter_private_network_namespace();
        tun.emplace();
        sniffer.emplace(tun->ifindex());
        rtnl.emplace();
        configure_test_network(*rtnl, *tun, config);
    }

    NetworkConfig config;
    std::optional<TunDevice> tun;
    std::optional<Sniffer> sniffer;
    std::optional<Rtnetlink> rtnl;
};

// ---- packet bytes -------------------------------------------------------------------------

inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;

inline std::uint16_t load16(std::span<std::uint8_t const> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}
inline std::uint32_t load32(std::span<std::uint8_t const> b, std::size_t at) {
    return std::uint32_t{load16(b, at)} << 16 | load16(b, at + 2);
}
inline void store16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}
inline void store32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    store16(b, at, static_cast<std::uint16_t>(v >> 16));
    store16(b, at + 2, static_cast<std::uint16_t>(v));
}

// RFC 1071 one's-complement sum, folded, not yet inverted.
inline std::uint32_t sum16(std::span<std::uint8_t const> b, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < b.size(); i += 2) sum += load16(b, i);
    if (b.size() % 2) sum += std::uint32_t{b.back()} << 8;
    return sum;
}
inline std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

// What the tests read from a sniffed packet, by plain byte offsets.
struct TcpView {
    int ip_version = 0;
    IpAddress source, destination;
    std::uint16_t source_port = 0, destination_port = 0;
    std::uint32_t seq = 0, ack_seq = 0;
    std::uint8_t flags = 0;
    std::size_t ip_total_length = 0;  // from the IP header
    std::size_t payload_length = 0;
    std::optional<std::uint16_t> mss_option = std::nullopt;
};

// Nothing for packets that are not TCP (e.g. ICMPv6 router solicitations, MLD reports).
inline std::optional<TcpView> parse_tcp(std::span<std::uint8_t const> p) {
    if (p.empty()) return std::nullopt;
    TcpView v;
    v.ip_version = p[0] >> 4;
    std::size_t tcp = 0;
    if (v.ip_version == 4) {
        if (p.size() < 40 || p[9] != 6) return std::nullopt;
        tcp = (p[0] & 0x0fu) * 4u;
        v.ip_total_length = load16(p, 2);
        v.source = IpAddress::v4({p[12], p[13], p[14], p[15]});
        v.destination = IpAddress::v4({p[16], p[17], p[18], p[19]});
    } else if (v.ip_version == 6) {
        if (p.size() < 60 || p[6] != 6) return std::nullopt;
        tcp = 40;
        v.ip_total_length = 40u + load16(p, 4);
        std::array<std::uint8_t, 16> s, d;
        std::copy(p.begin() + 8, p.begin() + 24, s.begin());
        std::copy(p.begin() + 24, p.begin() + 40, d.begin());
        v.source = IpAddress::v6(s);
        v.destination = IpAddress::v6(d);
    } else {
        return std::nullopt;
    }
    v.source_port = load16(p, tcp);
    v.destination_port = load16(p, tcp + 2);
    v.seq = load32(p, tcp + 4);
    v.ack_seq = load32(p, tcp + 8);
    std::size_t const header = (p[tcp + 12] >> 4) * 4u;
    v.flags = p[tcp + 13];
    v.payload_length = v.ip_total_length - tcp - header;
    for (std::size_t o = tcp + 20; o < tcp + header && o < p.size();) {
        if (p[o] == 0) break;
        if (p[o] == 1) { ++o; continue; }
        if (o + 1 >= p.size() || p[o + 1] < 2) break;
        if (p[o] == 2 && p[o + 1] == 4) v.mss_option = load16(p, o + 2);
        o += p[o + 1];
    }
    return v;
}

// An IPv4 TCP segment with correct IP and TCP checksums.
struct TcpSegment {
    IpAddress source, destination;
    std::uint16_t source_port = 0, destination_port = 0;
    std::uint32_t seq = 0, ack_seq = 0;
    std::uint8_t flags = 0;
    std::uint16_t window = 65535;
    std::optional<std::uint16_t> mss_option = std::nullopt;
    std::size_t payload_length = 0;  // filled with a recognisable pattern
};

inline std::vector<std::uint8_t> build_ipv4(TcpSegment const& s) {
    std::size_t const tcp_header = s.mss_option ? 24 : 20;
    std::size_t const total = 20 + tcp_header + s.payload_length;
    std::vector<std::uint8_t> p(total);
    p[0] = 0x45;
    store16(p, 2, static_cast<std::uint16_t>(total));
    store16(p, 6, 0x4000);  // DF
    p[8] = 64;
    p[9] = 6;
    auto const src = s.source.bytes(), dst = s.destination.bytes();
    std::copy(src.begin(), src.end(), p.begin() + 12);
    std::copy(dst.begin(), dst.end(), p.begin() + 16);
    store16(p, 10, static_cast<std::uint16_t>(~fold(sum16(std::span(p).first(20)))));

    std::size_t const t = 20;
    store16(p, t, s.source_port);
    store16(p, t + 2, s.destination_port);
    store32(p, t + 4, s.seq);
    store32(p, t + 8, s.ack_seq);
    p[t + 12] = static_cast<std::uint8_t>(tcp_header / 4 << 4);
    p[t + 13] = s.flags;
    store16(p, t + 14, s.window);
    if (s.mss_option) {
        p[t + 20] = 2;
        p[t + 21] = 4;
        store16(p, t + 22, *s.mss_option);
    }
    for (std::size_t i = 0; i < s.payload_length; ++i) p[t + tcp_header + i] = static_cast<std::uint8_t>('a' + i % 26);
    std::uint32_t pseudo = sum16(src) + sum16(dst) + 6 + static_cast<std::uint32_t>(total - 20);
    store16(p, t + 16, static_cast<std::uint16_t>(~fold(sum16(std::span(p).subspan(t), pseudo))));
    return p;
}

// The next sniffed TCP packet, skipping anything else (IPv6 link-local chatter).
inline std::optional<TcpView> next_tcp(Sniffer& sniffer, Clock::duration within = patience,
                                       CapturedPacket* raw = nullptr) {
    auto const deadline = Clock::now() + within;
    while (auto packet = sniffer.receive_until(deadline)) {
        if (auto tcp = parse_tcp(packet->bytes)) {
            if (raw) *raw = std::move(*packet);
            return tcp;
        }
    }
    return std::nullopt;
}

inline bool wait_readable(int fd, Clock::duration within = patience) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(within).count())) == 1;
}

}  // namespace pktdrill::net::test
