// --define / -D substitution as packetdrill's lexer does it: every non-keyword word is replaced by
// its value, which then counts as an integer, a string, a command or a word; the command line's
// defines win over the script's.

#include <catch2/catch.hpp>

#include "tests/script/access.hpp"

namespace {

using namespace pktdrill::test;

}  // namespace

TEST_CASE("a -D integer stands for an integer: arguments, results, windows, hex included", "[define]") {
    auto const e = events("0 write(FD, ..., LEN) = LEN\n+0 < S 0:0(0) win WIN\n",
                          {"-D", "FD=4", "-D", "LEN=1000", "-D", "WIN=0x100"});
    CHECK(arg(e[0], 0) == integer(4));
    CHECK(arg(e[0], 2) == integer(1000));
    CHECK(syscall(e[0]).result == integer(1000));
    CHECK(tcp(e[1]).window == 256);
}

TEST_CASE("a -D string stands for a string", "[define]") {
    auto const e = only("setsockopt(3, SOL_TCP, TCP_CONGESTION, CC, 4) = 0", {"-D", "CC=\"reno\""});
    CHECK(arg(e, 3) == string("reno"));
}

TEST_CASE("a -D command stands for a command", "[define]") {
    auto const s = load_ok("SETUP\n0 SETUP\n", {"-D", "SETUP=`sysctl -q x=1`"});
    CHECK(s.init_command->text == "sysctl -q x=1");
    CHECK(std::get<model::Command>(s.events.at(0).action).text == "sysctl -q x=1");
}

TEST_CASE("a -D word stands for a word: symbols, TFO cookies, ICMP codes", "[define]") {
    auto const e = events(
        "0 setsockopt(3, CMSG_LEVEL_IP, CMSG_TYPE_RECVERR, [1], 4) = 0\n"
        "+0 > S 0:0(0) <FO TFO_COOKIE,nop,nop>\n"
        "+0 < icmp unreachable CODE\n",
        {"-D", "TFO_COOKIE=3021b9d889017eeb", "-D", "CODE=host_unreachable", "-D", "CMSG_LEVEL_IP=SOL_IP", "-D",
         "CMSG_TYPE_RECVERR=IP_RECVERR", "--ip_version=ipv4"});
    CHECK(arg(e[0], 1) == symbol("SOL_IP"));
    CHECK(arg(e[0], 2) == symbol("IP_RECVERR"));
    CHECK(std::get<model::tcp_option::FastOpen>(tcp(e[1]).options->at(0)).cookie.size() == 8);
    CHECK(icmp(e[2]).code_name == "host_unreachable");
    CHECK(icmp(e[2]).code == 1);
}

TEST_CASE("a script's --define applies to the lines after the option lines", "[define]") {
    auto const e = events("--define=PORT=8080\n--define=CC=\"bbr\"\n0 f(PORT, CC) = 0\n");
    CHECK(arg(e[0], 0) == integer(8080));
    CHECK(arg(e[0], 1) == string("bbr"));
}

TEST_CASE("the command line's -D wins over the script's --define", "[define]") {
    auto const e = events("--define=N=1\n0 f(N) = 0\n", {"-D", "N=2"});
    CHECK(arg(e[0], 0) == integer(2));
}

TEST_CASE("keywords are never substituted", "[define]") {
    auto const e = events("0 < . 1:1(0) ack 1 win 10\n", {"-D", "win=5", "-D", "ack=7"});
    CHECK(tcp(e[0]).ack == 1u);
    CHECK(tcp(e[0]).window == 10);
}

TEST_CASE("an undefined word stays a symbol", "[define]") {
    CHECK(arg(only("f(TFO_COOKIE) = 0"), 0) == symbol("TFO_COOKIE"));
}

TEST_CASE("a define's kind decides where it may stand: a word is no integer", "[define]") {
    CHECK(load_errors("0 < S 0:0(0) win W\n", {"-D", "W=SOL_SOCKET"}) ==
          std::vector<Problem>{{1, 18, "expected integer"}});
}

TEST_CASE("an octal define is read as strtol reads it", "[define]") {
    CHECK(arg(only("f(N) = 0", {"-D", "N=010"}), 0) == integer(8));
}
