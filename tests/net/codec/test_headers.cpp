#include <catch2/catch.hpp>

#include "src/net/codec/gre.hpp"
#include "src/net/codec/icmp.hpp"
#include "src/net/codec/ip.hpp"
#include "src/net/codec/mpls.hpp"
#include "src/net/codec/tcp.hpp"
#include "src/net/codec/udp.hpp"
#include "tests/net/codec/hex.hpp"

using namespace pktdrill::net;
using pktdrill::net::test::from_hex;
using pktdrill::net::test::to_hex;

TEST_CASE("IPv4 TOS splits into DSCP and the ECN codepoint", "[codec][ip]") {
    Ipv4Header h;
    h.tos = 0xB9;  // DSCP 46 (EF), ECN 01
    CHECK(h.dscp() == 46);
    CHECK(h.ecn() == Ecn::ect1);
    h.set_ecn(Ecn::ce);
    CHECK(h.tos == 0xBB);
    h.set_ecn(Ecn::ect0);
    CHECK(h.tos == 0xBA);
    h.set_dscp(10);
    CHECK(h.tos == 0x2A);
    h.set_ecn(Ecn::not_ect);
    CHECK(h.tos == 0x28);
}

TEST_CASE("IPv4 flags and fragment offset accessors touch only their bits", "[codec][ip]") {
    Ipv4Header h;
    h.set_dont_fragment(true);
    CHECK(h.flags_fragment == 0x4000);
    CHECK(h.dont_fragment());
    CHECK_FALSE(h.more_fragments());
    h.set_fragment_offset(0x1FFF);
    h.set_more_fragments(true);
    CHECK(h.flags_fragment == 0x7FFF);
    CHECK(h.fragment_offset() == 0x1FFF);
    h.set_dont_fragment(false);
    h.set_fragment_offset(185);
    CHECK(h.flags_fragment == 0x20B9);
}

TEST_CASE("IPv6 traffic class carries ECN; flow label is 20 bits on the wire", "[codec][ip]") {
    Ipv6Header h;
    h.traffic_class = 0xFF;
    h.set_ecn(Ecn::ect0);
    CHECK(h.traffic_class == 0xFE);
    CHECK(h.dscp() == 0x3F);
    h.flow_label = 0xABCDE;
    h.next_header = ip_protocol::tcp;
    Bytes out;
    REQUIRE(write_ipv6_header(out, h, 40, std::nullopt));
    CHECK(to_hex(ByteView(out).first(4)) == "6feabcde");
    auto back = read_ipv6_fixed_header(out);
    REQUIRE(back);
    CHECK(back->flow_label == 0xABCDE);
    CHECK(back->traffic_class == 0xFE);

    h.flow_label = 0x100000;
    auto st = write_ipv6_header(out, h, 40, std::nullopt);
    REQUIRE_FALSE(st);
    CHECK_THAT(st.error().message, Catch::Contains("20 bits"));
}

TEST_CASE("IPv4 header writer computes the header checksum and derives IHL and protocol", "[codec][ip]") {
    Ipv4Header h;
    h.tos = 0;
    h.id = 0;
    h.set_dont_fragment(true);
    h.ttl = 64;
    h.src = *Ipv4Address::parse("192.168.0.1");
    h.dst = *Ipv4Address::parse("192.168.0.199");
    Bytes out;
    REQUIRE(write_ipv4_header(out, h, 0x73, ip_protocol::udp));
    CHECK(to_hex(ByteView(out).first(10)) == "45000073000040004011");
    CHECK(load_be16(out, 10) == 0xB861);
    CHECK(ipv4_header_checksum_ok(out));
    CHECK(ipv4_header_checksum_ok(*read_ipv4_header(out)));
}

TEST_CASE("IPv4 header with options derives IHL from them and refuses options that are not words",
          "[codec][ip]") {
    Ipv4Header h;
    h.options = from_hex("94040000");  // router alert
    h.protocol = ip_protocol::tcp;
    Bytes out;
    REQUIRE(write_ipv4_header(out, h, 24, std::nullopt));
    CHECK(out[0] == 0x46);
    CHECK(ipv4_header_checksum_ok(out));

    h.options = from_hex("010101");
    auto st = write_ipv4_header(out, h, 23, std::nullopt);
    REQUIRE_FALSE(st);
    CHECK_THAT(st.error().message, Catch::Contains("multiple of 4"));
    h.ihl = 5;  // explicit: written as given, the options follow anyway
    out.clear();
    REQUIRE(write_ipv4_header(out, h, 23, std::nullopt));
    CHECK(out[0] == 0x45);
    CHECK(out.size() == 23);
}

TEST_CASE("a wrong IPv4 header checksum is kept and detected", "[codec][ip]") {
    Ipv4Header h;
    h.protocol = ip_protocol::tcp;
    h.total_length = 40;
    h.checksum = 0x1234;
    CHECK_FALSE(ipv4_header_checksum_ok(h));
    Bytes out;
    REQUIRE(write_ipv4_header(out, h, 40, std::nullopt));
    CHECK(load_be16(out, 10) == 0x1234);
    h.checksum.reset();
    CHECK(ipv4_header_checksum_ok(h));
}

TEST_CASE("each TCP flag has its RFC bit, AE being bit 8 of the 12-bit field", "[codec][tcp]") {
    struct Case {
        std::uint16_t flag;
        char const* bytes12_13;
    };
    Case const cases[] = {{tcp_flag::fin, "5001"}, {tcp_flag::syn, "5002"}, {tcp_flag::rst, "5004"},
                          {tcp_flag::psh, "5008"}, {tcp_flag::ack, "5010"}, {tcp_flag::urg, "5020"},
                          {tcp_flag::ece, "5040"}, {tcp_flag::cwr, "5080"}, {tcp_flag::ae, "5100"}};
    for (auto const& c : cases) {
        TcpHeader h;
        h.set(c.flag);
        Bytes out;
        REQUIRE(write_tcp_header(out, h));
        CHECK(to_hex(ByteView(out).subspan(12, 2)) == c.bytes12_13);
        auto back = read_tcp_header(out);
        REQUIRE(back);
        CHECK(back->flags == c.flag);
    }
    TcpHeader h;
    h.set(tcp_flag::syn);
    h.set(tcp_flag::ack);
    CHECK(h.syn());
    CHECK(h.ack_flag());
    CHECK_FALSE(h.fin());
    h.set(tcp_flag::syn, false);
    CHECK_FALSE(h.syn());
    CHECK(h.flags == tcp_flag::ack);
}

TEST_CASE("TCP reserved bits survive encode and decode", "[codec][tcp]") {
    TcpHeader h;
    h.set_reserved_bits(5);
    h.set(tcp_flag::ack);
    CHECK(h.flags == 0xA10);
    Bytes out;
    REQUIRE(write_tcp_header(out, h));
    CHECK(to_hex(ByteView(out).subspan(12, 2)) == "5a10");
    auto back = read_tcp_header(out);
    REQUIRE(back);
    CHECK(back->reserved_bits() == 5);
    CHECK(back->ack_flag());
}

TEST_CASE("TCP ACE counter maps to AE, CWR and ECE", "[codec][tcp]") {
    TcpHeader h;
    h.set(tcp_flag::ack);
    h.set_ace(5);
    CHECK(h.ae());
    CHECK_FALSE(h.cwr());
    CHECK(h.ece());
    CHECK(h.ace() == 5);
    CHECK(h.flags == (tcp_flag::ack | tcp_flag::ae | tcp_flag::ece));
    h.set_ace(2);
    CHECK(h.flags == (tcp_flag::ack | tcp_flag::cwr));
}

TEST_CASE("TCP header derives its data offset from options that fill whole words", "[codec][tcp]") {
    TcpHeader h;
    h.options = {TcpOption::mss(1460), TcpOption::nop(), TcpOption::window_scale(7)};
    CHECK(h.header_length() == 28);
    Bytes out;
    REQUIRE(write_tcp_header(out, h));
    CHECK(out.size() == 28);
    CHECK(out[12] >> 4 == 7);

    h.options.pop_back();  // 5 bytes of options: the codec does not pad
    out.clear();
    auto st = write_tcp_header(out, h);
    REQUIRE_FALSE(st);
    CHECK(st.error().offset == 20);
    CHECK_THAT(st.error().message, Catch::Contains("not a multiple of 4"));

    h.options.assign(11, TcpOption::raw(1, {}));  // 11 NOPs
    h.options.push_back(TcpOption::timestamp(1, 2));
    h.options.push_back(TcpOption::timestamp(1, 2));
    h.options.push_back(TcpOption::nop());
    CHECK(tcp_options_length(h.options) == 32);
    h.options.push_back(TcpOption::timestamp(0, 0));  // 42 bytes
    h.options.insert(h.options.begin(), TcpOption::nop());
    h.options.insert(h.options.begin(), TcpOption::nop());
    out.clear();
    st = write_tcp_header(out, h);
    REQUIRE_FALSE(st);
    CHECK_THAT(st.error().message, Catch::Contains("more than the 40"));
}

TEST_CASE("TCP header with an explicit data offset is written as given", "[codec][tcp]") {
    TcpHeader h;
    h.data_offset = 15;
    h.options = {TcpOption::nop()};
    Bytes out;
    REQUIRE(write_tcp_header(out, h));
    CHECK(out[12] == 0xF0);
    CHECK(out.size() == 21);
    h.data_offset = 16;
    CHECK_FALSE(write_tcp_header(out, h));
    h.data_offset.reset();
    h.options.clear();
    h.flags = 0x1000;
    CHECK_FALSE(write_tcp_header(out, h));
}

TEST_CASE("ICMP rest-of-header helpers: echo, IPv4 next-hop MTU, IPv6 MTU", "[codec][icmp]") {
    Icmpv4Header v4;
    v4.type = icmpv4_type::dest_unreachable;
    v4.code = icmpv4_unreachable::frag_needed;
    v4.set_next_hop_mtu(1200);
    CHECK(to_hex(v4.rest) == "000004b0");
    CHECK(v4.next_hop_mtu() == 1200);
    v4.set_echo(0x1234, 0x5678);
    CHECK(to_hex(v4.rest) == "12345678");
    CHECK(v4.echo_id() == 0x1234);
    CHECK(v4.echo_sequence() == 0x5678);

    Icmpv6Header v6;
    v6.type = icmpv6_type::packet_too_big;
    v6.set_mtu(0x00010500);
    CHECK(to_hex(v6.rest) == "00010500");
    CHECK(v6.mtu() == 0x10500);
    Bytes out;
    REQUIRE(write_icmpv6_header(out, v6));
    CHECK(to_hex(out) == "0200000000010500");
    auto back = read_icmpv6_header(out);
    REQUIRE(back);
    CHECK(back->mtu() == 0x10500);
}

TEST_CASE("UDP header derives its length", "[codec][udp]") {
    UdpHeader h{.src_port = 1234, .dst_port = 53};
    Bytes out;
    REQUIRE(write_udp_header(out, h, 18));
    CHECK(to_hex(out) == "04d2003500120000");
    CHECK_FALSE(write_udp_header(out, h, 70000));
    h.length = 7;
    REQUIRE(write_udp_header(out, h, 70000));
}

TEST_CASE("GRE optional fields appear exactly when their flag is set", "[codec][gre]") {
    for (int bits = 0; bits < 8; ++bits) {
        GreHeader h;
        h.checksum_present = bits & 1;
        h.key_present = bits & 2;
        h.sequence_present = bits & 4;
        h.checksum = 0xAAAA;
        h.reserved1 = 0xBBBB;
        h.key = 0xCCCCCCCC;
        h.sequence = 0xDDDDDDDD;
        Bytes out;
        REQUIRE(write_gre_header(out, h, ethertype::ipv4));
        CHECK(out.size() == h.header_length());
        CHECK(out.size() == 4u + 4 * (bits & 1) + 4 * ((bits >> 1) & 1) + 4 * ((bits >> 2) & 1));
        auto back = read_gre_header(out);
        REQUIRE(back);
        CHECK(back->checksum_present == h.checksum_present);
        CHECK(back->key_present == h.key_present);
        CHECK(back->sequence_present == h.sequence_present);
        CHECK(back->protocol == ethertype::ipv4);
        if (h.checksum_present) CHECK(back->reserved1 == 0xBBBB);
        if (h.key_present) CHECK(back->key == 0xCCCCCCCC);
        if (h.sequence_present) CHECK(back->sequence == 0xDDDDDDDD);
    }
}

TEST_CASE("GRE first word keeps version and reserved bits", "[codec][gre]") {
    auto h = read_gre_header(from_hex("b001 880b"));
    REQUIRE_FALSE(h);  // flags ask for 16 bytes
    h = read_gre_header(from_hex("4081 880b"));
    REQUIRE(h);
    CHECK(h->version == 1);
    CHECK(h->reserved0 == 0x4080);
    Bytes out;
    REQUIRE(write_gre_header(out, *h, std::nullopt));
    CHECK(to_hex(out) == "4081880b");
    h->version = 8;
    CHECK_FALSE(write_gre_header(out, *h, std::nullopt));
}

TEST_CASE("MPLS label stack entries pack label, traffic class, S bit and TTL", "[codec][mpls]") {
    MplsStack s{{{.label = 0xFFFFF, .traffic_class = 7, .bottom_of_stack = false, .ttl = 255},
                 {.label = 16, .traffic_class = 0, .bottom_of_stack = true, .ttl = 1}}};
    Bytes out;
    REQUIRE(write_mpls_stack(out, s));
    CHECK(to_hex(out) == "fffffeff" "00010101");
    auto back = read_mpls_stack(out);
    REQUIRE(back);
    CHECK(*back == s);

    MplsStack bad{{{.label = 0x100000, .bottom_of_stack = true}}};
    CHECK_FALSE(write_mpls_stack(out, bad));
    bad.entries[0] = {.label = 1, .traffic_class = 8, .bottom_of_stack = true};
    CHECK_FALSE(write_mpls_stack(out, bad));
}

TEST_CASE("IPv6 extension header walk finds the upper layer", "[codec][ip]") {
    // Hop-by-hop (8 bytes, next: routing), routing (16 bytes, next: fragment), fragment (first), then TCP.
    auto const chain = from_hex("2b00 010401000000"
                                "2c01 0000 00000000 00000000 00000000"
                                "0600 0000 12345678");
    auto walk = walk_ipv6_extension_headers(ip_protocol::hop_by_hop, chain);
    REQUIRE(walk);
    CHECK(walk->upper_protocol == ip_protocol::tcp);
    CHECK(walk->length == 32);
    CHECK_FALSE(walk->non_first_fragment);

    Ipv6Header h;
    h.next_header = ip_protocol::hop_by_hop;
    h.extension_headers = chain;
    CHECK(h.upper_layer_protocol() == ip_protocol::tcp);

    auto const later_fragment = from_hex("0600 0008 12345678");
    walk = walk_ipv6_extension_headers(ip_protocol::ipv6_fragment, later_fragment);
    REQUIRE(walk);
    CHECK(walk->non_first_fragment);

    // AH counts its length in 4-byte words, minus 2.
    auto const ah = from_hex("1104 0000 00000001 00000001 0000000000000000 00000000");
    walk = walk_ipv6_extension_headers(ip_protocol::ah, ah);
    REQUIRE(walk);
    CHECK(walk->length == 24);
    CHECK(walk->upper_protocol == ip_protocol::udp);

    auto const cut = ByteView(chain).first(20);
    walk = walk_ipv6_extension_headers(ip_protocol::hop_by_hop, cut, 40);
    REQUIRE_FALSE(walk);
    CHECK(walk.error().offset == 48);
    h.extension_headers.resize(20);
    CHECK_FALSE(h.upper_layer_protocol());
}
