#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "src/base/error.hpp"
#include "tests/net/kernel_test_helpers.hpp"

using pktdrill::Error;
using pktdrill::UniqueFd;
using namespace pktdrill::net;
using namespace pktdrill::net::test;

namespace {

bool has_route(std::vector<RouteInfo> const& routes, std::string const& destination, int ifindex,
               std::optional<std::string> const& gateway) {
    auto const d = IpPrefix::parse(destination);
    return std::any_of(routes.begin(), routes.end(), [&](RouteInfo const& r) {
        return r.table == RT_TABLE_MAIN && r.destination == d && r.ifindex == ifindex &&
               r.gateway == (gateway ? std::optional(IpAddress::parse(*gateway)) : std::nullopt);
    });
}

}  // namespace

TEST_CASE("rtnetlink finds links by name and says clearly when there is none") {
    enter_private_network_namespace();
    Rtnetlink rtnl;
    CHECK(rtnl.find_link_index("lo") == 1);
    CHECK(rtnl.link(1).name == "lo");
    CHECK_FALSE(rtnl.find_link_index("nosuchdev0"));
    CHECK_THROWS_WITH(rtnl.link_index("nosuchdev0"), Catch::Contains("no network device named 'nosuchdev0'"));
    CHECK_THROWS_WITH(rtnl.link(4242), Catch::Contains("No such device"));
    CHECK(rtnl.fd() >= 0);
}

TEST_CASE("rtnetlink sets MTU and link state, as the kernel and ip report them") {
    enter_private_network_namespace();
    TunDevice tun;
    Rtnetlink rtnl;

    CHECK((rtnl.link(tun.ifindex()).flags & IFF_UP) == 0);
    rtnl.set_mtu(tun.ifindex(), 1520);
    rtnl.set_link_up(tun.ifindex());
    auto const up = rtnl.link(tun.ifindex());
    CHECK(up.name == "tun0");
    CHECK(up.mtu == 1520);
    CHECK((up.flags & IFF_UP) != 0);
    auto const ip = run("ip -o link show dev tun0");
    CHECK(ip.find("mtu 1520") != std::string::npos);
    CHECK(ip.find(",UP") != std::string::npos);

    rtnl.set_link_down(tun.ifindex());
    CHECK((rtnl.link(tun.ifindex()).flags & IFF_UP) == 0);

    // The kernel's refusal comes back with its reason and our description of the request.
    CHECK_THROWS_WITH(rtnl.set_mtu(tun.ifindex(), 70000),
                      Catch::Contains("set mtu 70000 on tun0") && Catch::Contains("Invalid argument"));
}

TEST_CASE("an IPv6 address added through rtnetlink is usable at once, not tentative") {
    enter_private_network_namespace();
    TunDevice tun;
    Rtnetlink rtnl;
    rtnl.set_link_up(tun.ifindex());
    rtnl.add_address(tun.ifindex(), IpPrefix::parse("fd3d:fa7b:d17d::36/48"));
    rtnl.add_address(tun.ifindex(), IpPrefix::parse("192.168.7.9/16"));
    // Adding the same address again replaces it instead of failing.
    rtnl.add_address(tun.ifindex(), IpPrefix::parse("192.168.7.9/16"));

    auto const addresses = rtnl.addresses();
    auto const find = [&](char const* text) -> std::optional<AddressInfo> {
        for (auto const& a : addresses)
            if (a.prefix == IpPrefix::parse(text)) return a;
        return std::nullopt;
    };
    auto const v6 = find("fd3d:fa7b:d17d::36/48");
    REQUIRE(v6);
    CHECK(v6->ifindex == tun.ifindex());
    CHECK((v6->flags & IFA_F_TENTATIVE) == 0);
    CHECK((v6->flags & IFA_F_NODAD) != 0);
    REQUIRE(find("192.168.7.9/16"));
    CHECK(find("192.168.7.9/16")->ifindex == tun.ifindex());

    // bind() fails with EADDRNOTAVAIL while an address is tentative.
    UniqueFd s(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = IpAddress::parse("fd3d:fa7b:d17d::36").to_in6_addr();
    CHECK(::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);

    CHECK(run("ip -o -4 addr show dev tun0").find("inet 192.168.7.9/16") != std::string::npos);
    // Only our address's line: the kernel's own link-local address (fe80::/64) may well be
    // tentative for a moment.
    auto const line = run("ip -o -6 addr show dev tun0 to fd3d:fa7b:d17d::36/128");
    CHECK(line.find("inet6 fd3d:fa7b:d17d::36/48") != std::string::npos);
    CHECK(line.find("nodad") != std::string::npos);
    CHECK(line.find("tentative") == std::string::npos);
}

TEST_CASE("rtnetlink adds, replaces and deletes routes of both families") {
    enter_private_network_namespace();
    TunDevice tun;
    Rtnetlink rtnl;
    int const dev = tun.ifindex();
    rtnl.set_link_up(dev);
    rtnl.add_address(dev, IpPrefix::parse("192.168.0.1/16"));
    rtnl.add_address(dev, IpPrefix::parse("fd3d:fa7b:d17d::1/48"));

    // Host bits of the destination are dropped, as the kernel wants the network.
    rtnl.add_route({IpPrefix::parse("198.51.100.7/24"), IpAddress::parse("192.168.0.1"), dev});
    rtnl.add_route({IpPrefix::parse("203.0.113.0/24"), std::nullopt, dev});
    rtnl.add_route({IpPrefix::parse("2001:db8::1/32"), IpAddress::parse("fd3d:fa7b:d17d:8888::"), dev});
    // Same destination again: replaced, not an error.
    rtnl.add_route({IpPrefix::parse("198.51.100.0/24"), IpAddress::parse("192.168.0.2"), dev});

    auto v4 = rtnl.routes(AddressFamily::ipv4);
    CHECK(has_route(v4, "198.51.100.0/24", dev, "192.168.0.2"));
    CHECK_FALSE(has_route(v4, "198.51.100.0/24", dev, "192.168.0.1"));
    CHECK(has_route(v4, "203.0.113.0/24", dev, std::nullopt));
    CHECK(has_route(v4, "192.168.0.0/16", dev, std::nullopt));  // the connected route
    auto const v6 = rtnl.routes(AddressFamily::ipv6);
    CHECK(has_route(v6, "2001:db8::/32", dev, "fd3d:fa7b:d17d:8888::"));

    auto const ip4 = run("ip -4 route show");
    CHECK(ip4.find("198.51.100.0/24 via 192.168.0.2 dev tun0") != std::string::npos);
    CHECK(ip4.find("203.0.113.0/24 dev tun0") != std::string::npos);
    auto const ip6 = run("ip -6 route show");
    CHECK(ip6.find("2001:db8::/32 via fd3d:fa7b:d17d:8888:: dev tun0") != std::string::npos);

    rtnl.delete_route({IpPrefix::parse("198.51.100.0/24"), IpAddress::parse("192.168.0.2"), dev});
    rtnl.delete_route({IpPrefix::parse("2001:db8::/32"), std::nullopt, dev});
    v4 = rtnl.routes(AddressFamily::ipv4);
    CHECK_FALSE(has_route(v4, "198.51.100.0/24", dev, "192.168.0.2"));
    CHECK_FALSE(has_route(rtnl.routes(AddressFamily::ipv6), "2001:db8::/32", dev, "fd3d:fa7b:d17d:8888::"));
    CHECK_THROWS_WITH(rtnl.delete_route({IpPrefix::parse("198.51.100.0/24"), std::nullopt, dev}),
                      Catch::Contains("delete route 198.51.100.0/24 dev tun0") && Catch::Contains("No such process"));
}

TEST_CASE("a route via an unreachable gateway is refused with the kernel's own reason") {
    enter_private_network_namespace();
    TunDevice tun;
    Rtnetlink rtnl;
    rtnl.set_link_up(tun.ifindex());
    rtnl.add_address(tun.ifindex(), IpPrefix::parse("192.168.0.1/16"));
    try {
        rtnl.add_route({IpPrefix::parse("198.51.100.0/24"), IpAddress::parse("10.9.9.9"), tun.ifindex()});
        FAIL("the kernel accepted a gateway it cannot reach");
    } catch (Error const& e) {
        std::string const what = e.what();
        INFO(what);
        CHECK(what.starts_with("rtnetlink: add route 198.51.100.0/24 via 10.9.9.9 dev tun0: "));
        CHECK(what.find("Nexthop has invalid gateway") != std::string::npos);  // the extended ACK
    }
    // Declared on-link, the same gateway is accepted.
    rtnl.add_route({IpPrefix::parse("198.51.100.0/24"), IpAddress::parse("10.9.9.9"), tun.ifindex(), true});
    CHECK(has_route(rtnl.routes(AddressFamily::ipv4), "198.51.100.0/24", tun.ifindex(), "10.9.9.9"));

    CHECK_THROWS_WITH(
        rtnl.add_route({IpPrefix::parse("198.51.100.0/24"), IpAddress::parse("fd00::1"), tun.ifindex()}),
        Catch::Contains("families differ"));
}
