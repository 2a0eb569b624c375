// Every time form and the time spec it loads as (microseconds, kind), blocking system calls'
// end times, and where each event says it starts.

#include <catch2/catch.hpp>

#include "tests/script/access.hpp"

namespace {

using namespace pktdrill::test;
using model::TimeKind;
using model::TimeSpec;

}  // namespace

TEST_CASE("an absolute time is seconds since the start, in microseconds", "[times]") {
    auto const e = events("0 close(3) = 0\n0.100 close(3) = 0\n1.000001 close(3) = 0\n2 close(3) = 0\n");
    CHECK(e[0].time == TimeSpec{TimeKind::absolute, 0, 0});
    CHECK(e[1].time == TimeSpec{TimeKind::absolute, 100'000, 0});
    CHECK(e[2].time == TimeSpec{TimeKind::absolute, 1'000'001, 0});
    CHECK(e[3].time == TimeSpec{TimeKind::absolute, 2'000'000, 0});
}

TEST_CASE("a relative time is +seconds, with or without a leading 0", "[times]") {
    auto const e = events("0 close(3) = 0\n+.1 close(3) = 0\n+0 close(3) = 0\n+1.25 close(3) = 0\n");
    CHECK(e[1].time == TimeSpec{TimeKind::relative, 100'000, 0});
    CHECK(e[2].time == TimeSpec{TimeKind::relative, 0, 0});
    CHECK(e[3].time == TimeSpec{TimeKind::relative, 1'250'000, 0});
}

TEST_CASE("times are exact decimals: 0.29 is 290000 microseconds", "[times]") {
    // packetdrill's float conversion can make this 289999; the decimal text is exact.
    CHECK(events("0 close(3) = 0\n0.29 close(3) = 0\n")[1].time.start == 290'000);
}

TEST_CASE("digits past the microsecond are dropped", "[times]") {
    CHECK(events("0 close(3) = 0\n0.1234569 close(3) = 0\n")[1].time.start == 123'456);
}

TEST_CASE("an absolute range a~b on an outbound packet", "[times]") {
    auto const e = events("0 close(3) = 0\n0.1~0.3 > . 1:1(0) ack 1\n");
    CHECK(e[1].time == TimeSpec{TimeKind::absolute_range, 100'000, 300'000});
}

TEST_CASE("a relative range +a~+b on an outbound packet", "[times]") {
    auto const e = events("0 close(3) = 0\n+0.1~+0.3 > . 1:1(0) ack 1\n");
    CHECK(e[1].time == TimeSpec{TimeKind::relative_range, 100'000, 300'000});
}

TEST_CASE("a range may be empty (a~a)", "[times]") {
    CHECK(events("0 close(3) = 0\n0.2~0.2 > . 1:1(0)\n")[1].time == TimeSpec{TimeKind::absolute_range, 200'000, 200'000});
}

TEST_CASE("'*' on an outbound packet is any time", "[times]") {
    auto const e = events("0 close(3) = 0\n* > . 1:1(0) ack 1\n");
    CHECK(e[1].time.kind == TimeKind::any);
}

TEST_CASE("'*' may even be the first event", "[times]") {
    CHECK(events("* > . 1:1(0) ack 1\n")[0].time.kind == TimeKind::any);
}

TEST_CASE("a blocking system call start...end keeps its end time, absolute", "[times]") {
    auto const e = events("0 close(3) = 0\n0.1...0.2 read(4, ..., 10) = 10\n");
    CHECK(e[1].time == TimeSpec{TimeKind::absolute, 100'000, 0});
    CHECK(syscall(e[1]).end == 200'000);
}

TEST_CASE("a blocking system call +start...end counts the end from the same base as the start", "[times]") {
    // +.1...0.2: starts 0.1 s and returns 0.2 s after the previous event.
    auto const e = events("0 close(3) = 0\n+.1...0.2 accept(3, ..., ...) = 4\n");
    CHECK(e[1].time == TimeSpec{TimeKind::relative, 100'000, 0});
    CHECK(syscall(e[1]).end == 200'000);
}

TEST_CASE("a system call without ... has no end time", "[times]") {
    CHECK_FALSE(syscall(events("0 close(3) = 0\n")[0]).end.has_value());
}

TEST_CASE("an event remembers the line and column of its time", "[times]") {
    auto const e = events("// header\n0 close(3) = 0\n\n   +0 > . 1:1(0)\n/* x */ +0 `true`\n");
    CHECK(e[0].where == pktdrill::SourceLocation{2, 1});
    CHECK(e[1].where == pktdrill::SourceLocation{4, 4});
    CHECK(e[2].where == pktdrill::SourceLocation{5, 9});
}

TEST_CASE("an event spanning lines keeps the line its time is on", "[times]") {
    auto const e = events("0 close(3) = 0\n+0 poll([{fd=4,\n events=POLLIN}], 1, 0)\n = 1\n");
    CHECK(e[1].where.line == 2);
}

TEST_CASE("nominal times follow absolute times, add relative ones and count ranges from their start",
          "[times]") {
    auto const s = load_ok(
        "0 close(3) = 0\n"
        "+.1 close(3) = 0\n"
        "0.5 close(3) = 0\n"
        "+0.1~+0.3 > . 1:1(0)\n"
        "* > . 1:1(0)\n"
        "+.1...2 read(3, ..., 1) = 1\n"
        "+0 close(3) = 0\n");
    CHECK(pktdrill::script::nominal_times(s) ==
          std::vector<pktdrill::script::Micros>{0, 100'000, 500'000, 600'000, 600'000, 700'000, 700'000});
}
