// After a syntax error the parser resumes at the next line that can start a statement, so
// independent errors are all reported, up to the error limit.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/scripts.hpp"

namespace {

using pktdrill::test::Problem;
using Problems = std::vector<Problem>;

}  // namespace

TEST_CASE("independent errors on several lines are all reported, in order", "[recovery]") {
    auto const parsed = pktdrill::test::parse_text(
        "0 close(3 = 0\n"
        "+0 close(3) = \n"
        "+0 bind(3, ..., ...) = 0\n"
        "+0 < S 0:0(0) win\n"
        "+0 > [foo] S 0:0(0)\n");
    CHECK(parsed.errors ==
          Problems{{1, 14, "expected ')'"},
                   {2, 14, "expected result (an integer)"},
                   {4, 18, "expected integer"},
                   {5, 7, "expected IP info (ect0, ect1, ce, noecn, ect01, tos 0xNN, flowlabel 0xNNNNN or ttl N)"}});
    // The good statement between the bad ones is kept.
    CHECK(parsed.statements.size() == 1);
}

TEST_CASE("continuation lines of a broken statement are skipped, not reported again", "[recovery]") {
    auto const parsed = pktdrill::test::parse_text(
        "0 poll([{fd=4,\n"
        "         events=POLLIN revents=0}],\n"
        "         1, 0) = 1\n"
        "+0 close(4) = 0\n");
    CHECK(parsed.errors == Problems{{2, 24, "expected '}'"}});
    CHECK(parsed.statements.size() == 1);
}

TEST_CASE("a multi-line statement parses across its lines", "[recovery]") {
    auto const parsed = pktdrill::test::parse_text(
        "0 poll([{fd=4,\n"
        "         events=POLLIN}],\n"
        "         1, 0) = 1\n");
    CHECK(parsed.errors.empty());
    CHECK(parsed.statements.size() == 1);
}

TEST_CASE("a lexical error stops only its own statement", "[recovery]") {
    auto const parsed = pktdrill::test::parse_text(
        "0 write(3, \"abc\\x, 3) = 3\n"
        "+0 close(3) = 0\n");
    CHECK(parsed.errors == Problems{{1, 16, "\\x used with no following hex digits"}});
    CHECK(parsed.statements.size() == 1);
}

TEST_CASE("an nplab form does not hide the errors after it", "[recovery][nplab]") {
    auto const parsed = pktdrill::test::parse_text(
        "0 > sctp: INIT[flgs=0]\n"
        "+0 < udplite (1000, 8)\n"
        "+0 close(3\n");
    CHECK(parsed.errors ==
          Problems{{1, 5, "SCTP packets are not supported by pktdrill (they come from nplab's packetdrill fork)"},
                   {2, 6, "UDPLite packets are not supported by pktdrill (they come from nplab's packetdrill fork)"},
                   {3, 11, "expected ')'"}});
}

TEST_CASE("at the error limit the parser stops with clang's fatal error", "[recovery]") {
    std::string text;
    for (int i = 0; i < 30; ++i) text += "0 close(3 = 0\n";
    auto const parsed = pktdrill::test::parse_text(text);
    REQUIRE(parsed.errors.size() == 21);
    for (int i = 0; i < 20; ++i) CHECK(parsed.errors[i] == Problem{i + 1, 14, "expected ')'"});
    CHECK(parsed.errors.back() == Problem{0, 0, "too many errors emitted, stopping now [-ferror-limit=]"});
    CHECK(parsed.printed.find("fatal error: too many errors emitted, stopping now [-ferror-limit=]\n") !=
          std::string::npos);
}

TEST_CASE("nineteen errors stay under the limit", "[recovery]") {
    std::string text;
    for (int i = 0; i < 19; ++i) text += "0 close(3 = 0\n";
    CHECK(pktdrill::test::parse_text(text).errors.size() == 19);
}

TEST_CASE("an unterminated comment after an error is reported, and ends the scan", "[recovery]") {
    auto const parsed = pktdrill::test::parse_text(
        "0 close(3 = 0 x\n"
        "/* open\n"
        "+0 close(3 = 0\n");
    CHECK(parsed.errors == Problems{{1, 15, "expected ')'"}, {2, 1, "unterminated /* comment"}});
}

TEST_CASE("an unterminated comment where a token was expected is the error reported", "[recovery]") {
    auto const parsed = pktdrill::test::parse_text(
        "0 close(3 = 0\n"
        "/* open\n"
        "+0 close(3 = 0\n");
    CHECK(parsed.errors == Problems{{2, 1, "unterminated /* comment"}});
}

TEST_CASE("lines inside a comment after an error are not taken for statements", "[recovery]") {
    auto const parsed = pktdrill::test::parse_text(
        "0 close(3 = 0 x /* the fd:\n"
        "3 is the listener */\n"
        "+0 close(4) = 0\n");
    CHECK(parsed.errors == Problems{{1, 15, "expected ')'"}});
    CHECK(parsed.statements.size() == 1);
}

TEST_CASE("lines inside a command after an error are not taken for statements", "[recovery]") {
    auto const parsed = pktdrill::test::parse_text(
        "0 close(3 = 0 x `echo\n"
        "1 2 3`\n"
        "+0 close(4) = 0\n");
    CHECK(parsed.errors == Problems{{1, 15, "expected ')'"}});
    CHECK(parsed.statements.size() == 1);
}
