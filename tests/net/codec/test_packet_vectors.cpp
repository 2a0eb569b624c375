// Packets built from typed fields must encode to bytes produced and checked outside this codec
// (vectors.hpp), and those bytes must decode back to the same fields.

#include <catch2/catch.hpp>

#include "src/net/codec/packet.hpp"
#include "tests/net/codec/hex.hpp"
#include "tests/net/codec/vectors.hpp"

using namespace pktdrill::net;
using pktdrill::net::test::from_hex;
using pktdrill::net::test::to_hex;
namespace vectors = pktdrill::net::test::vectors;

namespace {

Ipv4Address v4(char const* text) { return *Ipv4Address::parse(text); }
Ipv6Address v6(char const* text) { return *Ipv6Address::parse(text); }

Ipv4Header ipv4(char const* src, char const* dst) {
    Ipv4Header h;
    h.src = v4(src);
    h.dst = v4(dst);
    return h;
}

Ipv6Header ipv6(char const* src, char const* dst) {
    Ipv6Header h;
    h.src = v6(src);
    h.dst = v6(dst);
    return h;
}

std::string encoded(Packet const& p) {
    auto wire = encode(p);
    if (!wire) FAIL(wire.error().describe());
    return to_hex(*wire);
}

Packet decoded(std::string_view hex, DecodeOptions options = {}) {
    auto p = decode(from_hex(hex), options);
    if (!p) FAIL(p.error().describe());
    return std::move(p).value();
}

// Decoding the vector and encoding the result gives the vector back, and every checksum in it
// verifies.
void check_decode_is_exact(std::string_view hex) {
    Packet const p = decoded(hex);
    CHECK(encoded(p) == to_hex(from_hex(hex)));
    auto checks = verify_checksums(p);
    REQUIRE(checks);
    for (auto const& c : *checks) {
        INFO("layer " << c.layer << " on wire " << c.on_wire << " computed " << c.computed);
        CHECK(c.ok);
    }
    CHECK(checksums_ok(p));
}

Packet syn4_packet() {
    auto ip = ipv4("192.168.0.1", "192.0.2.1");
    ip.id = 0x1234;
    ip.set_dont_fragment(true);
    TcpHeader tcp{.src_port = 40000, .dst_port = 8080, .seq = 0, .ack = 0};
    tcp.set(tcp_flag::syn);
    tcp.window = 65535;
    tcp.options = {TcpOption::mss(1460), TcpOption::sack_permitted(), TcpOption::timestamp(1, 0), TcpOption::nop(),
                   TcpOption::window_scale(7)};
    return Packet{{ip, tcp}, {}, {}};
}

}  // namespace

TEST_CASE("IPv4 SYN with mss, sackOK, TS, nop, wscale encodes to the reference bytes",
          "[codec][packet][vectors]") {
    CHECK(encoded(syn4_packet()) == vectors::syn4);
    check_decode_is_exact(vectors::syn4);
}

TEST_CASE("IPv4 SYN reference bytes decode to the expected fields", "[codec][packet][vectors]") {
    Packet const p = decoded(vectors::syn4);
    REQUIRE(p.layers.size() == 2);
    auto const& ip = std::get<Ipv4Header>(p.layers[0]);
    CHECK(ip.version == 4);
    CHECK(ip.ihl == 5);
    CHECK(ip.total_length == 60);
    CHECK(ip.id == 0x1234);
    CHECK(ip.dont_fragment());
    CHECK(ip.ttl == 64);
    CHECK(ip.protocol == ip_protocol::tcp);
    CHECK(ip.checksum == 0xA5DD);
    CHECK(ip.src.to_string() == "192.168.0.1");
    CHECK(ip.dst.to_string() == "192.0.2.1");
    CHECK(ip.ecn() == Ecn::not_ect);
    auto const& tcp = std::get<TcpHeader>(p.layers[1]);
    CHECK(tcp.src_port == 40000);
    CHECK(tcp.dst_port == 8080);
    CHECK(tcp.flags == tcp_flag::syn);
    CHECK(tcp.data_offset == 10);
    CHECK(tcp.window == 65535);
    CHECK(tcp.checksum == 0x0984);
    CHECK(tcp.options == syn4_packet().find_first<TcpHeader>()->options);
    CHECK(p.payload.empty());
    CHECK(p.trailer.empty());
    CHECK(p.find_first<TcpHeader>() == &tcp);
    CHECK(p.find_first<UdpHeader>() == nullptr);

    auto const lay = layout(p);
    REQUIRE(lay.layers.size() == 2);
    CHECK(lay.layers[1] == LayerExtent{20, 40});
    CHECK(lay.layers[1].offset + TcpHeader::options_offset == 40);
    CHECK(lay.payload_offset == 60);
    CHECK(lay.size == 60);
}

TEST_CASE("IPv6 SYN-ACK with ECT0, flow label and data encodes to the reference bytes",
          "[codec][packet][vectors]") {
    auto ip = ipv6("fd3d:fa7b:d17d::1", "fd3d:fa7b:d17d:8d64:a::1");
    ip.set_ecn(Ecn::ect0);
    ip.flow_label = 0x12345;
    TcpHeader tcp{.src_port = 8080, .dst_port = 40000, .seq = 0x11223344, .ack = 1};
    tcp.flags = tcp_flag::syn | tcp_flag::ack;
    tcp.window = 28560;
    tcp.options = {TcpOption::mss(1440), TcpOption::sack_permitted(), TcpOption::timestamp(43981, 1),
                   TcpOption::nop(), TcpOption::window_scale(8)};
    Packet const p{{ip, tcp}, Bytes{'h', 'e', 'l', 'l', 'o'}, {}};
    CHECK(encoded(p) == vectors::synack6);
    check_decode_is_exact(vectors::synack6);

    Packet const d = decoded(vectors::synack6);
    auto const& dip = std::get<Ipv6Header>(d.layers[0]);
    CHECK(dip.payload_length == 45);
    CHECK(dip.next_header == ip_protocol::tcp);
    CHECK(dip.ecn() == Ecn::ect0);
    CHECK(dip.flow_label == 0x12345);
    CHECK(std::get<TcpHeader>(d.layers[1]).checksum == 0xC8B5);
    CHECK(d.payload == Bytes{'h', 'e', 'l', 'l', 'o'});
}

TEST_CASE("IPv4 UDP encodes to the reference bytes", "[codec][packet][vectors]") {
    auto ip = ipv4("192.168.0.1", "192.0.2.1");
    ip.tos = 0x10;
    Packet const p{{ip, UdpHeader{.src_port = 1234, .dst_port = 53}}, Bytes(10, 0), {}};
    CHECK(encoded(p) == vectors::udp4);
    check_decode_is_exact(vectors::udp4);
    CHECK(std::get<UdpHeader>(decoded(vectors::udp4).layers[1]).length == 18);
}

TEST_CASE("ICMPv4 frag-needed with an echoed IPv4 + TCP header encodes to the reference bytes",
          "[codec][packet][vectors]") {
    // The echoed datagram is built with the same codec: its IP header claims the full 1500-byte
    // segment, of which only the headers are echoed.
    TcpHeader echoed_tcp{.src_port = 8080, .dst_port = 40000, .seq = 1, .ack = 1};
    echoed_tcp.flags = tcp_flag::psh | tcp_flag::ack;
    echoed_tcp.window = 257;
    auto echoed_ip = ipv4("192.0.2.1", "192.168.0.1");
    echoed_ip.total_length = 1500;
    auto echoed = encode(Packet{{echoed_ip, echoed_tcp}, {}, {}});
    REQUIRE(echoed);

    Icmpv4Header icmp{.type = icmpv4_type::dest_unreachable, .code = icmpv4_unreachable::frag_needed};
    icmp.set_next_hop_mtu(1200);
    Packet const p{{ipv4("192.168.0.1", "192.0.2.1"), icmp}, *echoed, {}};
    CHECK(encoded(p) == vectors::icmp4_frag);
    check_decode_is_exact(vectors::icmp4_frag);

    Packet const d = decoded(vectors::icmp4_frag);
    auto const& dicmp = std::get<Icmpv4Header>(d.layers[1]);
    CHECK(dicmp.next_hop_mtu() == 1200);
    CHECK(dicmp.checksum == 0x7B11);
    // The echoed datagram is cut short, so it decodes only when truncation is allowed.
    CHECK_FALSE(decode(d.payload));
    auto inner = decode(d.payload, {.allow_truncated = true});
    REQUIRE(inner);
    REQUIRE(inner->layers.size() == 2);
    CHECK(std::get<Ipv4Header>(inner->layers[0]).total_length == 1500);
    CHECK(std::get<TcpHeader>(inner->layers[1]).seq == 1);
    CHECK(inner->payload.empty());
}

TEST_CASE("ICMPv6 packet-too-big with an echoed IPv6 + TCP header encodes to the reference bytes",
          "[codec][packet][vectors]") {
    auto echoed_ip = ipv6("fd3d:fa7b:d17d:8d64:a::1", "fd3d:fa7b:d17d::1");
    echoed_ip.payload_length = 1460;
    TcpHeader echoed_tcp{.src_port = 40000, .dst_port = 8080, .seq = 5, .ack = 6};
    echoed_tcp.set(tcp_flag::ack);
    echoed_tcp.window = 100;
    auto echoed = encode(Packet{{echoed_ip, echoed_tcp}, {}, {}});
    REQUIRE(echoed);

    Icmpv6Header icmp{.type = icmpv6_type::packet_too_big};
    icmp.set_mtu(1280);
    Packet const p{{ipv6("fd3d:fa7b:d17d::1", "fd3d:fa7b:d17d:8d64:a::1"), icmp}, *echoed, {}};
    CHECK(encoded(p) == vectors::icmp6_ptb);
    check_decode_is_exact(vectors::icmp6_ptb);

    Packet const d = decoded(vectors::icmp6_ptb);
    CHECK(std::get<Icmpv6Header>(d.layers[1]).mtu() == 1280);
    auto inner = decode(d.payload, {.allow_truncated = true});
    REQUIRE(inner);
    CHECK(std::get<TcpHeader>(inner->layers.at(1)).ack == 6);
}

TEST_CASE("IPv4 GRE with checksum, key and sequence around IPv4 TCP encodes to the reference bytes",
          "[codec][packet][vectors]") {
    GreHeader gre;
    gre.checksum_present = gre.key_present = gre.sequence_present = true;
    gre.key = 0x01020304;
    gre.sequence = 7;
    TcpHeader tcp{.src_port = 40000, .dst_port = 8080, .seq = 100, .ack = 200};
    tcp.flags = tcp_flag::psh | tcp_flag::ack;
    tcp.window = 1000;
    Packet const p{{ipv4("10.0.0.1", "10.0.0.2"), gre, ipv4("192.168.0.1", "192.0.2.1"), tcp},
                   Bytes{'a', 'b', 'c'},
                   {}};
    CHECK(encoded(p) == vectors::gre4);
    check_decode_is_exact(vectors::gre4);

    Packet const d = decoded(vectors::gre4);
    REQUIRE(d.layers.size() == 4);
    auto const& dgre = std::get<GreHeader>(d.layers[1]);
    CHECK(dgre.checksum == 0xC6BA);
    CHECK(dgre.protocol == ethertype::ipv4);
    CHECK(dgre.key == 0x01020304);
    CHECK(dgre.sequence == 7);
    CHECK(d.find_first<Ipv4Header>()->dst.to_string() == "10.0.0.2");
    CHECK(d.find_last<Ipv4Header>()->dst.to_string() == "192.0.2.1");
    auto const lay = layout(d);
    CHECK(lay.layers[2].offset == 36);
    CHECK(lay.layers[3].offset == 56);
    CHECK(lay.payload_offset == 76);
}

TEST_CASE("IPv6 GRE around IPv6 UDP encodes to the reference bytes", "[codec][packet][vectors]") {
    Packet const p{{ipv6("2001:db8::1", "2001:db8::2"), GreHeader{},
                    ipv6("fd3d:fa7b:d17d:8d64:a::1", "fd3d:fa7b:d17d::1"),
                    UdpHeader{.src_port = 5000, .dst_port = 6000}},
                   Bytes{'x', 'y', 'z'},
                   {}};
    CHECK(encoded(p) == vectors::gre6);
    check_decode_is_exact(vectors::gre6);
    auto const d = decoded(vectors::gre6);
    CHECK(std::get<GreHeader>(d.layers[1]).protocol == ethertype::ipv6);
    CHECK(std::get<UdpHeader>(d.layers[3]).checksum == 0xC286);
}

TEST_CASE("MPLS-in-IPv4 label stack around IPv4 UDP encodes to the reference bytes", "[codec][packet][vectors]") {
    MplsStack mpls{{{.label = 1000, .traffic_class = 5, .bottom_of_stack = false, .ttl = 64},
                    {.label = 2000, .traffic_class = 0, .bottom_of_stack = true, .ttl = 63}}};
    Packet const p{{ipv4("10.0.0.1", "10.0.0.2"), mpls, ipv4("192.168.0.1", "192.0.2.1"),
                    UdpHeader{.src_port = 1, .dst_port = 2}},
                   {},
                   {}};
    CHECK(encoded(p) == vectors::mpls4);
    check_decode_is_exact(vectors::mpls4);
    auto const d = decoded(vectors::mpls4);
    REQUIRE(d.layers.size() == 4);
    CHECK(std::get<MplsStack>(d.layers[1]) == mpls);
    CHECK(std::get<Ipv4Header>(d.layers[0]).protocol == ip_protocol::mpls_in_ip);
}
