#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "src/base/error.hpp"
#include "tests/net/kernel_test_helpers.hpp"

using namespace pktdrill::net;
using namespace pktdrill::net::test;

namespace {

NetworkNamespaceId namespace_of(pid_t pid) {
    struct stat st{};
    auto const path = "/proc/" + std::to_string(pid) + "/ns/net";
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return {st.st_dev, st.st_ino};
}

std::size_t entries_in(char const* directory) {
    std::error_code ec;
    std::size_t n = 0;
    for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
}

}  // namespace

TEST_CASE("a private network namespace is new and has only the loopback device, up") {
    auto const before = current_network_namespace();
    std::size_t const named_before = entries_in("/run/netns");

    enter_private_network_namespace();

    auto const now = current_network_namespace();
    CHECK(now != before);
    // The process that started the test (ctest, a shell) sits in another namespace still.
    CHECK(now != namespace_of(::getppid()));
    CHECK(now.to_string().starts_with("net:["));
    // Anonymous: nothing was bind-mounted under /run/netns.
    CHECK(entries_in("/run/netns") == named_before);

    Rtnetlink rtnl;
    auto const links = rtnl.links();
    REQUIRE(links.size() == 1);
    CHECK(links[0].name == "lo");
    CHECK((links[0].flags & IFF_UP) != 0);
    CHECK(rtnl.link_index("lo") == links[0].index);

    // A second opinion from iproute2, run inside the same namespace.
    auto const ip = run("ip -o link show");
    CHECK(ip.find("lo: <LOOPBACK,UP,LOWER_UP>") != std::string::npos);
    CHECK(std::count(ip.begin(), ip.end(), '\n') == 1);

    // lo up gives the usual loopback addresses: the namespace is usable at once.
    auto const addresses = rtnl.addresses();
    auto const has = [&](char const* text) {
        auto const p = IpPrefix::parse(text);
        return std::any_of(addresses.begin(), addresses.end(), [&](AddressInfo const& a) { return a.prefix == p; });
    };
    CHECK(has("127.0.0.1/8"));
    CHECK(has("::1/128"));
}

TEST_CASE("entering a private network namespace is refused once other threads exist") {
    std::atomic<bool> stop = false;
    std::thread other([&] {
        while (!stop) std::this_thread::sleep_for(1ms);
    });
    auto const before = current_network_namespace();
    CHECK_THROWS_WITH(enter_private_network_namespace(), Catch::Contains("threads"));
    CHECK(current_network_namespace() == before);
    stop = true;
    other.join();
    // The kernel drops the thread from /proc/self/task a moment after join() returns; wait for
    // it so that later test cases in the same process can enter namespaces again.
    auto const deadline = Clock::now() + patience;
    while (entries_in("/proc/self/task") > 1 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    CHECK(entries_in("/proc/self/task") == 1);
}
