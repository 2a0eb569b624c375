#include <arpa/inet.h>

#include <catch2/catch.hpp>

#include "src/net/codec/address.hpp"
#include "src/net/codec/bytes.hpp"
#include "src/net/codec/checksum.hpp"
#include "tests/net/codec/hex.hpp"

using namespace pktdrill::net;
using pktdrill::net::test::from_hex;

TEST_CASE("big-endian loads and stores agree with network order", "[codec][bytes]") {
    Bytes b;
    append_be16(b, 0x1234);
    append_be24(b, 0x56789A);
    append_be32(b, 0xBCDEF012);
    CHECK(b == from_hex("1234 56789a bcdef012"));
    CHECK(load_be16(b, 0) == 0x1234);
    CHECK(load_be24(b, 2) == 0x56789A);
    CHECK(load_be32(b, 5) == 0xBCDEF012);
    store_be16(b, 0, 0xFFEE);
    store_be32(b, 2, 0x01020304);
    CHECK(b == from_hex("ffee 01020304 def012"));
}

TEST_CASE("internet checksum matches the RFC 1071 worked example", "[codec][checksum]") {
    // RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2, so the checksum is 220d.
    auto const data = from_hex("0001f203f4f5f6f7");
    ChecksumAccumulator acc;
    acc.add(data);
    CHECK(acc.folded_sum() == 0xDDF2);
    CHECK(internet_checksum(data) == 0x220D);
}

TEST_CASE("internet checksum pads an odd length with a zero byte", "[codec][checksum]") {
    CHECK(internet_checksum(from_hex("0102 03")) == internet_checksum(from_hex("0102 0300")));
}

TEST_CASE("checksum accumulator fed in odd-sized pieces equals one pass", "[codec][checksum]") {
    Bytes data;
    for (int i = 0; i < 257; ++i) data.push_back(static_cast<std::uint8_t>(i * 37 + 11));
    for (std::size_t cut1 = 0; cut1 < 8; ++cut1)
        for (std::size_t cut2 = cut1; cut2 < 13; ++cut2) {
            ChecksumAccumulator acc;
            ByteView v(data);
            acc.add(v.first(cut1));
            acc.add(v.subspan(cut1, cut2 - cut1));
            acc.add(v.subspan(cut2));
            CHECK(acc.checksum() == internet_checksum(data));
        }
}

TEST_CASE("data carrying its correct checksum re-sums to all ones", "[codec][checksum]") {
    Bytes data = from_hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
    store_be16(data, 10, internet_checksum(data));
    CHECK(load_be16(data, 10) == 0xB861);  // the classic example header's checksum
    ChecksumAccumulator acc;
    acc.add(data);
    CHECK(acc.folded_sum() == 0xFFFF);
    CHECK(internet_checksum(data) == 0);
}

TEST_CASE("ipv4_header_checksum_ok accepts a correct header and rejects damaged or short ones",
          "[codec][checksum]") {
    auto header = from_hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
    CHECK(ipv4_header_checksum_ok(header));
    auto damaged = header;
    damaged[8] ^= 1;  // ttl
    CHECK_FALSE(ipv4_header_checksum_ok(damaged));
    CHECK_FALSE(ipv4_header_checksum_ok(ByteView(header).first(19)));
    CHECK_FALSE(ipv4_header_checksum_ok(ByteView{}));
    auto short_ihl = header;
    short_ihl[0] = 0x44;
    CHECK_FALSE(ipv4_header_checksum_ok(short_ihl));
    auto with_options = header;
    with_options[0] = 0x46;  // claims 24 bytes, has 20
    CHECK_FALSE(ipv4_header_checksum_ok(with_options));
}

TEST_CASE("TCP checksum with the IPv4 pseudo header matches a checksum tcpdump calls correct",
          "[codec][checksum]") {
    // The SYN of test_packet_vectors.cpp: 192.168.0.1:40000 > 192.0.2.1:8080, cksum 0x0984.
    auto const tcp = from_hex("9c40 1f90 00000000 00000000 a002 ffff 0000 0000"
                              "020405b4 0402 080a0000000100000000 01 030307");
    auto acc = ipv4_pseudo_header(*Ipv4Address::parse("192.168.0.1"), *Ipv4Address::parse("192.0.2.1"), 6,
                                  static_cast<std::uint32_t>(tcp.size()));
    acc.add(tcp);
    CHECK(acc.checksum() == 0x0984);
}

TEST_CASE("addresses convert to and from text and the socket structs", "[codec][address]") {
    auto v4 = Ipv4Address::parse("192.0.2.1");
    REQUIRE(v4);
    CHECK(v4->bytes == std::array<std::uint8_t, 4>{192, 0, 2, 1});
    CHECK(v4->to_string() == "192.0.2.1");
    CHECK(ntohl(v4->to_in_addr().s_addr) == 0xC0000201);
    CHECK(Ipv4Address::from_in_addr(v4->to_in_addr()) == *v4);
    CHECK_FALSE(Ipv4Address::parse("192.0.2"));
    CHECK_FALSE(Ipv4Address::parse("fd3d::1"));

    auto v6 = Ipv6Address::parse("fd3d:fa7b:d17d::1");
    REQUIRE(v6);
    CHECK(v6->bytes[0] == 0xFD);
    CHECK(v6->bytes[15] == 1);
    CHECK(v6->to_string() == "fd3d:fa7b:d17d::1");
    CHECK(Ipv6Address::from_in6_addr(v6->to_in6_addr()) == *v6);
    CHECK_FALSE(Ipv6Address::parse("192.0.2.1"));
    CHECK(*Ipv4Address::parse("10.0.0.1") < *Ipv4Address::parse("10.0.0.2"));
}
