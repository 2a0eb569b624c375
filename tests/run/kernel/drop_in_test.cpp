// Under the name `packetdrill`, pktdrill runs as packetdrill's command line does: the Linux
// kernel's selftest runner (`unshare -n packetdrill <args> script.pkt`) and its exit statuses.

#include <catch2/catch.hpp>

#include "child.hpp"

using namespace pktdrill::test;
using namespace std::chrono_literals;

namespace {

// tools/testing/selftests/net/packetdrill/ksft_runner.sh's IPv4 and IPv6 arguments.
std::vector<std::string> const ipv4_args = {"--ip_version=ipv4", "--local_ip=192.168.0.1", "--gateway_ip=192.168.0.1",
                                            "--netmask_ip=255.255.0.0", "--remote_ip=192.0.2.1",
                                            "-D", "CMSG_LEVEL_IP=SOL_IP", "-D", "CMSG_TYPE_RECVERR=IP_RECVERR"};
std::vector<std::string> const ipv6_args = {"--ip_version=ipv6", "--mtu=1520", "--local_ip=fd3d:0a0b:17d6::1",
                                            "--gateway_ip=fd3d:0a0b:17d6:8888::1", "--remote_ip=fd3d:fa7b:d17d::1",
                                            "-D", "CMSG_LEVEL_IP=SOL_IPV6", "-D", "CMSG_TYPE_RECVERR=IPV6_RECVERR"};

std::string packetdrill() {
    auto const binary = std::filesystem::path(pktdrill_binary());
    return (binary.parent_path() / "packetdrill").string();
}

int run_as_selftest(std::vector<std::string> const& args, std::string const& script_text, std::string& output) {
    TempDir dir;
    auto const script = dir.write("test.pkt", script_text);
    std::vector<std::string> argv{"/usr/bin/unshare", "-n", packetdrill()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(script.filename().string());
    Child child(argv, dir.path());
    auto const status = child.wait_for(30s);
    output = child.output();
    return status.value_or(-1);
}

std::string const passive_open = R"(0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <...>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1
)";

}  // namespace

TEST_CASE("as packetdrill under unshare -n, a passing script exits 0 with the selftests' IPv4 and IPv6 arguments",
          "[drop-in]") {
    for (auto const* args : {&ipv4_args, &ipv6_args}) {
        std::string output;
        int const status = run_as_selftest(*args, passive_open, output);
        INFO(output);
        CHECK(status == 0);
    }
}

TEST_CASE("as packetdrill, a failing script and an invalid one both exit 1, as packetdrill's do", "[drop-in]") {
    std::string output;
    CHECK(run_as_selftest(ipv4_args, passive_open + "+0 > P. 1001:2001(1000) ack 1\n", output) == 1);
    CHECK(run_as_selftest(ipv4_args, "0 socket(..., SOCK_STREAM\n", output) == 1);
    CHECK_THAT(output, Catch::Contains("test.pkt:1:"));
}

TEST_CASE("an IPv6 SYN injected right after setup is always answered (the local route is waited for)", "[ipv6]") {
    // The kernel installs an IPv6 address's local route asynchronously; before the fix about one
    // run in forty lost its first SYN. Thirty runs in a row make a regression visible.
    std::string const script = R"(0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 100>
+0 > S. 0:0(0) ack 1 <...>
)";
    int failures = 0;
    std::string output;
    for (int i = 0; i < 30; ++i) {
        TempDir dir;
        auto const path = dir.write("v6.pkt", script);
        std::vector<std::string> argv{pktdrill_binary()};
        argv.insert(argv.end(), ipv6_args.begin(), ipv6_args.end());
        argv.push_back(path.string());
        Child child(argv, dir.path());
        if (child.wait_for(30s) != 0) {
            ++failures;
            output = child.output();
        }
    }
    INFO(output);
    CHECK(failures == 0);
}
