#include <catch2/catch.hpp>

#include "src/base/error.hpp"
#include "src/net/ip_address.hpp"

using pktdrill::Error;
using namespace pktdrill::net;

TEST_CASE("IPv4 and IPv6 addresses parse, format and report their family") {
    auto const v4 = IpAddress::parse("192.0.2.1");
    CHECK(v4.is_v4());
    CHECK(v4.af() == AF_INET);
    CHECK(v4.bytes().size() == 4);
    CHECK(v4.bytes()[0] == 192);
    CHECK(v4.to_string() == "192.0.2.1");

    auto const v6 = IpAddress::parse("FD3D:0a0b:17d6::1");
    CHECK(v6.is_v6());
    CHECK(v6.bytes().size() == 16);
    CHECK(v6.bytes()[0] == 0xfd);
    CHECK(v6.bytes()[15] == 1);
    CHECK(v6.to_string() == "fd3d:a0b:17d6::1");  // canonical form

    CHECK(IpAddress() == IpAddress::parse("0.0.0.0"));
    CHECK(IpAddress::from(v4.to_in_addr()) == v4);
    CHECK(IpAddress::from(v6.to_in6_addr()) == v6);
}

TEST_CASE("a v4-mapped IPv6 address stays IPv6 and converts to and from IPv4") {
    auto const mapped = IpAddress::parse("::ffff:192.0.2.1");
    CHECK(mapped.is_v6());
    CHECK(mapped.is_v4_mapped());
    CHECK(mapped.to_string() == "::ffff:192.0.2.1");
    CHECK(mapped.unmapped() == IpAddress::parse("192.0.2.1"));
    CHECK(IpAddress::parse("192.0.2.1").v4_mapped() == mapped);
    CHECK_FALSE(IpAddress::parse("2001:db8::1").is_v4_mapped());
    CHECK(IpAddress::parse("2001:db8::1").unmapped() == IpAddress::parse("2001:db8::1"));
}

TEST_CASE("malformed address text is rejected") {
    for (char const* bad : {"", "1.2.3", "1.2.3.4 ", " 1.2.3.4", "256.1.1.1", "1.2.3.4/24", "fe80::1%eth0",
                            "localhost", ":::1", "1::2::3"}) {
        INFO(bad);
        CHECK_FALSE(IpAddress::try_parse(bad));
    }
    CHECK_THROWS_WITH(IpAddress::parse("nonsense"), "bad IP address: 'nonsense'");
}

TEST_CASE("addresses of different families never compare equal") {
    CHECK(IpAddress::parse("0.0.0.0") != IpAddress::parse("::"));
    CHECK(IpAddress::parse("192.0.2.1") != IpAddress::parse("::ffff:192.0.2.1"));
}

TEST_CASE("prefixes parse with and without a length and keep the host bits") {
    auto const remote = IpPrefix::parse("192.0.2.1/24");
    CHECK(remote.address() == IpAddress::parse("192.0.2.1"));
    CHECK(remote.length() == 24);
    CHECK(remote.network() == IpAddress::parse("192.0.2.0"));
    CHECK(remote.to_string() == "192.0.2.1/24");

    CHECK(IpPrefix::parse("2001:DB8::1/32").network() == IpAddress::parse("2001:db8::"));
    CHECK(IpPrefix::parse("10.0.0.1").length() == 32);
    CHECK(IpPrefix::parse("::1").length() == 128);
    CHECK(IpPrefix::parse("10.1.2.3/0").network() == IpAddress::parse("0.0.0.0"));
    CHECK(IpPrefix::parse("10.255.255.255/9").network() == IpAddress::parse("10.128.0.0"));

    for (char const* bad : {"10.0.0.1/33", "::1/129", "10.0.0.1/", "10.0.0.1/-1", "10.0.0.1/2x", "/24", "x/24"}) {
        INFO(bad);
        CHECK_FALSE(IpPrefix::try_parse(bad));
    }
    CHECK_THROWS_AS(IpPrefix(IpAddress::parse("10.0.0.1"), 33), Error);
}

TEST_CASE("a prefix contains exactly the addresses of its family that share its leading bits") {
    auto const net = IpPrefix::parse("192.168.0.0/16");
    CHECK(net.contains(IpAddress::parse("192.168.0.1")));
    CHECK(net.contains(IpAddress::parse("192.168.255.255")));
    CHECK_FALSE(net.contains(IpAddress::parse("192.169.0.1")));
    CHECK_FALSE(net.contains(IpAddress::parse("::ffff:192.168.0.1")));

    auto const v6 = IpPrefix::parse("fd3d:0a0b:17d6::1/48");
    CHECK(v6.contains(IpAddress::parse("fd3d:0a0b:17d6:8888::1")));
    CHECK_FALSE(v6.contains(IpAddress::parse("fd3d:fa7b:d17d::1")));
    CHECK(IpPrefix::parse("0.0.0.0/0").contains(IpAddress::parse("203.0.113.9")));
}

TEST_CASE("netmasks convert to prefix lengths and non-contiguous masks are rejected") {
    CHECK(netmask_to_prefix_length("255.255.0.0") == 16);
    CHECK(netmask_to_prefix_length("255.255.255.255") == 32);
    CHECK(netmask_to_prefix_length("0.0.0.0") == 0);
    CHECK(netmask_to_prefix_length("255.255.255.128") == 25);
    CHECK(netmask_to_prefix_length("255.240.0.0") == 12);
    CHECK(netmask_to_prefix_length("ffff:ffff:ffff::") == 48);
    for (char const* bad : {"255.0.255.0", "255.255.0.1", "0.255.255.255", "255.253.0.0", "garbage"}) {
        INFO(bad);
        CHECK_THROWS_AS(netmask_to_prefix_length(bad), Error);
    }
    CHECK_THROWS_WITH(netmask_to_prefix_length("255.0.255.0"), Catch::Contains("not contiguous"));
}
