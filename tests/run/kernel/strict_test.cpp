// --strict: an outbound packet of the socket under test that no `>` line takes fails the run,
// naming the packet (in script syntax) and the line it came after, including a packet still in
// flight when the script ends. Without --strict, packetdrill's verdicts stand.

#include <catch2/catch.hpp>

#include "child.hpp"

using namespace pktdrill::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

struct Verdict {
    int status = -1;
    std::string output;
};

Verdict run(TempDir const& dir, std::string const& text, std::vector<std::string> flags = {}) {
    auto const script = dir.write("strict.pkt", text);
    std::vector<std::string> args{pktdrill_binary()};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(script.string());
    Child child(args, dir.path());
    auto const status = child.wait_for(30s);
    return {status.value_or(-1), child.output()};
}

// A connection accepted as fd 4 (lines 1-8), the handshake's ACK 100 ms after the SYN-ACK so
// that no retransmission or probe timer of the kernel fires within a few hundred milliseconds.
std::string const accepted =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 65535 <mss 1460>\n"
    "+0 > S. 0:0(0) ack 1 <...>\n"
    "+.1 < . 1:1(0) ack 1 win 65535\n"
    "+0 accept(3, ..., ...) = 4\n";

std::string const ends_in_write = accepted + "+.1 write(4, ..., 1000) = 1000\n";

}  // namespace

TEST_CASE("strict: a script ending in write() with no > line passes without --strict, as packetdrill has it", "[strict]") {
    TempDir dir;
    auto const v = run(dir, ends_in_write);
    INFO(v.output);
    CHECK(v.status == 0);
}

TEST_CASE("strict: --strict fails a script ending in write() with no > line, naming the data segment and the write",
          "[strict]") {
    TempDir dir;
    auto const v = run(dir, ends_in_write, {"--strict"});
    INFO(v.output);
    CHECK(v.status == 1);
    CHECK_THAT(v.output, Contains("strict.pkt:9:1: error: unexpected outbound packet (--strict): no `>` line expects "
                                  "`> P. 1:1001(1000) ack 1 win "));
    CHECK_THAT(v.output, Contains("s after this line\n+.1 write(4, ..., 1000) = 1000\n^\n"));
    CHECK_THAT(v.output, Contains("actual packet:"));
}

TEST_CASE("strict: --strict passes the same script with the write's > line", "[strict]") {
    TempDir dir;
    auto const v = run(dir, ends_in_write + "+0 > P. 1:1001(1000) ack 1 <...>\n", {"--strict"});
    INFO(v.output);
    CHECK(v.status == 0);
}

TEST_CASE("strict: --strict fails on a packet in mid-script that no > line takes, at the line it came after", "[strict]") {
    TempDir dir;
    // close() sends a FIN nobody checks; the run goes on and fails before the next line.
    auto const v = run(dir, accepted + "+.1 close(4) = 0\n+.1 < . 1:1(0) ack 2 win 257\n", {"--strict"});
    INFO(v.output);
    CHECK(v.status == 1);
    CHECK_THAT(v.output, Contains("strict.pkt:9:1: error: unexpected outbound packet (--strict): no `>` line expects "
                                  "`> F. 1:1(0) ack 1 win "));
    CHECK(v.output.find("strict.pkt:10:") == std::string::npos);
}

TEST_CASE("strict: --strict lets a > line a few +0 lines down take a packet sent before them", "[strict]") {
    TempDir dir;
    // The kernel acks the data before read() runs; the > line after read() takes the ACK, as in
    // packetdrill.
    auto const v = run(dir, accepted + "+.1 < P. 1:1001(1000) ack 1 win 257\n+0 read(4, ..., 1000) = 1000\n"
                                       "+0 > . 1:1(0) ack 1001\n",
                       {"--strict"});
    INFO(v.output);
    CHECK(v.status == 0);
}
