// Malformed input is normal input for a sniffer: decode must say what is wrong and where.

#include <catch2/catch.hpp>

#include "src/net/codec/packet.hpp"
#include "tests/net/codec/hex.hpp"
#include "tests/net/codec/vectors.hpp"

using namespace pktdrill::net;
using pktdrill::net::test::from_hex;
using pktdrill::net::test::to_hex;
namespace vectors = pktdrill::net::test::vectors;

namespace {

std::string_view const all_vectors[] = {vectors::syn4,       vectors::synack6, vectors::udp4, vectors::icmp4_frag,
                                        vectors::icmp6_ptb, vectors::gre4,    vectors::gre6, vectors::mpls4};

CodecError decode_error(Bytes const& wire, DecodeOptions options = {}) {
    auto r = decode(wire, options);
    if (r) FAIL("decoded without error: " << to_hex(wire));
    return r.error();
}

}  // namespace

TEST_CASE("every strict prefix of a valid packet is a decode error within the prefix", "[codec][decode-errors]") {
    for (auto hex : all_vectors) {
        Bytes const full = from_hex(hex);
        for (std::size_t n = 0; n < full.size(); ++n) {
            Bytes const prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
            INFO("prefix of " << n << " bytes of " << hex);
            auto const e = decode_error(prefix);
            CHECK(e.offset <= n);
            CHECK_FALSE(e.message.empty());
        }
    }
}

TEST_CASE("with truncation allowed every non-empty prefix decodes and re-encodes to itself",
          "[codec][decode-errors]") {
    for (auto hex : all_vectors) {
        Bytes const full = from_hex(hex);
        for (std::size_t n = 1; n <= full.size(); ++n) {
            Bytes const prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
            INFO("prefix of " << n << " bytes of " << hex);
            auto p = decode(prefix, {.allow_truncated = true});
            REQUIRE(p);
            auto again = encode(*p);
            REQUIRE(again);
            CHECK(to_hex(*again) == to_hex(prefix));
        }
    }
}

TEST_CASE("each header reader rejects every length shorter than its header", "[codec][decode-errors]") {
    Bytes const zeros(64, 0);
    Bytes v4 = zeros;
    v4[0] = 0x45;
    Bytes v6 = zeros;
    v6[0] = 0x60;
    Bytes tcp = zeros;
    tcp[12] = 0x50;
    auto prefix = [](Bytes const& b, std::size_t n) { return ByteView(b).first(n); };
    for (std::size_t n = 0; n < 20; ++n) CHECK_FALSE(read_ipv4_header(prefix(v4, n), 0));
    for (std::size_t n = 0; n < 40; ++n) CHECK_FALSE(read_ipv6_fixed_header(prefix(v6, n), 0));
    for (std::size_t n = 0; n < 20; ++n) CHECK_FALSE(read_tcp_header(prefix(tcp, n), 0));
    for (std::size_t n = 0; n < 8; ++n) {
        CHECK_FALSE(read_udp_header(prefix(zeros, n), 0));
        CHECK_FALSE(read_icmpv4_header(prefix(zeros, n), 0));
        CHECK_FALSE(read_icmpv6_header(prefix(zeros, n), 0));
    }
    for (std::size_t n = 0; n < 4; ++n) CHECK_FALSE(read_gre_header(prefix(zeros, n), 0));
    CHECK(read_ipv4_header(prefix(v4, 20), 0));
    CHECK(read_ipv6_fixed_header(prefix(v6, 40), 0));
    CHECK(read_tcp_header(prefix(tcp, 20), 0));
    CHECK(read_gre_header(prefix(zeros, 4), 0));

    Bytes gre_all = zeros;
    gre_all[0] = 0xB0;  // checksum, key and sequence: 16 bytes
    for (std::size_t n = 4; n < 16; ++n) CHECK_FALSE(read_gre_header(prefix(gre_all, n), 0));
    CHECK(read_gre_header(prefix(gre_all, 16), 0));

    Bytes mpls = zeros;
    mpls[6] = 0x01;  // bottom of stack in the second entry
    for (std::size_t n = 0; n < 8; ++n) CHECK_FALSE(read_mpls_stack(prefix(mpls, n), 0));
    CHECK(read_mpls_stack(prefix(mpls, 8), 0));
}

TEST_CASE("decode rejects what is not an IP packet", "[codec][decode-errors]") {
    auto e = decode_error({});
    CHECK_THAT(e.message, Catch::Contains("empty packet"));
    e = decode_error(from_hex("5500"));
    CHECK(e.offset == 0);
    CHECK_THAT(e.message, Catch::Contains("not an IP packet: version 5"));
}

TEST_CASE("decode rejects IPv4 header and total lengths that contradict each other", "[codec][decode-errors]") {
    Bytes wire = from_hex(vectors::udp4);
    SECTION("IHL below 5") {
        wire[0] = 0x44;
        auto const e = decode_error(wire);
        CHECK(e.offset == 0);
        CHECK_THAT(e.message, Catch::Contains("IHL 4 is below the minimum"));
    }
    SECTION("IHL past the packet") {
        wire.resize(22);
        wire[0] = 0x46;
        store_be16(wire, 2, 22);
        CHECK_THAT(decode_error(wire).message, Catch::Contains("IHL says 24 bytes, 22 present"));
    }
    SECTION("total length below the header") {
        store_be16(wire, 2, 19);
        auto const e = decode_error(wire);
        CHECK(e.offset == 2);
        CHECK_THAT(e.message, Catch::Contains("IPv4 total length says 19 bytes, less than its 20-byte header"));
    }
    SECTION("total length past the packet") {
        store_be16(wire, 2, 1500);
        auto const e = decode_error(wire);
        CHECK(e.offset == 2);
        CHECK(e.describe() == "at byte 2: truncated packet: IPv4 total length says 1500 bytes, 38 present");
    }
}

TEST_CASE("decode rejects an inner datagram whose length disagrees with its carrier", "[codec][decode-errors]") {
    Bytes wire = from_hex(vectors::gre4);
    store_be16(wire, 36 + 2, 42);  // inner IPv4 total length one short
    auto const e = decode_error(wire);
    CHECK(e.offset == 38);
    CHECK_THAT(e.message, Catch::Contains("says 42 bytes, but its carrier holds 43"));
}

TEST_CASE("decode rejects an IPv6 payload length past the packet and a cut extension chain",
          "[codec][decode-errors]") {
    Bytes wire = from_hex(vectors::synack6);
    store_be16(wire, 4, 46);
    auto e = decode_error(wire);
    CHECK(e.offset == 4);
    CHECK_THAT(e.message, Catch::Contains("IPv6 payload length says 86 bytes, 85 present"));

    wire = from_hex(vectors::synack6);
    wire[6] = ip_protocol::ipv6_dest_options;
    wire[41] = 200;  // destination options of 1608 bytes
    e = decode_error(wire);
    CHECK(e.offset == 40);
    CHECK_THAT(e.message, Catch::Contains("extension header 60 claims 1608 bytes, 45 present"));
}

TEST_CASE("decode rejects TCP data offsets below 5 or past the segment", "[codec][decode-errors]") {
    Bytes wire = from_hex(vectors::syn4);
    wire[32] = 0x40;
    auto e = decode_error(wire);
    CHECK(e.offset == 32);
    CHECK_THAT(e.message, Catch::Contains("TCP data offset 4 is below the minimum"));
    wire[32] = 0xB0;
    e = decode_error(wire);
    CHECK(e.offset == 32);
    CHECK_THAT(e.message, Catch::Contains("44 header bytes, only 40 present"));
}

TEST_CASE("decode reports malformed TCP options at their offset in the packet", "[codec][decode-errors]") {
    Bytes wire = from_hex(vectors::syn4);
    SECTION("length 0") {
        wire[41] = 0;  // mss length
        auto const e = decode_error(wire);
        CHECK(e.offset == 40);
        CHECK_THAT(e.message, Catch::Contains("kind 2 has length 0"));
    }
    SECTION("length 1") {
        wire[45] = 1;  // sackOK length
        auto const e = decode_error(wire);
        CHECK(e.offset == 44);
        CHECK_THAT(e.message, Catch::Contains("kind 4 has length 1"));
    }
    SECTION("length past the options") {
        wire[58] = 4;  // wscale length
        auto const e = decode_error(wire);
        CHECK(e.offset == 57);
        CHECK_THAT(e.message, Catch::Contains("kind 3 has length 4 but only 3 bytes remain"));
    }
    SECTION("no length byte") {
        wire[59] = 3;  // the last byte (wscale's shift) becomes a kind of its own after a 2-byte wscale
        wire[58] = 2;
        auto const e = decode_error(wire);
        CHECK(e.offset == 59);
        CHECK_THAT(e.message, Catch::Contains("no length byte"));
    }
}

TEST_CASE("decode rejects truncated UDP, ICMP, GRE and MPLS headers inside a complete datagram",
          "[codec][decode-errors]") {
    auto ip_with = [](std::uint8_t proto, Bytes const& rest) {
        Bytes wire = from_hex("45000000000000004000000000000000 00000000");
        wire[9] = proto;
        wire.insert(wire.end(), rest.begin(), rest.end());
        store_be16(wire, 2, static_cast<std::uint16_t>(wire.size()));
        return wire;
    };
    CHECK_THAT(decode_error(ip_with(ip_protocol::udp, Bytes(7, 0))).message, Catch::Contains("truncated UDP"));
    CHECK_THAT(decode_error(ip_with(ip_protocol::icmp, Bytes(4, 0))).message, Catch::Contains("truncated ICMPv4"));
    CHECK_THAT(decode_error(ip_with(ip_protocol::icmpv6, Bytes(4, 0))).message, Catch::Contains("truncated ICMPv6"));
    auto e = decode_error(ip_with(ip_protocol::gre, from_hex("a0000800 00000000")));
    CHECK(e.offset == 20);
    CHECK_THAT(e.message, Catch::Contains("flags ask for 12 bytes, 8 present"));
    e = decode_error(ip_with(ip_protocol::mpls_in_ip, from_hex("00001040 00002040")));
    CHECK(e.offset == 28);
    CHECK_THAT(e.message, Catch::Contains("without a bottom-of-stack entry"));
}

TEST_CASE("decode rejects an inner header whose version contradicts the outer protocol", "[codec][decode-errors]") {
    Bytes wire = from_hex(vectors::gre4);
    store_be16(wire, 22, ethertype::ipv6);  // GRE now announces IPv6 before an IPv4 header
    auto e = decode_error(wire);
    CHECK(e.offset == 36);
    CHECK_THAT(e.message, Catch::Contains("IPv6 header has version 4"));
    wire = from_hex(vectors::gre4);
    wire[36] = 0x65;
    e = decode_error(wire);
    CHECK(e.offset == 36);
    CHECK_THAT(e.message, Catch::Contains("IPv4 header has version 6"));
}

TEST_CASE("with truncation allowed, malformed headers that fit are still errors", "[codec][decode-errors]") {
    Bytes wire = from_hex(vectors::syn4);
    wire[32] = 0x40;
    CHECK_FALSE(decode(wire, {.allow_truncated = true}));
    wire = from_hex(vectors::syn4);
    wire[41] = 1;
    CHECK_FALSE(decode(wire, {.allow_truncated = true}));
}
