// The end of a script as packetdrill has it (reference D.6): the cleanup command runs only when
// an init command ran (google packetdrill's rule), once, also after a failure; and commands see
// pktdrill's pid both as $PACKETDRILL_PID and as $PPID, which packetdrill's scripts rely on.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "child.hpp"

using namespace pktdrill::test;
using namespace std::chrono_literals;

namespace {

struct Outcome {
    int status = -1;
    std::string output;
};

Outcome run(TempDir const& dir, std::string const& text) {
    auto const script = dir.write("end.pkt", text);
    Child child({pktdrill_binary(), script.string()}, dir.path());
    auto const status = child.wait_for(30s);
    return {status.value_or(-1), child.output()};
}

int lines_of(std::filesystem::path const& p) {
    std::ifstream in(p);
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

}  // namespace

TEST_CASE("the cleanup command runs once after the script when an init command ran", "[end-of-script]") {
    TempDir dir;
    auto const log = dir.path() / "log";
    auto const o = run(dir, "`true`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n`echo cleanup >> " + log.string() + "`\n");
    INFO(o.output);
    CHECK(o.status == 0);
    CHECK(lines_of(log) == 1);
}

TEST_CASE("without an init command the cleanup command does not run, as in google packetdrill", "[end-of-script]") {
    TempDir dir;
    auto const log = dir.path() / "log";
    auto const o = run(dir, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 `true`\n`echo cleanup >> " + log.string() + "`\n");
    INFO(o.output);
    CHECK(o.status == 0);
    CHECK(lines_of(log) == 0);
}

TEST_CASE("after a failure the cleanup command runs once and the failure is reported", "[end-of-script]") {
    TempDir dir;
    auto const log = dir.path() / "log";
    auto const o = run(dir, "`true`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 close(3) = -1\n`echo cleanup >> " +
                                log.string() + "`\n");
    INFO(o.output);
    CHECK(o.status == 1);
    CHECK_THAT(o.output, Catch::Contains("end.pkt:3:1: error: runtime error in close call"));
    CHECK(lines_of(log) == 1);
}

TEST_CASE("a failing cleanup command fails the run once, with its status", "[end-of-script]") {
    TempDir dir;
    auto const o = run(dir, "`true`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n`exit 3`\n");
    INFO(o.output);
    CHECK(o.status == 1);
    CHECK_THAT(o.output, Catch::Contains("end.pkt:3:1: error: error executing cleanup command: non-zero status 3"));
    auto const first = o.output.find("error executing cleanup");
    CHECK(o.output.find("error executing cleanup", first + 1) == std::string::npos);
}

TEST_CASE("commands see pktdrill's pid as PACKETDRILL_PID and as PPID", "[end-of-script]") {
    TempDir dir;
    auto const o = run(dir, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                            "+0 `test \"$PPID\" = \"$PACKETDRILL_PID\" && test -d /proc/$PACKETDRILL_PID`\n");
    INFO(o.output);
    CHECK(o.status == 0);
}

TEST_CASE("a long command is stopped after --max_command_secs and the run goes on", "[end-of-script]") {
    TempDir dir;
    auto const script = dir.write("hold.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 `sleep 1000000`\n+0 close(3) = 0\n");
    auto const t0 = std::chrono::steady_clock::now();
    Child child({pktdrill_binary(), "--max_command_secs=0.3", script.string()}, dir.path());
    auto const status = child.wait_for(20s);
    INFO(child.output());
    CHECK(status == 0);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}

// A server socket whose accept() is still blocked when the script ends: what packetdrill checks
// first decides the message (tcp-info-sndbuf-limited in its corpus depends on it).
std::string const blocked_at_end = R"(0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0...5 accept(3, ..., ...) = 4
+.01 %{ assert tcpi_state == TCP_LISTEN, tcpi_state }%
)";

TEST_CASE("the end of the script runs the code before it fails a blocking call still in progress", "[end-of-script]") {
    TempDir dir;
    std::string failing = blocked_at_end;
    failing.replace(failing.find("TCP_LISTEN,"), 11, "TCP_CLOSE,");
    auto const o = run(dir, failing);
    INFO(o.output);
    CHECK(o.status == 1);
    CHECK_THAT(o.output, Catch::Contains("end.pkt:5:9: error: AssertionError: 10"));
    CHECK_THAT(o.output, !Catch::Contains("blocking system call"));
}

TEST_CASE("code that passes leaves the blocking call in progress to fail the end of the script", "[end-of-script]") {
    TempDir dir;
    auto const o = run(dir, blocked_at_end);
    INFO(o.output);
    CHECK(o.status == 1);
    CHECK_THAT(o.output, Catch::Contains("end.pkt:4:1: error: runtime error: exiting while a blocking system call is in progress"));
}

TEST_CASE("the cleanup command runs before the code at the end of the script", "[end-of-script]") {
    TempDir dir;
    auto const log = dir.path() / "log";
    auto const o = run(dir, "`true`\n" + std::string(R"(0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 %{ assert tcpi_state == TCP_CLOSE, tcpi_state }%
)") + "`echo cleanup >> " + log.string() + "`\n");
    INFO(o.output);
    CHECK(o.status == 1);
    CHECK_THAT(o.output, Catch::Contains("AssertionError: 10"));
    CHECK(lines_of(log) == 1);
}
