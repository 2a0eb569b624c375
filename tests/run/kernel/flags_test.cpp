// packetdrill's command-line flags against the real kernel: --tcp_ts_tick_usecs, --mss, --speed,
// --non_fatal=packet, --init_scripts, --is_anyip and --define/-D. Each does what it says when
// given, and the run fails with the expected message without it (or with a wrong value).

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "family_run.hpp"

using namespace pktdrill::test;
using namespace std::chrono_literals;

namespace {

std::string const defaults = R"(sysctl -q net.ipv4.tcp_timestamps=0 net.ipv4.tcp_rmem="4096 540000 15728640")";

std::string const listen = R"(0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
)";

std::string const established = "`" + defaults + "`\n" + listen +
                                R"(+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
)";

// The kernel's TS clock ticks in milliseconds: 300 ms after the SYN-ACK's val, 300 more.
std::string const timestamps = R"(`sysctl -q net.ipv4.tcp_timestamps=1 net.ipv4.tcp_rmem="4096 540000 15728640"`
)" + listen + R"(+0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 1000 ecr 100,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 1000>
+0 accept(3, ..., ...) = 4
+.2 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1 <nop,nop,TS val 1300 ecr 200>
)";

// A GRO packet: one injected packet of 12000 bytes that the virtio_net_hdr says is twelve
// segments of --mss bytes, whatever MSS the SYN announced. The largest segment the kernel saw
// (tcpi_rcv_mss) is what tells.
std::string const gro = "`" + defaults + "`\n" + listen + R"(+0 < S 0:0(0) win 32792 <mss 1200,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.01 < . 1:1(0) ack 1 win 300
+0 accept(3, ..., ...) = 4
+0 < . 1:12001(12000) ack 1 win 300
+0 > . 1:1(0) ack 12001
+0 %{ assert tcpi_rcv_mss == 1000, tcpi_rcv_mss }%
)";

// The window is 1050 (scaled by 8): `win 1000` is a mismatch; what comes after it still runs.
std::string const non_fatal = established + R"(+0 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1 win 1000
+.1 < . 1:1(0) ack 1001 win 257
+0 write(4, ..., 500) = 500
+0 > P. 1001:1501(500) ack 1 win 1050
)";

// The init scripts run in order, in the run's namespace (the sysctl takes SACK out of the
// SYN-ACK), before the script's init command.
std::string init_scripts(std::string const& dir) {
    return "`" + defaults + "; echo init >> " + dir + "/order`\n" + listen +
           R"(+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 `test "$(tr '\n' ' ' < )" + dir + R"pkt(/order)" = "a b init "`
)pkt";
}

// --is_anyip: the local address is not on tun0, and the route to the peer has no gateway. An
// anyip route (a `local` route for a whole prefix) makes the kernel take the address as its own.
std::string anyip_route(Family const& f) {
    return &f == &ipv6 ? "ip -6 route add local fd3d:a0b:17d6::/48 dev lo && sysctl -q net.ipv6.ip_nonlocal_bind=1"
                       : "ip route add local 192.168.0.0/16 dev lo";
}

std::string const anyip_checks =
    R"(! ip addr show dev tun0 | grep -qE 'inet6? (192\.168|fd3d)' && ! { ip -4 route show dev tun0; ip -6 route show dev tun0; } | grep -q via)";

std::string anyip_tcp(Family const& f) {
    return "`" + defaults + "; " + anyip_route(f) + "`\n" + listen + "+0 `" + anyip_checks + R"(`
+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
)";
}

// A datagram received before anything was sent: the injected packet takes its addresses and
// ports from the configuration.
std::string anyip_udp(Family const& f) {
    return "`" + anyip_route(f) + R"(`
0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 bind(3, ..., ...) = 0
+0 < udp (10)
+0 recvfrom(3, ..., 100, 0, ..., ...) = 10
+0 sendto(3, ..., 20, 0, ..., ...) = 20
+0 > udp (20)
)";
}

// Defines stand for a whole command (the init command, a timed command), for integers in packet
// lines (window, MSS option, payload length) and in system call lines.
std::string const defines = R"(--define=LEN=500
SETUP
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win WIN <mss MSS,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win WIN
+0 accept(3, ..., ...) = 4
+0 CHECK
+0 write(4, ..., LEN) = LEN
+0 > P. 1:501(LEN) ack 1
)";

std::vector<std::string> const define_args = {
    "-D", "SETUP=`" + defaults + " net.ipv4.tcp_sack=0`", "-D", "CHECK=`sysctl -n net.ipv4.tcp_sack | grep -qx 0`",
    "-D", "WIN=257", "-D", "MSS=1000"};

}  // namespace

TEST_CASE("flag --tcp_ts_tick_usecs checks the outbound TS val within the tolerance", "[flags]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, {"--tcp_ts_tick_usecs=1000"}, timestamps);
    // 100 ticks of 1 ms are more than the 50 ms tolerance.
    std::string const wrong = replaced(timestamps, "TS val 1300 ecr 200", "TS val 1400 ecr 200");
    fails_with(ipv4, {"--tcp_ts_tick_usecs=1000"}, wrong,
               "f.pkt:11:1: error: bad outbound TCP timestamp value, tolerance 50000");
    fails_with(ipv6, {"--tcp_ts_tick_usecs=1000"}, wrong,
               "f.pkt:11:1: error: bad outbound TCP timestamp value, tolerance 50000");
    // Without the flag the val is not checked at all.
    passes(ipv4, {}, wrong);
}

TEST_CASE("flag --mss injects a GSO packet of --mss sized segments through the virtio_net_hdr", "[flags]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, {"--mss=1000"}, gro);
    fails_with(ipv4, {"--mss=1100"}, gro, "f.pkt:12:7: error: AssertionError: 1100");
    // Without it the packet is one segment of 12000 bytes: the estimate is the largest it can be.
    fails_with(ipv6, {}, gro, "f.pkt:12:7: error: AssertionError: 1460");
}

TEST_CASE("flag --speed sets tun0's link speed", "[flags]") {
    std::string const speed = "0 `ethtool tun0 | grep -q 'Speed: 100Mb/s'`\n";
    passes(ipv4, {"--speed=100"}, speed);
    passes(ipv6, {"--speed=100"}, speed);
    fails_with(ipv4, {}, speed, "f.pkt:1:1: error: error executing `ethtool tun0 | grep -q 'Speed: 100Mb/s'` "
                                "command: non-zero status 1");
    fails_with(ipv4, {"--speed=1000"}, speed, "error executing `ethtool tun0");
}

TEST_CASE("flag --non_fatal=packet turns a packet mismatch into a warning and the run goes on", "[flags]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) {
        auto const o = run(*f, {"--non_fatal=packet"}, non_fatal);
        INFO(f->name << ":\n" << o.output);
        CHECK(o.status == 0);
        CHECK_THAT(o.output, Catch::Contains("f.pkt:11:1: warning: live packet field tcp_window: expected: 1000 "
                                             "(0x3e8) vs actual: 1050 (0x41a)"));
    }
    // Without it the mismatch ends the run.
    fails_with(ipv4, {}, non_fatal,
               "f.pkt:11:1: error: live packet field tcp_window: expected: 1000 (0x3e8) vs actual: 1050 (0x41a)");
    // The run went on: a wrong result after the mismatch is still found (and is fatal).
    auto const later = run(ipv4, {"--non_fatal=packet"}, replaced(non_fatal, "write(4, ..., 500) = 500", "write(4, ..., 500) = 499"));
    INFO(later.output);
    CHECK(later.status == 1);
    CHECK_THAT(later.output, Catch::Contains("f.pkt:11:1: warning: live packet field tcp_window"));
    CHECK_THAT(later.output, Catch::Contains("f.pkt:13:1: error: runtime error in write call: Expected result 499 but got 500"));
    // A payload of the wrong size stays fatal, as in packetdrill.
    fails_with(ipv4, {"--non_fatal=packet"}, replaced(non_fatal, "> P. 1001:1501(500)", "> P. 1001:1401(400)"),
               "f.pkt:14:1: error: live packet payload: expected 400 bytes vs actual 500 bytes");
}

TEST_CASE("flag --init_scripts run in order, in the run's namespace, before the init command", "[flags]") {
    TempDir dir;
    std::string const d = dir.path().string();
    auto const a = dir.write("a.sh", "#!/bin/sh\necho a >> " + d + "/order\n");
    auto const b = dir.write("b.sh", "#!/bin/sh\necho b >> " + d + "/order\nsysctl -q net.ipv4.tcp_sack=0\n");
    REQUIRE(::chmod(a.c_str(), 0755) == 0);
    REQUIRE(::chmod(b.c_str(), 0755) == 0);
    auto const order = dir.path() / "order";
    std::filesystem::remove(order);
    auto const ok = run_in(dir, ipv4, {"--init_scripts=" + a.string() + "," + b.string()}, init_scripts(d));
    INFO(ok.output);
    CHECK(ok.status == 0);

    std::filesystem::remove(order);
    auto const reversed = run_in(dir, ipv6, {"--init_scripts=" + b.string() + "," + a.string()}, init_scripts(d));
    INFO(reversed.output);
    CHECK(reversed.status == 1);
    CHECK_THAT(reversed.output, Catch::Contains("f.pkt:10:1: error: error executing `test"));

    std::filesystem::remove(order);
    auto const none = run_in(dir, ipv4, {}, init_scripts(d));
    INFO(none.output);
    CHECK(none.status == 1);
    CHECK_THAT(none.output, Catch::Contains("f.pkt:7:1: error: live packet field ipv4_total_length: expected: 48 (0x30) vs actual: 52 (0x34)"));
}

TEST_CASE("flag --is_anyip leaves the local address off tun0 and routes without a gateway", "[flags]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) {
        passes(*f, {"--is_anyip"}, anyip_tcp(*f));
        passes(*f, {"--is_anyip"}, anyip_udp(*f));
    }
    // Without the anyip route the address is nobody's.
    fails_with(ipv4, {"--is_anyip"}, replaced(anyip_tcp(ipv4), "; " + anyip_route(ipv4), ""),
               "f.pkt:4:1: error: runtime error in bind call: Expected result 0 but got -1 with errno 99");
    // Without --is_anyip the address is on tun0 and the route goes through the gateway.
    fails_with(ipv4, {}, anyip_tcp(ipv4), "f.pkt:6:1: error: error executing `! ip addr show dev tun0");
    fails_with(ipv6, {}, anyip_tcp(ipv6), "f.pkt:6:1: error: error executing `! ip addr show dev tun0");
}

TEST_CASE("flag --define and -D stand for commands and for values in packet and system call lines", "[flags]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, define_args, defines);
    // The command line wins over the script's --define: the packet line no longer adds up.
    auto args = define_args;
    args.insert(args.end(), {"-D", "LEN=600"});
    fails_with(ipv4, args, defines, "f.pkt:13:9: error: inconsistent TCP sequence numbers and payload size", 2);
    // The same value in the system call lines only: the kernel sends what the write wrote.
    fails_with(ipv4, args, replaced(defines, "1:501(LEN)", "1:501(500)"),
               "f.pkt:13:1: error: live packet payload: expected 500 bytes vs actual 600 bytes");
    // The command a define stands for runs where the define stands.
    args = define_args;
    args[3] = "CHECK=`sysctl -n net.ipv4.tcp_sack | grep -qx 1`";
    fails_with(ipv6, args, defines,
               "f.pkt:11:1: error: error executing `sysctl -n net.ipv4.tcp_sack | grep -qx 1` command: non-zero status 1");
    args = define_args;
    args[1] = "SETUP=`" + defaults + "`";
    fails_with(mapped, args, defines,
               "f.pkt:8:1: error: live packet field ipv4_total_length: expected: 48 (0x30) vs actual: 52 (0x34)");
}
