// The renderer: the model printed back in script syntax (for --dump and failure messages), in a
// canonical form that parses back to the same model.

#include <catch2/catch.hpp>

#include "tests/script/access.hpp"

namespace {

using namespace pktdrill::test;
using pktdrill::script::render;

std::string rendered(std::string const& action, std::vector<std::string> const& args = {}) {
    return render(only(action, args).action);
}

}  // namespace

TEST_CASE("times render as the shortest exact decimal", "[render]") {
    using model::TimeKind;
    using model::TimeSpec;
    CHECK(render(TimeSpec{TimeKind::absolute, 0, 0}) == "0");
    CHECK(render(TimeSpec{TimeKind::absolute, 100'000, 0}) == "0.1");
    CHECK(render(TimeSpec{TimeKind::relative, 1'000'250, 0}) == "+1.00025");
    CHECK(render(TimeSpec{TimeKind::absolute_range, 100'000, 300'000}) == "0.1~0.3");
    CHECK(render(TimeSpec{TimeKind::relative_range, 0, 2'000'000}) == "+0~+2");
    CHECK(render(TimeSpec{TimeKind::any, 0, 0}) == "*");
    CHECK(pktdrill::script::format_seconds(1'500'000) == "1.500000");
}

TEST_CASE("flags render in a fixed order with '.' last and the ACE digit after it", "[render]") {
    CHECK(rendered("> PF. 1:1(0)") == "> FP. 1:1(0)");
    CHECK(rendered("> WES 0:0(0)") == "> SEW 0:0(0)");
    CHECK(rendered("> S.5 0:0(0)") == "> S.5 0:0(0)");
    CHECK(rendered("> .0 1:1(0)") == "> .0 1:1(0)");
    CHECK(rendered("> - 1:1(0)") == "> - 1:1(0)");
}

TEST_CASE("a TCP packet renders with everything it was given", "[render]") {
    CHECK(rendered("<  [ect0,flowlabel 0x1] 8080>40000  P.  1:1001(1000) ack 1 win 257 urg 3 <nop, nop,TS val 1 ecr 2>") ==
          "< [ect0, flowlabel 0x1] 8080>40000 P. 1:1001(1000) ack 1 win 257 urg 3 <nop,nop,TS val 1 ecr 2>");
    CHECK(rendered("> S. 0:0(0) ack 1 <...>") == "> S. 0:0(0) ack 1 <...>");
}

TEST_CASE("encapsulations, UDP and ICMP render as written", "[render]") {
    CHECK(rendered("< ipv4 1.2.3.4 > 5.6.7.8: gre: mpls (label 1, tc 0, [S], ttl 2): udp 1>2 (3)") ==
          "< ipv4 1.2.3.4 > 5.6.7.8: gre flags [none] sum 0 off 0 key 0 seq 0: mpls (label 1, tc 0, [S], ttl 2): udp 1>2 (3)");
    CHECK(rendered("< icmp unreachable frag_needed mtu 1200 [1:1461(1460)]") ==
          "< icmp unreachable frag_needed mtu 1200 [1:1461(1460)]");
    CHECK(rendered("> encap psp spi 23 P. 1001:1501(500) ack 1001") == "> encap psp spi 23 P. 1001:1501(500) ack 1001");
}

TEST_CASE("system calls render with canonical spacing, results, errno and notes", "[render]") {
    CHECK(rendered("f( 1 ,0x1F,\"a\\n\" \"b\" , [ ] ,A|B) = -1 EAGAIN (Resource temporarily unavailable) (note)") ==
          "f(1, 0x1f, \"a\\nb\", [], A|B) = -1 EAGAIN (Resource temporarily unavailable) (note)");
    CHECK(rendered("poll([{fd=4, events=POLLIN}], 1, 0) = 1") ==
          "poll([{fd=4, events=POLLIN, revents=0}], 1, 0) = 1");
}

TEST_CASE("strings render with escapes for what is not printable", "[render]") {
    CHECK(render(string("a\"b\\c\n\t\x01\xff")) == "\"a\\\"b\\\\c\\n\\t\\x01\\xff\"");
    CHECK(render(string("x", true)) == "\"x\"...");
}

TEST_CASE("the dump: options, init command, one commented line per event, cleanup command", "[render][dump]") {
    auto const s = load_ok("--tolerance_usecs=1000\n--code_command=\"python3 -u\"\n`init`\n"
                           "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+.1 < S 0:0(0) win 1\n`cleanup`\n");
    CHECK(pktdrill::script::dump(s) ==
          "// pktdrill --dump of test.pkt: nominal time, kind, source line, event\n"
          "--tolerance_usecs=1000\n"
          "--code_command=\"python3 -u\"\n"
          "`init`\n"
          "/* 0.000000 syscall  L4    */ 0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "/* 0.100000 inbound  L5    */ +0.1 < S 0:0(0) win 1\n"
          "`cleanup`\n");
}

TEST_CASE("a blocking call renders its end time", "[render][dump]") {
    CHECK(render(events("0 close(3) = 0\n+.1...0.25 read(3, ..., 1) = 1\n").at(1)) == "+0.1...0.25 read(3, ..., 1) = 1");
}
