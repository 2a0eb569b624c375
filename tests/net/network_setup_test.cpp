#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include "src/base/error.hpp"
#include "src/net/ethtool.hpp"
#include "tests/net/kernel_test_helpers.hpp"

using pktdrill::Error;
using pktdrill::UniqueFd;
using namespace pktdrill::net;
using namespace pktdrill::net::test;

namespace {

bool has_address(Rtnetlink& rtnl, int ifindex, std::string const& prefix) {
    auto const p = IpPrefix::parse(prefix);
    auto const all = rtnl.addresses();
    return std::any_of(all.begin(), all.end(),
                       [&](AddressInfo const& a) { return a.ifindex == ifindex && a.prefix == p; });
}

bool has_route(Rtnetlink& rtnl, AddressFamily family, std::string const& destination, int ifindex,
               std::optional<std::string> const& gateway) {
    auto const d = IpPrefix::parse(destination);
    auto const all = rtnl.routes(family);
    return std::any_of(all.begin(), all.end(), [&](RouteInfo const& r) {
        return r.table == RT_TABLE_MAIN && r.destination == d && r.ifindex == ifindex &&
               r.gateway == (gateway ? std::optional(IpAddress::parse(*gateway)) : std::nullopt);
    });
}

bool contains(std::string const& text, std::string const& part) { return text.find(part) != std::string::npos; }

// A SYN to the remote leaves through tun0: the routing works end to end.
void expect_syn_through_tun(TestNetwork& net, int family, IpAddress const& to, int wire_version) {
    UniqueFd s(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    REQUIRE(s);
    sockaddr_storage storage{};
    socklen_t length;
    if (family == AF_INET) {
        auto& a = reinterpret_cast<sockaddr_in&>(storage);
        a.sin_family = AF_INET;
        a.sin_port = htons(8080);
        a.sin_addr = to.to_in_addr();
        length = sizeof a;
    } else {
        auto& a = reinterpret_cast<sockaddr_in6&>(storage);
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(8080);
        a.sin6_addr = to.to_in6_addr();
        length = sizeof a;
    }
    REQUIRE(::connect(s.get(), reinterpret_cast<sockaddr*>(&storage), length) == -1);
    REQUIRE(errno == EINPROGRESS);
    auto const segment = next_tcp(*net.sniffer);
    REQUIRE(segment);
    CHECK(segment->ip_version == wire_version);
    CHECK(segment->flags == syn);
    CHECK(segment->destination == to.unmapped());
}

}  // namespace

TEST_CASE("the kernel selftests' IPv4 network: address, MTU and route on tun0, per rtnetlink and per ip") {
    TestNetwork net(selftest_ipv4_config());
    auto& rtnl = *net.rtnl;
    int const dev = net.tun->ifindex();

    auto const link = rtnl.link(dev);
    CHECK((link.flags & IFF_UP) != 0);
    CHECK(link.mtu == 1500);
    CHECK(has_address(rtnl, dev, "192.168.0.1/16"));
    CHECK(has_route(rtnl, AddressFamily::ipv4, "192.0.2.0/24", dev, "192.168.0.1"));

    CHECK(contains(run("ip -o -4 addr show dev tun0"), "inet 192.168.0.1/16"));
    CHECK(contains(run("ip -4 route show"), "192.0.2.0/24 via 192.168.0.1 dev tun0"));
    CHECK(contains(run("ip -o link show dev tun0"), "mtu 1500"));

    expect_syn_through_tun(net, AF_INET, IpAddress::parse("192.0.2.1"), 4);
}

TEST_CASE("the kernel selftests' IPv6 network: MTU 1520, address and route via the gateway in the local /48") {
    TestNetwork net(selftest_ipv6_config());
    auto& rtnl = *net.rtnl;
    int const dev = net.tun->ifindex();

    CHECK(rtnl.link(dev).mtu == 1520);
    CHECK(has_address(rtnl, dev, "fd3d:a0b:17d6::1/48"));
    CHECK(has_route(rtnl, AddressFamily::ipv6, "fd3d:fa7b:d17d::/48", dev, "fd3d:a0b:17d6:8888::1"));

    CHECK(contains(run("ip -o link show dev tun0"), "mtu 1520"));
    CHECK(contains(run("ip -o -6 addr show dev tun0"), "inet6 fd3d:a0b:17d6::1/48"));
    auto const routes = run("ip -6 route show");
    CHECK(contains(routes, "fd3d:fa7b:d17d::/48 via fd3d:a0b:17d6:8888::1 dev tun0"));
    CHECK(contains(routes, "fd3d:a0b:17d6::/48 dev tun0"));  // what makes the gateway reachable

    expect_syn_through_tun(net, AF_INET6, IpAddress::parse("fd3d:fa7b:d17d::1"), 6);
}

TEST_CASE("packetdrill's default IPv6 network routes 2001:db8::/32 via fd3d:fa7b:d17d:8888::") {
    NetworkConfig c;
    c.ip_version = IpVersion::ipv6;
    c.local_ip = IpAddress::parse("fd3d:fa7b:d17d::1:2345");
    c.local_prefix_length = 48;
    c.remote = IpPrefix::parse("2001:DB8::1/32");
    c.gateway_ip = IpAddress::parse("fd3d:fa7b:d17d:8888::0");
    TestNetwork net(c);
    CHECK(contains(run("ip -6 route show"), "2001:db8::/32 via fd3d:fa7b:d17d:8888:: dev tun0"));
    expect_syn_through_tun(net, AF_INET6, IpAddress::parse("2001:db8::1"), 6);
}

TEST_CASE("ipv4-mapped-ipv6 puts IPv4 on tun0 and an AF_INET6 socket's SYN goes out as IPv4") {
    NetworkConfig c = selftest_ipv4_config();
    c.ip_version = IpVersion::ipv4_mapped_ipv6;
    c.local_ip = IpAddress::parse("::ffff:192.168.0.1");
    c.remote = IpPrefix::parse("::ffff:192.0.2.1/120");  // a mapped /24
    c.gateway_ip = IpAddress::parse("::ffff:192.168.0.1");
    TestNetwork net(c);
    int const dev = net.tun->ifindex();
    CHECK(has_address(*net.rtnl, dev, "192.168.0.1/16"));
    CHECK(has_route(*net.rtnl, AddressFamily::ipv4, "192.0.2.0/24", dev, "192.168.0.1"));
    expect_syn_through_tun(net, AF_INET6, IpAddress::parse("::ffff:192.0.2.1"), 4);
}

TEST_CASE("is_anyip leaves tun0 without the local address and routes the remote net without a gateway") {
    NetworkConfig c = selftest_ipv4_config();
    c.is_anyip = true;
    TestNetwork net(c);
    int const dev = net.tun->ifindex();
    auto const addresses = net.rtnl->addresses();
    CHECK(std::none_of(addresses.begin(), addresses.end(),
                       [&](AddressInfo const& a) { return a.prefix.address() == c.local_ip; }));
    CHECK(has_route(*net.rtnl, AddressFamily::ipv4, "192.0.2.0/24", dev, std::nullopt));
    CHECK(contains(run("ip -4 route show"), "192.0.2.0/24 dev tun0"));
}

TEST_CASE("a gateway outside the local prefix is declared on-link instead of being refused") {
    NetworkConfig c = selftest_ipv4_config();
    c.local_prefix_length = 24;
    c.gateway_ip = IpAddress::parse("10.0.0.1");
    TestNetwork net(c);
    CHECK(contains(run("ip -4 route show"), "192.0.2.0/24 via 10.0.0.1 dev tun0 onlink"));
    expect_syn_through_tun(net, AF_INET, IpAddress::parse("192.0.2.1"), 4);
}

TEST_CASE("a remote address that is local is refused with packetdrill's message") {
    enter_private_network_namespace();
    TunDevice tun;
    Rtnetlink rtnl;
    NetworkConfig c = selftest_ipv4_config();
    c.remote = IpPrefix::parse("127.0.0.1/8");
    CHECK_THROWS_WITH(configure_test_network(rtnl, tun, c), "live_remote_ip 127.0.0.1 is not remote");
    c.remote = IpPrefix::parse("192.168.0.1/24");  // the local IP itself
    CHECK_THROWS_WITH(configure_test_network(rtnl, tun, c), "live_remote_ip 192.168.0.1 is not remote");

    NetworkConfig anyip = selftest_ipv4_config();
    anyip.is_anyip = true;
    anyip.local_ip = IpAddress::parse("127.0.0.1");
    CHECK_THROWS_WITH(configure_test_network(rtnl, tun, anyip), "live_local_ip 127.0.0.1 is not remote for anyip");
}

TEST_CASE("addresses that do not fit the IP version are refused") {
    enter_private_network_namespace();
    TunDevice tun;
    Rtnetlink rtnl;
    NetworkConfig c = selftest_ipv6_config();
    c.local_ip = IpAddress::parse("192.168.0.1");
    CHECK_THROWS_WITH(configure_test_network(rtnl, tun, c),
                      "--local_ip=192.168.0.1 does not fit --ip_version=ipv6");
    c = selftest_ipv4_config();
    c.gateway_ip = IpAddress::parse("fd3d::1");
    CHECK_THROWS_WITH(configure_test_network(rtnl, tun, c), Catch::Contains("--gateway_ip=fd3d::1"));
    c = selftest_ipv4_config();
    c.ip_version = IpVersion::ipv4_mapped_ipv6;
    c.remote = IpPrefix::parse("::ffff:192.0.2.1/24");
    CHECK_THROWS_WITH(configure_test_network(rtnl, tun, c), Catch::Contains("at least /96"));
}

TEST_CASE("a link speed is set on tun0 and the link comes back up") {
    NetworkConfig c = selftest_ipv4_config();
    c.speed_mbps = 100;
    TestNetwork net(c);
    CHECK(link_speed("tun0") == 100);
    CHECK((net.rtnl->link(net.tun->ifindex()).flags & IFF_UP) != 0);
    CHECK(has_route(*net.rtnl, AddressFamily::ipv4, "192.0.2.0/24", net.tun->ifindex(), "192.168.0.1"));
    CHECK_THROWS_WITH(link_speed("nosuchdev0"), Catch::Contains("nosuchdev0") && Catch::Contains("No such device"));
}
