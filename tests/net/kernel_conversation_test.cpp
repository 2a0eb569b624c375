// The kernel talking through tun0: what it sends is sniffed, what we write it receives.

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "tests/net/kernel_test_helpers.hpp"

using pktdrill::UniqueFd;
using namespace pktdrill::net;
using namespace pktdrill::net::test;

namespace {

UniqueFd tcp_socket(int family) {
    UniqueFd s(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    REQUIRE(s);
    return s;
}

void start_connect(int fd, IpAddress const& to, std::uint16_t port) {
    int rc;
    if (to.is_v4()) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr = to.to_in_addr();
        rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    } else {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(port);
        a.sin6_addr = to.to_in6_addr();
        rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    REQUIRE(rc == -1);
    REQUIRE(errno == EINPROGRESS);
}

constexpr std::uint16_t server_port = 8080;
constexpr std::uint16_t peer_port = 40000;
constexpr std::uint32_t peer_isn = 1000;

// A connection accepted by the kernel from the simulated peer, handshake done by hand.
struct Accepted {
    UniqueFd listener;
    UniqueFd socket;
    std::uint32_t peer_next = 0;    // our next sequence number
    std::uint32_t kernel_next = 0;  // the kernel's next sequence number
};

Accepted accept_from_peer(TestNetwork& net) {
    Accepted c;
    c.listener = tcp_socket(AF_INET);
    int const one = 1;
    ::setsockopt(c.listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(server_port);
    a.sin_addr = net.config.local_ip.to_in_addr();
    REQUIRE(::bind(c.listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(c.listener.get(), 8) == 0);

    TcpSegment const segment{.source = net.config.remote.address(),
                             .destination = net.config.local_ip,
                             .source_port = peer_port,
                             .destination_port = server_port,
                             .seq = peer_isn,
                             .flags = syn,
                             .mss_option = 1460};
    net.tun->write_packet(build_ipv4(segment));

    auto const synack = next_tcp(*net.sniffer);
    REQUIRE(synack);
    CHECK(synack->flags == (syn | ack));
    CHECK(synack->source == net.config.local_ip);
    CHECK(synack->destination == net.config.remote.address());
    CHECK(synack->source_port == server_port);
    CHECK(synack->destination_port == peer_port);
    CHECK(synack->ack_seq == peer_isn + 1);

    c.peer_next = peer_isn + 1;
    c.kernel_next = synack->seq + 1;
    TcpSegment const final_ack{.source = net.config.remote.address(),
                               .destination = net.config.local_ip,
                               .source_port = peer_port,
                               .destination_port = server_port,
                               .seq = c.peer_next,
                               .ack_seq = c.kernel_next,
                               .flags = ack};
    net.tun->write_packet(build_ipv4(final_ack));

    REQUIRE(wait_readable(c.listener.get()));
    c.socket = UniqueFd(::accept4(c.listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    REQUIRE(c.socket);
    return c;
}

}  // namespace

TEST_CASE("a TCP connect to the remote makes the kernel send a SYN that the sniffer captures with its timestamp") {
    TestNetwork net(selftest_ipv4_config());
    auto s = tcp_socket(AF_INET);

    auto const before = Clock::now();
    start_connect(s.get(), net.config.remote.address(), 8080);
    CapturedPacket raw;
    auto const syn_packet = next_tcp(*net.sniffer, patience, &raw);
    auto const after = Clock::now();

    REQUIRE(syn_packet);
    CHECK(syn_packet->ip_version == 4);
    CHECK(syn_packet->flags == syn);
    CHECK(syn_packet->source == IpAddress::parse("192.168.0.1"));
    CHECK(syn_packet->destination == IpAddress::parse("192.0.2.1"));
    CHECK(syn_packet->destination_port == 8080);
    CHECK(syn_packet->mss_option == 1460);
    CHECK(raw.bytes.size() == syn_packet->ip_total_length);
    // Offloaded checksum: the kernel left the TCP checksum to the device.
    CHECK(raw.checksum_partial);

    // The kernel stamped the packet between connect() and our reading it, on steady_clock.
    INFO("stamp - before = " << std::chrono::duration_cast<std::chrono::microseconds>(raw.timestamp - before).count()
                             << " us, after - stamp = "
                             << std::chrono::duration_cast<std::chrono::microseconds>(after - raw.timestamp).count()
                             << " us");
    CHECK(raw.timestamp >= before - 1ms);
    CHECK(raw.timestamp <= after + 1ms);
}

TEST_CASE("over IPv6 with MTU 1520 the kernel's SYN leaves through tun0 with MSS 1460") {
    TestNetwork net(selftest_ipv6_config());
    auto s = tcp_socket(AF_INET6);
    auto const before = Clock::now();
    start_connect(s.get(), IpAddress::parse("fd3d:fa7b:d17d::1"), 8080);
    CapturedPacket raw;
    auto const syn_packet = next_tcp(*net.sniffer, patience, &raw);  // skips ICMPv6 chatter
    REQUIRE(syn_packet);
    CHECK(syn_packet->ip_version == 6);
    CHECK(syn_packet->flags == syn);
    CHECK(syn_packet->source == IpAddress::parse("fd3d:a0b:17d6::1"));
    CHECK(syn_packet->destination == IpAddress::parse("fd3d:fa7b:d17d::1"));
    CHECK(syn_packet->mss_option == 1460);  // 1520 - 40 - 20
    CHECK(raw.timestamp >= before - 1ms);
    CHECK(raw.timestamp <= Clock::now());
}

TEST_CASE("a SYN written to tun0 reaches a listening socket and its SYN-ACK is sniffed, the SYN is not") {
    TestNetwork net(selftest_ipv4_config());
    auto const connection = accept_from_peer(net);  // checks the SYN-ACK

    // accept() worked, so the final ACK arrived too. The sniffer saw only outgoing packets:
    // our SYN and ACK were not captured, and nothing else TCP is pending.
    auto const statistics = net.sniffer->statistics();
    CHECK(statistics.drops == 0);
    CHECK_FALSE(next_tcp(*net.sniffer, 50ms));
    CHECK(connection.socket);
}

TEST_CASE("a segment written with gso_size reaches the socket whole, as a GRO aggregate of gso_size segments") {
    for (std::uint16_t const gso_size : {std::uint16_t{0}, std::uint16_t{1000}}) {
        DYNAMIC_SECTION("gso_size " << gso_size) {
            TestNetwork net(selftest_ipv4_config());
            auto const c = accept_from_peer(net);

            constexpr std::size_t payload = 3000;
            TcpSegment const data{.source = net.config.remote.address(),
                                  .destination = net.config.local_ip,
                                  .source_port = peer_port,
                                  .destination_port = server_port,
                                  .seq = c.peer_next,
                                  .ack_seq = c.kernel_next,
                                  .flags = static_cast<std::uint8_t>(ack | psh),
                                  .payload_length = payload};
            net.tun->write_packet(build_ipv4(data), gso_size);

            std::string received;
            while (received.size() < payload) {
                REQUIRE(wait_readable(c.socket.get()));
                char buffer[4096];
                auto const n = ::recv(c.socket.get(), buffer, sizeof buffer, 0);
                REQUIRE(n > 0);
                received.append(buffer, static_cast<std::size_t>(n));
            }
            CHECK(received.size() == payload);
            CHECK(received.substr(0, 4) == "abcd");

            // The kernel estimates the peer's MSS from gso_size when there is one, otherwise
            // from the segment length (capped at its own advertised MSS).
            tcp_info info{};
            socklen_t size = sizeof info;
            REQUIRE(::getsockopt(c.socket.get(), IPPROTO_TCP, TCP_INFO, &info, &size) == 0);
            CHECK(info.tcpi_rcv_mss == (gso_size != 0 ? gso_size : 1460u));
        }
    }
}

TEST_CASE("the sniffer captures the kernel's TSO super-segments whole") {
    TestNetwork net(selftest_ipv4_config());
    auto const c = accept_from_peer(net);

    std::string const data(20000, 'x');
    REQUIRE(::send(c.socket.get(), data.data(), data.size(), 0) > 0);

    std::size_t largest = 0, total = 0;
    auto const deadline = Clock::now() + patience;
    // Initial congestion window: ten 1460-byte segments, which TSO sends in one or a few packets.
    while (total < 10 * 1460 && Clock::now() < deadline) {
        CapturedPacket raw;
        auto const segment = next_tcp(*net.sniffer, deadline - Clock::now(), &raw);
        if (!segment) break;
        CHECK(raw.bytes.size() == segment->ip_total_length);
        largest = std::max(largest, raw.bytes.size());
        total += segment->payload_length;
        net.tun->drain();
    }
    CHECK(total >= 10 * 1460);
    CHECK(largest > 1500);  // bigger than the MTU: a super-segment, not cut
}
