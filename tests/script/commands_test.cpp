// Shell commands (init, timed, cleanup) and %{ }% code blocks.

#include <catch2/catch.hpp>

#include "tests/script/access.hpp"

namespace {

using namespace pktdrill::test;

}  // namespace

TEST_CASE("a first untimed command is the init command", "[commands]") {
    auto const s = load_ok("`../common/defaults.sh`\n0 close(3) = 0\n");
    REQUIRE(s.init_command);
    CHECK(s.init_command->text == "../common/defaults.sh");
    CHECK(s.init_command->where == pktdrill::SourceLocation{1, 1});
    CHECK_FALSE(s.cleanup_command.has_value());
}

TEST_CASE("an init command may follow the option lines", "[commands]") {
    auto const s = load_ok("--tolerance_usecs=1000\n`init`\n0 close(3) = 0\n");
    REQUIRE(s.init_command);
    CHECK(s.init_command->text == "init");
}

TEST_CASE("a last untimed command is the cleanup command", "[commands]") {
    auto const s = load_ok("0 close(3) = 0\n`sysctl -q net.ipv4.tcp_timestamps=1`\n");
    CHECK_FALSE(s.init_command.has_value());
    REQUIRE(s.cleanup_command);
    CHECK(s.cleanup_command->text == "sysctl -q net.ipv4.tcp_timestamps=1");
    CHECK(s.cleanup_command->where == pktdrill::SourceLocation{2, 1});
}

TEST_CASE("init and cleanup commands together", "[commands]") {
    auto const s = load_ok("`a`\n0 close(3) = 0\n`b`\n");
    CHECK(s.init_command->text == "a");
    CHECK(s.cleanup_command->text == "b");
    CHECK(s.events.size() == 1);
}

TEST_CASE("a timed command is an event", "[commands]") {
    auto const e = only("`sysctl -q net.ipv4.tcp_ecn=1`");
    CHECK(std::get<model::Command>(e.action).text == "sysctl -q net.ipv4.tcp_ecn=1");
    CHECK(std::string(model::event_kind(e)) == "command");
}

TEST_CASE("a command may span lines and keep backslashes for the shell", "[commands]") {
    auto const e = only("`echo a \\\n  b; echo \\`x\\``");
    CHECK(std::get<model::Command>(e.action).text == "echo a \\\n  b; echo \\`x\\`");
}

TEST_CASE("a code block is an event with its text, trimmed of blanks at both ends", "[commands]") {
    auto const e = only("%{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%");
    CHECK(std::get<model::Code>(e.action).text == "assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd");
    CHECK(std::string(model::event_kind(e)) == "code");
}

TEST_CASE("a multi-line code block keeps its lines", "[commands]") {
    auto const e = only("%{\nimport sys\nassert tcpi_rto > 0\n}%");
    CHECK(std::get<model::Code>(e.action).text == "\nimport sys\nassert tcpi_rto > 0\n");
}
