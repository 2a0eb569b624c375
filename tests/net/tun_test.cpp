#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "src/base/error.hpp"
#include "tests/net/kernel_test_helpers.hpp"

using pktdrill::Error;
using pktdrill::UniqueFd;
using namespace pktdrill::net;
using namespace pktdrill::net::test;

namespace {

// Sends n one-byte UDP datagrams to the remote host, i.e. out through tun0.
void send_datagrams(IpAddress const& remote, int n, TunDevice* drain_every_100 = nullptr,
                    std::size_t* drained = nullptr) {
    UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(s);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr = remote.to_in_addr();
    for (int i = 1; i <= n; ++i) {
        REQUIRE(::sendto(s.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == 1);
        if (drain_every_100 && i % 100 == 0) *drained += drain_every_100->drain();
    }
}

}  // namespace

TEST_CASE("a TUN device named tun0 is created down, without packet info and with a virtio header") {
    enter_private_network_namespace();
    TunDevice tun;
    CHECK(tun.name() == "tun0");
    CHECK(tun.fd() >= 0);

    ifreq ifr{};
    REQUIRE(::ioctl(tun.fd(), TUNGETIFF, &ifr) == 0);
    CHECK(std::string(ifr.ifr_name) == "tun0");
    CHECK((ifr.ifr_flags & IFF_TUN) != 0);
    CHECK((ifr.ifr_flags & IFF_NO_PI) != 0);
    CHECK((ifr.ifr_flags & IFF_VNET_HDR) != 0);

    Rtnetlink rtnl;
    CHECK(rtnl.link_index("tun0") == tun.ifindex());
    auto const link = rtnl.link(tun.ifindex());
    CHECK((link.flags & IFF_UP) == 0);
    CHECK((link.flags & IFF_NOARP) != 0);
    CHECK(link.mtu == 1500);
    auto const ip = run("ip -d -o link show dev tun0");
    CHECK(ip.find("tun type tun pi off vnet_hdr on") != std::string::npos);
}

TEST_CASE("a second tun0 in the same namespace is refused with a clear error") {
    enter_private_network_namespace();
    TunDevice first;
    CHECK_THROWS_WITH(TunDevice(), Catch::Contains("cannot create TUN device tun0") &&
                                       Catch::Contains("already exists in this network namespace"));
    // Any other device of that name counts too: the name is what scripts rely on.
    TunDevice other("tun1");
    CHECK(other.ifindex() != first.ifindex());
    CHECK_THROWS_WITH(TunDevice("lo"), Catch::Contains("already exists"));
    CHECK_THROWS_AS(TunDevice("a-name-longer-than-ifnamsiz"), Error);
}

TEST_CASE("tun0 disappears with its TunDevice") {
    enter_private_network_namespace();
    Rtnetlink rtnl;
    {
        TunDevice tun;
        CHECK(rtnl.find_link_index("tun0"));
    }
    CHECK_FALSE(rtnl.find_link_index("tun0"));
    // ...so the name is free again at once.
    TunDevice again;
    CHECK(again.name() == "tun0");
}

TEST_CASE("drain() keeps the kernel from dropping packets queued on tun0") {
    TestNetwork net(selftest_ipv4_config());
    auto& tun = *net.tun;
    auto const remote = net.config.remote.address();
    auto const queue_length = 500;  // the TUN driver's transmit ring (tx_queue_len)

    // Nobody reading: the ring fills and the kernel drops the rest.
    send_datagrams(remote, 4 * queue_length);
    auto const dropped_before = net.rtnl->link(tun.ifindex()).tx_dropped;
    CHECK(dropped_before > 0);
    CHECK(tun.drain() <= static_cast<std::size_t>(queue_length));
    CHECK(tun.drain() == 0);  // empty now, and non-blocking

    // Reading as we go: nothing is dropped.
    std::size_t drained = 0;
    send_datagrams(remote, 4 * queue_length, &tun, &drained);
    drained += tun.drain();
    CHECK(drained >= static_cast<std::size_t>(4 * queue_length));  // plus any IPv6 chatter
    CHECK(net.rtnl->link(tun.ifindex()).tx_dropped == dropped_before);
}
