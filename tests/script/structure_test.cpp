// The script as a whole: comments, option lines (recorded, applied, and overridden by the command
// line), and the order of its parts.

#include <catch2/catch.hpp>

#include "tests/script/access.hpp"

namespace {

using namespace pktdrill::test;

pktdrill::script::LoadedScript loaded(std::string const& text, std::vector<std::string> const& args = {}) {
    auto l = load_text(text, args);
    INFO(l.printed);
    REQUIRE(l.loaded);
    return std::move(*l.loaded);
}

}  // namespace

TEST_CASE("both comment styles are ignored wherever they stand", "[structure]") {
    auto const s = load_ok(
        "// leading comment\n"
        "/* a block comment\n   over lines */\n"
        "0 socket(..., /* inline */ SOCK_STREAM, IPPROTO_TCP) = 3 // trailing\n"
        "// +0 close(3) = 0   (commented out)\n"
        "/* +0 close(3) = 0 */\n"
        "+0 close(3) = 0\n");
    REQUIRE(s.events.size() == 2);
    CHECK(syscall(s.events[0]).args.at(1) == symbol("SOCK_STREAM"));
}

TEST_CASE("option lines are recorded in order, with their values as written", "[structure][options]") {
    auto const s = load_ok(
        "--tolerance_usecs=10000\n"
        "--strict_segments\n"
        "--define=X=Y\n"
        "--define=W=\"s\"\n"
        "--define=C=`cmd`\n"
        "--code_command=\"python3 -u\"\n"
        "0 close(3) = 0\n");
    using O = model::OptionSetting;
    CHECK(s.options == std::vector<O>{{"tolerance_usecs", "10000", {}},
                                      {"strict_segments", std::nullopt, {}},
                                      {"define", "X=Y", {}},
                                      {"define", "W=\"s\"", {}},
                                      {"define", "C=`cmd`", {}},
                                      {"code_command", "python3 -u", {}}});
    CHECK(s.options[1].where == pktdrill::SourceLocation{2, 1});
}

TEST_CASE("option lines set the configuration", "[structure][options]") {
    auto const l = loaded(
        "--tolerance_usecs=10000\n--ip_version=ipv6\n--mtu=1520\n--strict_segments\n--non_fatal=packet,syscall\n"
        "--local_ip=fd3d:0a0b:17d6::1\n--remote_ip=fd3d:fa7b:d17d::1/48\n--tcp_ts_tick_usecs=1000\n"
        "0 close(3) = 0\n");
    CHECK(l.config.tolerance_usecs == 10000);
    CHECK(l.config.ip_version == pktdrill::script::IpVersion::ipv6);
    CHECK(l.config.mtu == 1520);
    CHECK(l.config.strict_segments);
    CHECK(l.config.non_fatal_packet);
    CHECK(l.config.non_fatal_syscall);
    CHECK(l.config.local_ip == "fd3d:0a0b:17d6::1");
    CHECK(l.config.remote_ip == "fd3d:fa7b:d17d::1/48");
    CHECK(l.config.tcp_ts_tick_usecs == 1000);
}

TEST_CASE("the command line wins over the script's option lines", "[structure][options]") {
    auto const l = loaded("--tolerance_usecs=10000\n--ip_version=ipv4\n0 close(3) = 0\n",
                          {"--tolerance_usecs=4000", "--ip_version=ipv6"});
    CHECK(l.config.tolerance_usecs == 4000);
    CHECK(l.config.ip_version == pktdrill::script::IpVersion::ipv6);
    // The script still records what it said.
    CHECK(*l.script.options[0].value == "10000");
}

TEST_CASE("a float option value is accepted (packetdrill's script lexer rejects it)", "[structure][options]") {
    CHECK(loaded("--tolerance_percent=12.5\n0 close(3) = 0\n").config.tolerance_percent == 12.5);
}

TEST_CASE("without option lines the defaults stand", "[structure][options]") {
    auto const l = loaded("0 close(3) = 0\n");
    CHECK(l.script.options.empty());
    CHECK(l.config.tolerance_usecs == 4000);
    CHECK(l.config.ip_version == pktdrill::script::IpVersion::ipv4);
    CHECK_FALSE(l.config.ip_version_given);
}

TEST_CASE("the script keeps its path", "[structure]") {
    CHECK(load_ok("0 close(3) = 0\n").path == "test.pkt");
}

TEST_CASE("events come in the order written, each with its kind", "[structure]") {
    auto const s = load_ok("0 close(3) = 0\n+0 < S 0:0(0) win 1\n+0 > S. 0:0(0) ack 1\n+0 `true`\n+0 %{ x }%\n");
    std::vector<std::string> kinds;
    for (auto const& e : s.events) kinds.emplace_back(model::event_kind(e));
    CHECK(kinds == std::vector<std::string>{"syscall", "inbound", "outbound", "command", "code"});
}

TEST_CASE("the model compares by meaning, not by where things were written", "[structure]") {
    CHECK(load_ok("0 close(3) = 0\n+0 f(1) = 0\n") == load_ok("// moved\n0   close( 3 )=0\n\n+0 f(\n1) = 0"));
    CHECK_FALSE(load_ok("0 close(3) = 0\n") == load_ok("0 close(4) = 0\n"));
}
