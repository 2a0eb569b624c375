// Protocol features of the language against the real kernel, over IPv4, IPv6 and IPv4-mapped
// IPv6: UDP, TCP timestamps (val/ecr remapping), ECN (flags and IP codepoints), ICMP errors that
// change the path MTU. Each works when right and fails with the expected message when wrong.

#include <catch2/catch.hpp>

#include "child.hpp"

using namespace pktdrill::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> const ipv4 = {};
std::vector<std::string> const ipv6 = {"--ip_version=ipv6", "--mtu=1520", "--local_ip=fd3d:0a0b:17d6::1",
                                       "--gateway_ip=fd3d:0a0b:17d6:8888::1", "--remote_ip=fd3d:fa7b:d17d::1"};
std::vector<std::string> const mapped = {"--ip_version=ipv4-mapped-ipv6"};

struct Outcome {
    int status = -1;
    std::string output;
};

Outcome run(std::vector<std::string> const& args, std::string const& text) {
    TempDir dir;
    auto const script = dir.write("f.pkt", text);
    std::vector<std::string> argv{pktdrill_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(script.string());
    Child child(argv, dir.path());
    auto const status = child.wait_for(30s);
    return {status.value_or(-1), child.output()};
}

void passes_everywhere(std::string const& text) {
    for (auto const* args : {&ipv4, &ipv6, &mapped}) {
        auto const o = run(*args, text);
        INFO((args->empty() ? std::string("ipv4") : args->front()) << ":\n" << o.output);
        CHECK(o.status == 0);
    }
}

// The kernel's window scale follows its receive buffer: fix it, as packetdrill's defaults do.
std::string const buffers = R"(sysctl -q net.ipv4.tcp_rmem="4096 540000 15728640")";

std::string const listen = R"(0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
)";

std::string const udp = R"(0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 bind(3, ..., ...) = 0
+0 connect(3, ..., ...) = 0
+0 write(3, ..., 100) = 100
+0 > udp (100)
+.01 < udp (50)
+0 read(3, ..., 1000) = 50
)";

std::string const timestamps = "`" + buffers + "`\n" + listen + R"(+0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 5000 ecr 100,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 110 ecr 5000>
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1 <nop,nop,TS val 5100 ecr 110>
+.1 < . 1:1(0) ack 1001 win 257 <nop,nop,TS val 120 ecr 5100>
)";

std::string const ecn = "`sysctl -q net.ipv4.tcp_ecn=1; " + buffers + "`\n" + listen +
                        R"(+0 < SEW 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > SE. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 1000) = 1000
+0 > [ect0] P. 1:1001(1000) ack 1
+.1 < [ect0] E. 1:1(0) ack 1001 win 257
)";

// Segmentation offload off, so the segments the new MSS makes are seen one by one.
std::string icmp(std::string const& error, int mss) {
    return "`" + buffers + "; ethtool -K tun0 tso off gso off`\n" + listen +
           R"(+0 < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 1460) = 1460
+0 > P. 1:1461(1460) ack 1
+.01 < )" + error + R"( [1:1461(1460)]
+0 > . 1:)" + std::to_string(1 + mss) + "(" + std::to_string(mss) + R"() ack 1
+0 > P. )" + std::to_string(1 + mss) + ":1461(" + std::to_string(1460 - mss) + R"() ack 1
)";
}

}  // namespace

TEST_CASE("UDP datagrams are sent, checked and injected", "[features]") {
    passes_everywhere(udp);
    std::string wrong = udp;
    wrong.replace(wrong.find("> udp (100)"), 11, "> udp (99)");
    auto const o = run(ipv4, wrong);
    CHECK(o.status == 1);
    CHECK_THAT(o.output, Catch::Contains("f.pkt:5:1: error: live packet payload: expected 99 bytes vs actual 100 bytes"));
}

TEST_CASE("TCP timestamps: outbound TS val mapped to script values, inbound TS ecr mapped back", "[features]") {
    passes_everywhere(timestamps);
    std::string wrong = timestamps;
    // 50 ticks after the data's val: no outbound packet carried it, but it lies in the past. (In
    // SYN-RECV the kernel accepts only an ecr between its SYN-ACKs' vals, so not the handshake.)
    wrong.replace(wrong.find("TS val 120 ecr 5100"), 19, "TS val 120 ecr 5150");
    auto const o = run(ipv4, wrong);
    CHECK(o.status == 1);
    CHECK_THAT(o.output, Catch::Contains("unable to infer live TS ecr for script TS ecr 5150;  no matching or preceding "
                                         "outbound TS val"));
    // With --tcp_ts_ecr_scaled an unknown ecr is extrapolated from the first pair instead.
    CHECK(run({"--tcp_ts_ecr_scaled"}, wrong).status == 0);
}

TEST_CASE("ECN: ECE/CWR flags negotiated, ECT codepoints set on inbound and checked on outbound", "[features]") {
    passes_everywhere(ecn);
    std::string wrong = ecn;
    wrong.replace(wrong.find("> [ect0] P."), 11, "> [ect1] P.");
    auto const o = run(ipv4, wrong);
    CHECK(o.status == 1);
    CHECK_THAT(o.output, Catch::Contains("live packet field ip_ecn: expected: 1 (0x1) vs actual: 2 (0x2)"));
}

TEST_CASE("an ICMP fragmentation-needed or packet-too-big error lowers the MSS", "[features]") {
    auto const v4 = run(ipv4, icmp("icmp unreachable frag_needed mtu 1200", 1160));
    INFO(v4.output);
    CHECK(v4.status == 0);
    auto const v4mapped = run(mapped, icmp("icmp unreachable frag_needed mtu 1200", 1160));
    INFO(v4mapped.output);
    CHECK(v4mapped.status == 0);
    auto const v6 = run(ipv6, icmp("icmp packet_too_big mtu 1400", 1340));
    INFO(v6.output);
    CHECK(v6.status == 0);
}
