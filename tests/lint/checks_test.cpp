// Each lint check fires on the mistake it is about, points at it, explains it and, where the
// right text can be worked out, carries the fix-it; and stays silent on the correct line and on
// the deliberate uses packetdrill's own tests make of the same constructs.

#include <catch2/catch.hpp>

#include "lint_support.hpp"

using namespace pktdrill::test;
using Catch::Matchers::Contains;
using Fired = std::vector<std::string>;

namespace {

// A passive connection accepted as fd 4; the lines after it start at line 8.
std::string const accepted =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 65535 <mss 1460>\n"
    "+0 > S. 0:0(0) ack 1 <...>\n"
    "+.1 < . 1:1(0) ack 1 win 65535\n"
    "+0 accept(3, ..., ...) = 4\n";

}  // namespace

TEST_CASE("ack-missing: an inbound ACK segment without ack is flagged, with the ack the peer last sent as fix-it",
          "[lint]") {
    auto const l = lint_text(accepted + "+.1 < F. 1:1(0) win 65535\n");
    CHECK(l.fired() == Fired{"ack-missing@8"});
    CHECK(l.findings[0].diagnostic.where.column == 16);  // right after the sequence range
    CHECK_THAT(l.printed, Contains("test.pkt:8:16: warning: this segment has the ACK flag but no `ack`"));
    CHECK_THAT(l.printed, Contains("[-Wack-missing]\n+.1 < F. 1:1(0) win 65535\n               ^\n                ack 1\n"));
    CHECK(l.fixed() == accepted + "+.1 < F. 1:1(0) ack 1 win 65535\n");
}

TEST_CASE("ack-missing: the fix-it acknowledges the kernel's FIN once the peer acked it", "[lint]") {
    auto const l = lint_text(accepted + "+.1 close(4) = 0\n+0 > F. 1:1(0) ack 1 <...>\n+.1 < . 1:1(0) ack 2 win 257\n"
                                        "+.1 < F. 1:1(0) win 257\n");
    CHECK(l.fired() == Fired{"ack-missing@11"});
    CHECK_THAT(l.fixed(), Contains("+.1 < F. 1:1(0) ack 2 win 257\n"));
}

TEST_CASE("ack-missing: silent with an ack, without the ACK flag, and on a RST (whose ack is not looked at)", "[lint]") {
    CHECK(lint_text(accepted + "+.1 < F. 1:1(0) ack 1 win 65535\n").fired().empty());
    CHECK(lint_text(accepted + "+.1 < R. 1:1(0) win 65535\n").fired().empty());
    CHECK(lint_text("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n"
                    "+0 < S 0:0(0) win 65535\n")
              .fired()
              .empty());
}

TEST_CASE("ack-unsent: an ack of data the script writes only later is flagged, with what was sent as fix-it", "[lint]") {
    auto const l = lint_text(accepted + "+.1 < . 1:1(0) ack 1001 win 257\n+0 write(4, ..., 1000) = 1000\n");
    CHECK(l.fired() == Fired{"ack-unsent@8"});
    CHECK_THAT(l.printed, Contains("ack 1001 acknowledges data the kernel cannot have sent by this line"));
    CHECK_THAT(l.fixed(), Contains("+.1 < . 1:1(0) ack 1 win 257\n"));
}

TEST_CASE("ack-unsent: silent after the write, and on a deliberately invalid ack far beyond all the kernel sends",
          "[lint]") {
    CHECK(lint_text(accepted + "+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1 <...>\n"
                               "+.1 < . 1:1(0) ack 1001 win 257\n")
              .fired()
              .empty());
    // As packetdrill's ts_recent/invalid_ack.pkt does: the kernel must drop it.
    CHECK(lint_text(accepted + "+0 < F. 1:1(0) ack 9999 win 257\n+0 < . 1:1001(1000) ack 1 win 257\n").fired().empty());
}

TEST_CASE("seq-gap: a segment after bytes the peer never sends is flagged", "[lint]") {
    auto const l = lint_text(accepted + "+.1 < P. 11:21(10) ack 1 win 257\n");
    CHECK(l.fired() == Fired{"seq-gap@8"});
    CHECK_THAT(l.printed, Contains("skips sequence numbers 1 to 11, which the peer never sends"));
}

TEST_CASE("seq-gap: silent when the hole is filled later (reordering on purpose)", "[lint]") {
    CHECK(lint_text(accepted + "+.1 < P. 11:21(10) ack 1 win 257\n+0 < P. 1:11(10) ack 1 win 257\n").fired().empty());
}

TEST_CASE("seq-overlap: a pure ACK or FIN behind the peer's data is flagged, with the next sequence number as fix-it",
          "[lint]") {
    auto const l = lint_text(accepted + "+.1 < P. 1:1001(1000) ack 1 win 257\n+0 read(4, ..., 1000) = 1000\n"
                                        "+.1 < F. 1:1(0) ack 1 win 257\n");
    CHECK(l.fired() == Fired{"seq-overlap@10"});
    CHECK_THAT(l.printed, Contains("sequence number 1 lies before what the peer sent already (it is at 1001)"));
    CHECK_THAT(l.fixed(), Contains("+.1 < F. 1001:1001(0) ack 1 win 257\n"));
}

TEST_CASE("seq-overlap: data that overlaps earlier data and goes beyond is flagged", "[lint]") {
    auto const l = lint_text(accepted + "+.1 < P. 1:101(100) ack 1 win 257\n+0 < P. 51:151(100) ack 1 win 257\n");
    CHECK(l.fired() == Fired{"seq-overlap@9"});
}

TEST_CASE("seq-overlap: silent on retransmissions and when the kernel did not take SYN data", "[lint]") {
    CHECK(lint_text(accepted + "+.1 < P. 1:1001(1000) ack 1 win 257\n+.2 < P. 1:1001(1000) ack 1 win 257\n")
              .fired()
              .empty());
    CHECK(lint_text(accepted + "+.1 < F. 1:1(0) ack 1 win 257\n+.2 < F. 1:1(0) ack 1 win 257\n").fired().empty());
    // No Fast Open cookie: the SYN-ACK acks the SYN only, and the peer goes on from 1.
    CHECK(lint_text("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n"
                    "+0 < S 0:10(10) win 65535 <mss 1460>\n+0 > S. 0:0(0) ack 1 <...>\n+.1 < . 1:1(0) ack 1 win 65535\n")
              .fired()
              .empty());
}

TEST_CASE("zero-after-blocking: a call written +0 after a blocking call is flagged, with the call's end as fix-it",
          "[lint]") {
    auto const l = lint_text(accepted + "+0...0.2 read(4, ..., 10) = 10\n+0 write(4, ..., 10) = 10\n"
                                        "+.1 < P. 1:11(10) ack 1 win 257\n");
    CHECK(l.fired() == Fired{"zero-after-blocking@9"});
    CHECK_THAT(l.printed, Contains("this write() is due while it still blocks"));
    CHECK_THAT(l.fixed(), Contains("\n+0.2 write(4, ..., 10) = 10\n"));
}

TEST_CASE("zero-after-blocking: a +0 packet acking data injected only after it is flagged", "[lint]") {
    auto const l = lint_text(accepted + "+0...0.2 read(4, ..., 1000) = 1000\n+0 > . 1:1(0) ack 1001\n"
                                        "+.1 < P. 1:1001(1000) ack 1 win 257\n");
    CHECK(l.fired() == Fired{"zero-after-blocking@9"});
    CHECK_THAT(l.printed, Contains("acknowledges data up to 1001 that the peer has not sent yet"));
}

TEST_CASE("zero-after-blocking: silent on the packet a blocking call sends as it starts, and on lines timed after it",
          "[lint]") {
    CHECK(lint_text("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0...0.1 connect(3, ..., ...) = 0\n"
                    "+0 > S 0:0(0) <...>\n+.1 < S. 0:0(0) ack 1 win 65535 <mss 1460>\n+0 > . 1:1(0) ack 1\n")
              .fired()
              .empty());
    CHECK(lint_text(accepted + "+0...0.2 read(4, ..., 1000) = 1000\n+.2 < P. 1:1001(1000) ack 1 win 257\n"
                               "+0 > . 1:1(0) ack 1001\n")
              .fired()
              .empty());
}

TEST_CASE("narrow-range: a range narrower than the tolerance is flagged", "[lint]") {
    // 12.5% of the 0.3 s gap is 37.5 ms: the 3 ms range says nothing more than +.3 would.
    auto const l = lint_text(accepted + "+0 write(4, ..., 10) = 10\n+.3~+.303 > P. 1:11(10) ack 1\n");
    CHECK(l.fired() == Fired{"narrow-range@9"});
    CHECK_THAT(l.printed, Contains("this range is 0.003 s wide, narrower than the tolerance here (0.0375 s"));
}

TEST_CASE("narrow-range: silent on a range wider than the tolerance", "[lint]") {
    CHECK(lint_text(accepted + "+0 write(4, ..., 10) = 10\n+.3~+.4 > P. 1:11(10) ack 1\n").fired().empty());
    CHECK(lint_text(accepted + "+0 write(4, ..., 10) = 10\n+.004~+.008 > P. 1:11(10) ack 1\n").fired().empty());
}

TEST_CASE("tolerance-below-tick: a tolerance below the kernel's timer tick is flagged, with the tick as fix-it",
          "[lint]") {
    auto const l = lint_text("--tolerance_usecs=1000\n" + accepted);
    CHECK(l.fired() == Fired{"tolerance-below-tick@1"});
    CHECK_THAT(l.printed, Contains("a tolerance of 1000 us is below one tick of this kernel's timers (4000 us)"));
    CHECK(l.fixed() == "--tolerance_usecs=4000\n" + accepted);
}

TEST_CASE("tolerance-below-tick: silent at or above the tick, and the tick is this machine's by default", "[lint]") {
    CHECK(lint_text("--tolerance_usecs=4000\n" + accepted).fired().empty());
    CHECK(lint_text("--tolerance_usecs=1000\n" + accepted, {}, [] {
              pktdrill::lint::LintOptions o;
              o.tick_usecs = 1000;  // HZ=1000
              return o;
          }()).fired().empty());
    CHECK(pktdrill::lint::kernel_tick_usecs() > 0);
    CHECK(pktdrill::lint::kernel_tick_usecs() <= 10000);
}

TEST_CASE("unknown-syscall: a call pktdrill does not know is flagged, with the closest name as fix-it", "[lint]") {
    auto const l = lint_text(accepted + "+0 acept(3, ..., ...) = 5\n");
    CHECK(l.fired() == Fired{"unknown-syscall@8"});
    CHECK_THAT(l.printed, Contains("pktdrill knows no system call 'acept'; did you mean 'accept'?"));
    CHECK_THAT(l.fixed(), Contains("+0 accept(3, ..., ...) = 5\n"));
    CHECK(lint_text(accepted + "+0 frobnicate(3) = 0\n").fired() == Fired{"unknown-syscall@8"});
}

TEST_CASE("unknown-symbol: an unknown symbol or errno name is flagged, with the closest name as fix-it", "[lint]") {
    auto const l = lint_text(accepted + "+0 setsockopt(4, SOL_SOCKET, SO_REUSEADR, [1], 4) = 0\n"
                                        "+0 read(4, ..., 10) = -1 EAGIAN (Resource temporarily unavailable)\n");
    CHECK(l.fired() == Fired{"unknown-symbol@8", "unknown-symbol@9"});
    CHECK_THAT(l.printed, Contains("unknown symbol 'SO_REUSEADR'; did you mean 'SO_REUSEADDR'?"));
    CHECK_THAT(l.printed, Contains("unknown errno name 'EAGIAN'"));
    CHECK_THAT(l.fixed(), Contains("setsockopt(4, SOL_SOCKET, SO_REUSEADDR, [1], 4)"));
}

TEST_CASE("unknown-symbol, unknown-syscall: silent on known names, also when a --define supplies them", "[lint]") {
    CHECK(lint_text(accepted + "+0 setsockopt(4, LEVEL, SO_REUSEADDR, [1], 4) = 0\n"
                               "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
                               "+0 read(4, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)\n",
                    {"-D", "LEVEL=SOL_SOCKET"})
              .fired()
              .empty());
}

TEST_CASE("unchecked-fin: a close() the script goes on from without checking its FIN is flagged, with the line as fix-it",
          "[lint]") {
    // fin_wait1: the state is held (to the end) after the close.
    auto const held = lint_text(accepted + "+.1 close(4) = 0\n+0 `sleep 1`\n");
    CHECK(held.fired() == Fired{"unchecked-fin@8"});
    CHECK_THAT(held.printed, Contains("close() makes the kernel send a FIN that no `>` line checks"));
    CHECK_THAT(held.printed, Contains("fix-it: add after line 8:\n+0 > F. 1:1(0) ack 1 <...>\n"));
    CHECK(held.fixed() == accepted + "+.1 close(4) = 0\n+0 > F. 1:1(0) ack 1 <...>\n+0 `sleep 1`\n");
    // fin_wait2: the peer even acks the FIN.
    CHECK(lint_text(accepted + "+.1 close(4) = 0\n+.1 < . 1:1(0) ack 2 win 257\n").fired() == Fired{"unchecked-fin@8"});
    // After data the script checked, the FIN follows it.
    auto const after_data = lint_text(accepted + "+0 write(4, ..., 100) = 100\n+0 > P. 1:101(100) ack 1 <...>\n"
                                                 "+.1 shutdown(4, SHUT_WR) = 0\n+.1 < . 1:1(0) ack 102 win 257\n");
    CHECK(after_data.fired() == Fired{"unchecked-fin@10"});
    CHECK_THAT(after_data.fixed(), Contains("shutdown(4, SHUT_WR) = 0\n+0 > F. 101:101(0) ack 1 <...>\n"));
}

TEST_CASE("unchecked-fin: silent when checked, when closing only cleans up, and when close() sends no FIN", "[lint]") {
    CHECK(lint_text(accepted + "+.1 close(4) = 0\n+0 > F. 1:1(0) ack 1 <...>\n+0 `sleep 1`\n").fired().empty());
    CHECK(lint_text(accepted + "+.1 close(4) = 0\n").fired().empty());  // the last line
    CHECK(lint_text(accepted + "+.1 close(4) = 0\n+0 `true`\n+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 5\n"
                               "+0 connect(5, ..., ...) = 0\n")
              .fired()
              .empty());  // then the next connection
    // Unread data: close() resets instead.
    CHECK(lint_text(accepted + "+0 < P. 1:11(10) ack 1 win 257\n+.1 close(4) = 0\n+0 > R. 1:1(0) ack 11\n+0 `sleep 1`\n")
              .fired()
              .empty());
    CHECK(lint_text(accepted + "+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n"
                               "+.1 close(4) = 0\n+0 `sleep 1`\n")
              .fired()
              .empty());
    CHECK(lint_text(accepted + "+.1 shutdown(4, SHUT_RD) = 0\n+0 `sleep 1`\n").fired().empty());
}

TEST_CASE("open-socket: off by default; when enabled, flags each socket left open at the end", "[lint]") {
    CHECK(lint_text(accepted).fired().empty());
    pktdrill::lint::LintOptions on;
    on.switches["open-socket"] = true;
    CHECK(lint_text(accepted, {}, on).fired() == Fired{"open-socket@1", "open-socket@7"});
    CHECK(lint_text(accepted + "+0 close(4) = 0\n+0 > F. 1:1(0) ack 1 <...>\n+0 close(3) = 0\n", {}, on).fired().empty());
    pktdrill::lint::LintOptions everything;
    everything.everything = true;
    CHECK(lint_text(accepted, {}, everything).fired() == Fired{"open-socket@1", "open-socket@7"});
}

TEST_CASE("a -Wno-CHECK switch silences that check", "[lint]") {
    pktdrill::lint::LintOptions off;
    off.switches["ack-missing"] = false;
    CHECK(lint_text(accepted + "+.1 < F. 1:1(0) win 65535\n", {}, off).fired().empty());
}

TEST_CASE("a script that does not load is not linted", "[lint]") {
    auto const l = lint_text("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0) win\n");
    CHECK_FALSE(l.loaded);
    CHECK(l.findings.empty());
    CHECK_THAT(l.printed, Contains("error:"));
}
