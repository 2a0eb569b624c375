// Each rule by which a run checks the kernel, proved against the real kernel both ways: the
// wrong script fails with packetdrill's message (at the right line, with both packets shown for
// packet mismatches), and the corrected script passes.

#include <catch2/catch.hpp>

#include "child.hpp"

using namespace pktdrill::test;
using namespace std::chrono_literals;

namespace {

// A passive open, as in packetdrill's own tests. Window scaling is off so that the SYN-ACK's
// options do not depend on the kernel's buffer sizes.
std::string const handshake = R"(`sysctl -q net.ipv4.tcp_window_scaling=0`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK>
+.1 < . 1:1(0) ack 1 win 32792
+0 accept(3, ..., ...) = 4
)";
int const first_line_after_handshake = 10;

struct Outcome {
    int status = -1;
    std::string output;
};

Outcome run(std::string const& body) {
    TempDir dir;
    auto const script = dir.write("test.pkt", handshake + body);
    Child child({pktdrill_binary(), script.string()}, dir.path());
    auto const status = child.wait_for(30s);
    return {status.value_or(-1), child.output()};
}

std::string at(int line_offset) {
    return "test.pkt:" + std::to_string(first_line_after_handshake + line_offset) + ":1: error: ";
}

void expect_pass(std::string const& body) {
    auto const o = run(body);
    INFO(o.output);
    CHECK(o.status == 0);
}

void expect_failure(std::string const& body, std::string const& message) {
    auto const o = run(body);
    INFO(o.output);
    CHECK(o.status == 1);
    CHECK_THAT(o.output, Catch::Contains(message));
}

}  // namespace

TEST_CASE("a wrong ack number fails with the field, both values and both packets", "[matching]") {
    expect_failure("+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 5\n",
                   at(1) + "live packet field tcp_ack_seq: expected: 5 (0x5) vs actual: 1 (0x1)");
    auto const o = run("+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 5\n");
    CHECK_THAT(o.output, Catch::Contains("script packet:"));
    CHECK_THAT(o.output, Catch::Contains("P. 1:1001(1000) ack 5"));
    CHECK_THAT(o.output, Catch::Contains("actual packet:"));
    CHECK_THAT(o.output, Catch::Contains("ack 1"));
    CHECK_THAT(o.output, Catch::Contains("^~~~~"));
    expect_pass("+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n");
}

TEST_CASE("a wrong flag fails naming the flag", "[matching]") {
    expect_failure("+0 write(4, ..., 1000) = 1000\n+0 > . 1:1001(1000) ack 1\n",
                   at(1) + "live packet field tcp_psh: expected: 0 (0x0) vs actual: 1 (0x1)");
    expect_pass("+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n");
}

TEST_CASE("a wrong option value fails with both options in script syntax", "[matching]") {
    std::string wrong = handshake;
    wrong.replace(wrong.find("<mss 1460,nop,nop,sackOK>"), 25, "<mss 1400,nop,nop,sackOK>");
    TempDir dir;
    auto const script = dir.write("test.pkt", wrong);
    Child child({pktdrill_binary(), script.string()}, dir.path());
    auto const status = child.wait_for(30s);
    INFO(child.output());
    CHECK(status == 1);
    CHECK_THAT(child.output(),
               Catch::Contains("test.pkt:7:1: error: bad value in outbound TCP option (kind=2): expected: mss 1400 "
                               "actual: mss 1460"));
    expect_pass("");
}

TEST_CASE("a packet that never comes fails with a timeout", "[matching]") {
    expect_failure("+0 > P. 1:1001(1000) ack 1\n", at(0) + "Timed out waiting for packet");
    expect_pass("+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n");
}

TEST_CASE("a packet sent earlier than scripted fails with packetdrill's timing message", "[matching]") {
    expect_failure("+0 write(4, ..., 1000) = 1000\n+.5 > P. 1:1001(1000) ack 1\n",
                   at(1) + "timing error: expected outbound packet at ");
    auto const o = run("+0 write(4, ..., 1000) = 1000\n+.5 > P. 1:1001(1000) ack 1\n");
    CHECK_THAT(o.output, Catch::Contains(" sec but happened at "));
    CHECK_THAT(o.output, Catch::Contains("sec; tolerance 0.0625"));  // 12.5% of the 0.5 s gap
    expect_pass("+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n");
}

TEST_CASE("a packet sent later than scripted fails with packetdrill's timing message", "[matching]") {
    // The second line expects, at once, what the kernel only retransmits after its RTO.
    expect_failure("+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n+0 > P. 1:1001(1000) ack 1\n",
                   at(2) + "timing error: expected outbound packet at ");
    expect_pass("+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n+.2~+2 > P. 1:1001(1000) ack 1\n");
}

TEST_CASE("a wrong system call result fails with packetdrill's message", "[matching]") {
    expect_failure("+0 write(4, ..., 1000) = 999\n", at(0) + "runtime error in write call: Expected result 999 but got 1000");
    expect_pass("+0 write(4, ..., 1000) = 1000\n");
}

TEST_CASE("a wrong errno fails with packetdrill's message", "[matching]") {
    std::string const nonblocking = "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n";
    expect_failure(nonblocking + "+0 read(4, ..., 1000) = -1 EINTR (Interrupted system call)\n",
                   at(1) + "runtime error in read call: Expected errno 4 (Interrupted system call) but got 11 "
                           "(Resource temporarily unavailable)");
    expect_pass(nonblocking + "+0 read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)\n");
}
