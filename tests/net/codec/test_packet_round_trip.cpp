// encode → decode → encode for every layer type and the derived-field rules around it.

#include <catch2/catch.hpp>

#include "src/net/codec/checksum.hpp"
#include "src/net/codec/packet.hpp"
#include "tests/net/codec/hex.hpp"

using namespace pktdrill::net;
using pktdrill::net::test::from_hex;
using pktdrill::net::test::to_hex;

namespace {

Ipv4Header ipv4(char const* src = "192.168.0.1", char const* dst = "192.0.2.1") {
    Ipv4Header h;
    h.src = *Ipv4Address::parse(src);
    h.dst = *Ipv4Address::parse(dst);
    return h;
}

Ipv6Header ipv6(char const* src = "fd3d:fa7b:d17d:8d64:a::1", char const* dst = "fd3d:fa7b:d17d::1") {
    Ipv6Header h;
    h.src = *Ipv6Address::parse(src);
    h.dst = *Ipv6Address::parse(dst);
    return h;
}

TcpHeader tcp_with_every_option() {
    TcpHeader t{.src_port = 1, .dst_port = 2, .seq = 0xFFFFFFFF, .ack = 0x80000000};
    t.flags = tcp_flag::all & ~tcp_flag::reserved_mask;
    t.window = 7;
    t.urgent_pointer = 9;
    t.options = {TcpOption::md5(from_hex("000102030405060708090a0b0c0d0e0f")),  // 18
                 TcpOption::accecn(tcp_option_kind::accecn1, {.e0b = 1, .ceb = 2, .e1b = 3}),  // 11
                 TcpOption::raw(99, from_hex("aabbcc")),  // 5
                 TcpOption::fast_open_exp({}),  // 4
                 TcpOption::eol(1)};  // 2
    return t;
}

// Encodes `p` (derived fields unset), decodes the bytes, checks that the decoded packet is `p`
// once its derived fields are unset again, and that it re-encodes to the same bytes with
// correct checksums.
Bytes round_trip(Packet const& p) {
    auto wire = encode(p);
    if (!wire) FAIL(wire.error().describe());
    auto back = decode(*wire);
    if (!back) FAIL(back.error().describe() << " in " << to_hex(*wire));
    auto again = encode(*back);
    REQUIRE(again);
    CHECK(to_hex(*again) == to_hex(*wire));
    CHECK(checksums_ok(*back));
    Packet normalised = *back;
    reset_derived_fields(normalised);
    CHECK(normalised == p);
    return *wire;
}

}  // namespace

TEST_CASE("TCP over IPv4 and IPv6 round-trips with every option kind", "[codec][packet][round-trip]") {
    CHECK(tcp_options_length(tcp_with_every_option().options) == 40);
    round_trip(Packet{{ipv4(), tcp_with_every_option()}, Bytes(100, 0x5A), {}});
    round_trip(Packet{{ipv6(), tcp_with_every_option()}, Bytes(3, 0), {}});
    TcpHeader plain{.src_port = 80, .dst_port = 8080};
    plain.options = {TcpOption::nop(), TcpOption::nop(), TcpOption::sack({{1, 2}, {3, 4}, {5, 6}, {7, 8}})};
    round_trip(Packet{{ipv4(), plain}, {}, {}});
    plain.options = {TcpOption::fast_open(from_hex("0011223344556677")), TcpOption::nop(), TcpOption::nop()};
    round_trip(Packet{{ipv6(), plain}, {}, {}});
}

TEST_CASE("UDP and ICMP over both IP versions round-trip", "[codec][packet][round-trip]") {
    round_trip(Packet{{ipv4(), UdpHeader{.src_port = 53, .dst_port = 1053}}, Bytes(512, 1), {}});
    round_trip(Packet{{ipv6(), UdpHeader{.src_port = 53, .dst_port = 1053}}, {}, {}});
    Icmpv4Header echo{.type = icmpv4_type::echo_request};
    echo.set_echo(77, 3);
    round_trip(Packet{{ipv4(), echo}, Bytes(56, 0xEE), {}});
    Icmpv6Header echo6{.type = icmpv6_type::echo_request};
    echo6.set_echo(77, 3);
    round_trip(Packet{{ipv6(), echo6}, Bytes(57, 0xEE), {}});
}

TEST_CASE("ICMP errors carrying an echoed TCP header round-trip, and the echo decodes", "[codec][packet][round-trip]") {
    TcpHeader echoed_tcp{.src_port = 8080, .dst_port = 40000, .seq = 12345, .ack = 1};
    echoed_tcp.flags = tcp_flag::ack;
    auto echoed_ip = ipv4("192.0.2.1", "192.168.0.1");
    echoed_ip.total_length = 1500;
    auto echoed = encode(Packet{{echoed_ip, echoed_tcp}, {}, {}});
    REQUIRE(echoed);
    // Only 8 bytes of the TCP header echoed (RFC 792's minimum).
    Bytes const body(echoed->begin(), echoed->begin() + 28);
    Icmpv4Header unreachable{.type = icmpv4_type::dest_unreachable, .code = icmpv4_unreachable::port};
    round_trip(Packet{{ipv4(), unreachable}, body, {}});

    auto inner = decode(body, {.allow_truncated = true});
    REQUIRE(inner);
    REQUIRE(inner->layers.size() == 1);  // a TCP header cut at 8 bytes ends the stack
    CHECK(to_hex(inner->payload) == to_hex(ByteView(*echoed).subspan(20, 8)));
    CHECK(load_be32(inner->payload, 4) == 12345);
    CHECK(to_hex(*encode(*inner)) == to_hex(body));
}

TEST_CASE("IP-in-IP in both directions round-trips", "[codec][packet][round-trip]") {
    round_trip(Packet{{ipv6("2001:db8::1", "2001:db8::2"), ipv4(), UdpHeader{.src_port = 1, .dst_port = 2}}, {}, {}});
    auto wire = round_trip(Packet{{ipv4("10.0.0.1", "10.0.0.2"), ipv6(), TcpHeader{}}, Bytes(9, 9), {}});
    CHECK(wire[9] == ip_protocol::ipv6);
}

TEST_CASE("GRE round-trips with every combination of optional fields", "[codec][packet][round-trip]") {
    for (int bits = 0; bits < 8; ++bits) {
        GreHeader gre;
        gre.checksum_present = bits & 1;
        gre.key_present = bits & 2;
        gre.sequence_present = bits & 4;
        if (gre.key_present) gre.key = 42;
        if (gre.sequence_present) gre.sequence = 43;
        gre.reserved1 = bits & 1 ? 0x1234 : 0;
        TcpHeader tcp{.src_port = 5, .dst_port = 6};
        tcp.options = {TcpOption::mss(1400)};
        round_trip(Packet{{ipv4("10.0.0.1", "10.0.0.2"), gre, ipv4(), tcp}, Bytes(10, 1), {}});
        round_trip(Packet{{ipv6("2001:db8::1", "2001:db8::2"), gre, ipv6(), tcp}, Bytes(11, 1), {}});
    }
}

TEST_CASE("MPLS stacks round-trip over GRE and in IP, into either IP version", "[codec][packet][round-trip]") {
    MplsStack one{{{.label = 17, .traffic_class = 1, .bottom_of_stack = true, .ttl = 5}}};
    MplsStack three{{{.label = 1, .ttl = 1}, {.label = 2, .ttl = 2}, {.label = 3, .bottom_of_stack = true, .ttl = 3}}};
    auto wire = round_trip(Packet{{ipv4("10.0.0.1", "10.0.0.2"), GreHeader{}, three, ipv6(), TcpHeader{}}, {}, {}});
    CHECK(load_be16(wire, 22) == ethertype::mpls_unicast);
    round_trip(Packet{{ipv6("2001:db8::1", "2001:db8::2"), one, ipv4(), UdpHeader{}}, Bytes(4, 4), {}});
}

TEST_CASE("MPLS stack followed by something that is not IP leaves it as payload", "[codec][packet][round-trip]") {
    MplsStack one{{{.label = 17, .bottom_of_stack = true, .ttl = 5}}};
    // Nothing after the stack names the inner protocol: a first nibble other than 4 or 6 is data.
    Packet const p{{ipv4(), one}, from_hex("0011223344"), {}};
    round_trip(p);
    Packet const empty{{ipv4(), one}, {}, {}};
    round_trip(empty);
}

TEST_CASE("IPv4 options and IPv6 extension headers round-trip", "[codec][packet][round-trip]") {
    auto ip = ipv4();
    ip.options = from_hex("94040000 01010100");
    round_trip(Packet{{ip, TcpHeader{}}, {}, {}});

    auto ip6 = ipv6();
    ip6.next_header = ip_protocol::hop_by_hop;
    ip6.extension_headers = from_hex("3c00 0104 00000000"  // hop-by-hop → destination options
                                     "1100 0104 00000000");  // destination options → UDP
    auto wire = round_trip(Packet{{ip6, UdpHeader{.src_port = 7, .dst_port = 7}}, Bytes(2, 2), {}});
    CHECK(load_be16(wire, 4) == 16 + 8 + 2);
    // UDP's checksum covers the pseudo header of the IPv6 header and the UDP datagram only.
    auto acc = ipv6_pseudo_header(ip6.src, ip6.dst, ip_protocol::udp, 10);
    acc.add(ByteView(wire).subspan(56));
    CHECK(acc.folded_sum() == 0xFFFF);
}

TEST_CASE("IPv6 fragments and IPv4 non-first fragments keep what follows raw", "[codec][packet][round-trip]") {
    auto ip = ipv4();
    ip.protocol = ip_protocol::tcp;
    ip.set_fragment_offset(185);
    round_trip(Packet{{ip}, Bytes(100, 7), {}});

    auto ip6 = ipv6();
    ip6.next_header = ip_protocol::ipv6_fragment;
    ip6.extension_headers = from_hex("0600 05c9 00000001");  // offset 185, more fragments
    round_trip(Packet{{ip6}, Bytes(100, 7), {}});
    ip6.extension_headers = from_hex("0600 0001 00000001");  // first fragment: TCP follows
    round_trip(Packet{{ip6, TcpHeader{}}, Bytes(100, 7), {}});
}

TEST_CASE("unknown IP protocols leave the rest as payload", "[codec][packet][round-trip]") {
    auto ip = ipv4();
    ip.protocol = 132;  // SCTP
    round_trip(Packet{{ip}, Bytes(30, 3), {}});
    auto ip6 = ipv6();
    ip6.next_header = ip_protocol::ipv6_no_next;
    round_trip(Packet{{ip6}, {}, {}});
    GreHeader gre;
    gre.protocol = 0x6558;  // transparent Ethernet bridging
    round_trip(Packet{{ipv4(), gre}, Bytes(14, 0xFF), {}});
}

TEST_CASE("caller-given lengths, offsets and checksums are written as given", "[codec][packet]") {
    auto ip = ipv4();
    ip.checksum = 0xBEEF;
    ip.ttl = 1;
    TcpHeader tcp{.src_port = 1, .dst_port = 2};
    tcp.checksum = 0x1234;
    tcp.data_offset = 6;  // disagrees with the (absent) options
    auto wire = encode(Packet{{ip, tcp}, {}, {}});
    REQUIRE(wire);
    CHECK(load_be16(*wire, 10) == 0xBEEF);
    CHECK(load_be16(*wire, 36) == 0x1234);
    CHECK((*wire)[32] == 0x60);

    UdpHeader udp{.src_port = 1, .dst_port = 2, .length = 100};
    auto ip2 = ipv4();
    ip2.total_length = 1000;
    ip2.protocol = 200;
    wire = encode(Packet{{ip2, udp}, Bytes(4, 0), {}});
    REQUIRE(wire);
    CHECK(load_be16(*wire, 2) == 1000);
    CHECK((*wire)[9] == 200);
    CHECK(load_be16(*wire, 24) == 100);
    CHECK(wire->size() == 32);
}

TEST_CASE("verify_checksums reports each wrong checksum by layer and kind", "[codec][packet][checksum]") {
    GreHeader gre;
    gre.checksum_present = true;
    Packet p{{ipv4("10.0.0.1", "10.0.0.2"), gre, ipv4(), TcpHeader{.src_port = 1}}, Bytes(5, 5), {}};
    auto wire = encode(p);
    REQUIRE(wire);
    auto good = decode(*wire);
    REQUIRE(good);
    auto checks = verify_checksums(*good);
    REQUIRE(checks);
    REQUIRE(checks->size() == 4);
    CHECK((*checks)[0].kind == ChecksumKind::ipv4_header);
    CHECK((*checks)[1].kind == ChecksumKind::gre);
    CHECK((*checks)[2].kind == ChecksumKind::ipv4_header);
    CHECK((*checks)[3].kind == ChecksumKind::tcp);
    for (auto const& c : *checks) CHECK(c.ok);

    SECTION("a damaged payload byte breaks TCP's and GRE's checksums only") {
        Bytes bad = *wire;
        bad.back() ^= 0x40;
        auto d = decode(bad);
        REQUIRE(d);
        auto c = verify_checksums(*d);
        REQUIRE(c);
        CHECK((*c)[0].ok);
        CHECK_FALSE((*c)[1].ok);
        CHECK((*c)[2].ok);
        CHECK_FALSE((*c)[3].ok);
        CHECK((*c)[3].layer == 3);
        CHECK((*c)[3].on_wire == (*checks)[3].on_wire);
        CHECK((*c)[3].computed != (*checks)[3].computed);
        CHECK_FALSE(checksums_ok(*d));
    }
    SECTION("a damaged inner IPv4 header breaks the inner header checksum and GRE's") {
        Bytes bad = *wire;
        bad[28 + 8] ^= 1;  // inner ttl
        auto d = decode(bad);
        REQUIRE(d);
        auto c = verify_checksums(*d);
        REQUIRE(c);
        CHECK((*c)[0].ok);
        CHECK_FALSE((*c)[1].ok);
        CHECK_FALSE((*c)[2].ok);
        CHECK((*c)[3].ok);  // TCP's pseudo header has no TTL
        CHECK_FALSE(ipv4_header_checksum_ok(std::get<Ipv4Header>(d->layers[2])));
        CHECK(ipv4_header_checksum_ok(std::get<Ipv4Header>(d->layers[0])));
    }
}

TEST_CASE("a UDP checksum that sums to 0 is sent as 0xFFFF; 0 means none over IPv4 only",
          "[codec][packet][checksum]") {
    Packet p{{ipv4(), UdpHeader{.src_port = 1, .dst_port = 2}}, Bytes(2, 0), {}};
    auto first = encode(p);
    REQUIRE(first);
    // Putting the checksum of the zero-payload datagram into the payload makes the sum all ones.
    store_be16(p.payload, 0, load_be16(*first, 26));
    auto wire = encode(p);
    REQUIRE(wire);
    CHECK(load_be16(*wire, 26) == 0xFFFF);
    auto d = decode(*wire);
    REQUIRE(d);
    CHECK(checksums_ok(*d));

    std::get<UdpHeader>(p.layers[1]).checksum = 0;
    CHECK(checksums_ok(p));
    Packet p6{{ipv6(), UdpHeader{.src_port = 1, .dst_port = 2, .checksum = 0}}, {}, {}};
    CHECK_FALSE(checksums_ok(p6));
}

TEST_CASE("reset_derived_fields makes an edited decoded packet consistent again", "[codec][packet]") {
    TcpHeader tcp{.src_port = 1, .dst_port = 2};
    auto wire = encode(Packet{{ipv4(), tcp}, Bytes(10, 0), {}});
    REQUIRE(wire);
    auto p = decode(*wire);
    REQUIRE(p);
    std::get<TcpHeader>(p->layers[1]).options = {TcpOption::mss(1000)};
    p->payload.resize(20);
    CHECK_FALSE(checksums_ok(*p));  // stale lengths and checksums are written as they were
    reset_derived_fields(*p);
    auto fixed = encode(*p);
    REQUIRE(fixed);
    auto d = decode(*fixed);
    REQUIRE(d);
    CHECK(std::get<Ipv4Header>(d->layers[0]).total_length == 64);
    CHECK(std::get<TcpHeader>(d->layers[1]).data_offset == 6);
    CHECK(checksums_ok(*d));

    reset_checksums(*d);
    CHECK_FALSE(std::get<TcpHeader>(d->layers[1]).checksum);
    CHECK(std::get<Ipv4Header>(d->layers[0]).total_length == 64);
}

TEST_CASE("a TSO super-segment of 65535 bytes encodes and decodes", "[codec][packet]") {
    TcpHeader tcp{.src_port = 8080, .dst_port = 40000, .seq = 1, .ack = 1};
    tcp.flags = tcp_flag::psh | tcp_flag::ack;
    tcp.options = {TcpOption::nop(), TcpOption::nop(), TcpOption::timestamp(5, 6)};
    Bytes payload(65535 - 20 - 32);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i);
    auto wire = round_trip(Packet{{ipv4(), tcp}, payload, {}});
    CHECK(load_be16(wire, 2) == 65535);
    auto d = decode(wire);
    REQUIRE(d);
    CHECK(d->payload.size() == 65483);

    Bytes payload6(65535 - 32);
    auto wire6 = round_trip(Packet{{ipv6(), tcp}, payload6, {}});
    CHECK(load_be16(wire6, 4) == 65535);
    CHECK(wire6.size() == 40 + 65535);
}

TEST_CASE("packets beyond 64 KiB need an explicit zero length, which decode reads as 'to the end'",
          "[codec][packet]") {
    TcpHeader tcp{.src_port = 8080, .dst_port = 40000};
    Bytes payload(70000, 0);
    auto v4 = encode(Packet{{ipv4(), tcp}, payload, {}});
    REQUIRE_FALSE(v4);
    CHECK_THAT(v4.error().message, Catch::Contains("does not fit the 16-bit total length"));
    auto ip = ipv4();
    ip.total_length = 0;
    v4 = encode(Packet{{ip, tcp}, payload, {}});
    REQUIRE(v4);
    auto d4 = decode(*v4);
    REQUIRE(d4);
    CHECK(d4->payload.size() == 70000);
    CHECK(to_hex(*encode(*d4)) == to_hex(*v4));

    auto v6 = encode(Packet{{ipv6(), tcp}, payload, {}});
    REQUIRE_FALSE(v6);
    auto ip6 = ipv6();
    ip6.payload_length = 0;
    v6 = encode(Packet{{ip6, tcp}, payload, {}});
    REQUIRE(v6);
    auto d6 = decode(*v6);
    REQUIRE(d6);
    CHECK(d6->payload.size() == 70000);
}

TEST_CASE("bytes after the outermost IP datagram are kept as a trailer outside every length",
          "[codec][packet]") {
    Packet p{{ipv4(), UdpHeader{.src_port = 1, .dst_port = 2}}, Bytes(3, 3), from_hex("000000000000")};
    auto wire = encode(p);
    REQUIRE(wire);
    CHECK(wire->size() == 37);
    CHECK(load_be16(*wire, 2) == 31);
    CHECK(load_be16(*wire, 24) == 11);
    auto d = decode(*wire);
    REQUIRE(d);
    CHECK(d->trailer == p.trailer);
    CHECK(d->payload == p.payload);
    CHECK(checksums_ok(*d));
    auto const lay = layout(*d);
    CHECK(lay.trailer_offset == 31);
    CHECK(lay.size == 37);
}

TEST_CASE("derived fields that cannot be derived are encode errors", "[codec][packet]") {
    SECTION("TCP checksum without an enclosing IP layer") {
        auto r = encode(Packet{{TcpHeader{}}, {}, {}});
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("enclosing IP layer"));
        TcpHeader given{};
        given.checksum = 0;
        CHECK(encode(Packet{{given}, {}, {}}));
    }
    SECTION("IP protocol with nothing after the header") {
        auto r = encode(Packet{{ipv4()}, Bytes(4, 0), {}});
        REQUIRE_FALSE(r);
        CHECK(r.error().offset == 0);
        CHECK_THAT(r.error().message, Catch::Contains("IPv4 protocol must be given"));
        CHECK_FALSE(encode(Packet{{ipv6()}, {}, {}}));
    }
    SECTION("IPv6 next header with extension headers") {
        auto ip6 = ipv6();
        ip6.extension_headers = from_hex("0600 0000 00000000");
        CHECK_FALSE(encode(Packet{{ip6, TcpHeader{}}, {}, {}}));
    }
    SECTION("GRE protocol before a layer that is not IP or MPLS") {
        auto r = encode(Packet{{ipv4(), GreHeader{}, UdpHeader{}}, {}, {}});
        REQUIRE_FALSE(r);
        CHECK(r.error().offset == 20);
    }
    SECTION("unpadded TCP options, reported at their offset") {
        TcpHeader tcp;
        tcp.options = {TcpOption::window_scale(7)};
        auto r = encode(Packet{{ipv6(), tcp}, {}, {}});
        REQUIRE_FALSE(r);
        CHECK(r.error().offset == 60);
        CHECK_THAT(r.error().describe(), Catch::StartsWith("at byte 60: TCP options take 3 bytes"));
    }
}

TEST_CASE("encode into a caller's buffer replaces its contents", "[codec][packet]") {
    Bytes out(1000, 0xAA);
    REQUIRE(encode(Packet{{ipv4(), UdpHeader{}}, {}, {}}, out));
    CHECK(out.size() == 28);
    CHECK(out[0] == 0x45);
}

TEST_CASE("asking a failed result for its value throws with the codec's message", "[codec][packet]") {
    auto r = decode(from_hex("45"));
    REQUIRE_FALSE(r);
    CHECK_THROWS_WITH(r.value(), Catch::Contains("truncated IPv4 header"));
}

TEST_CASE("layer_name and header_length describe each layer", "[codec][packet]") {
    CHECK(layer_name(Layer{Icmpv6Header{}}) == "ICMPv6");
    CHECK(layer_name(Layer{MplsStack{}}) == "MPLS");
    CHECK(header_length(Layer{GreHeader{.key_present = true}}) == 8);
    CHECK(header_length(Layer{tcp_with_every_option()}) == 60);
}

TEST_CASE("the innermost IP header's TOS and TTL are what a script's IP info is about", "[codec][packet]") {
    Ipv4Header outer = ipv4("10.0.0.1", "10.0.0.2");
    outer.tos = 0x10;
    outer.ttl = 9;
    Ipv6Header inner = ipv6();
    inner.traffic_class = 0x2a;
    inner.hop_limit = 7;
    auto const fields = inner_ip_fields(Packet{{outer, GreHeader{}, inner, TcpHeader{}}, {}, {}});
    CHECK(fields.tos == 0x2a);
    CHECK(fields.ttl == 7);
    auto const plain = inner_ip_fields(Packet{{outer, UdpHeader{}}, {}, {}});
    CHECK(plain.tos == 0x10);
    CHECK(plain.ttl == 9);
    auto const none = inner_ip_fields(Packet{{TcpHeader{}}, {}, {}});
    CHECK_FALSE(none.tos);
    CHECK_FALSE(none.ttl);
}
