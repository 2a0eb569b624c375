// The lexical layer: comments, numbers and words, strings, commands, code blocks, option lines,
// and packetdrill's lexer-level --define substitution.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "grammar/ast.hpp"
#include "grammar/parse_state.hpp"
#include "grammar/tokens.hpp"
#include "tests/support/scripts.hpp"

namespace {

namespace ast = pktdrill::grammar::ast;
namespace x3 = boost::spirit::x3;
using pktdrill::grammar::DefineKind;
using pktdrill::grammar::Defines;
using pktdrill::test::parse_text;

// The statements of a script that must parse without error.
std::vector<ast::statement> statements(std::string const& text, Defines const& defines = {}) {
    auto parsed = parse_text(text, defines);
    INFO(parsed.printed);
    REQUIRE(parsed.errors.empty());
    return std::move(parsed.statements);
}

ast::event const& event(ast::statement const& s) { return boost::get<ast::event>(s); }

ast::syscall const& syscall(ast::statement const& s) { return boost::get<ast::syscall>(event(s).what); }

ast::tcp_segment const& tcp(ast::statement const& s) {
    return boost::get<ast::tcp_segment>(boost::get<ast::packet>(event(s).what).body);
}

ast::option_line const& option(ast::statement const& s) { return boost::get<ast::option_line>(s); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Comments and white space

TEST_CASE("both comment styles are white space, anywhere between tokens", "[lexical]") {
    auto const s = statements(
        "// a line comment\n"
        "/* a block\n   comment */ 0 /* inside */ close( // here too\n 3 ) = /**/ 0 // trailing\n");
    REQUIRE(s.size() == 1);
    CHECK(syscall(s[0]).name.text == "close");
}

TEST_CASE("a // comment on the last line needs no newline", "[lexical]") {
    CHECK(statements("0 close(3) = 0 // no newline after this").size() == 1);
}

TEST_CASE("'*/' outside a comment is not a comment end", "[lexical]") {
    CHECK_FALSE(parse_text("0 close(3) = 0 */\n").errors.empty());
}

// ---------------------------------------------------------------------------------------------
// Numbers and words

TEST_CASE("a run of word characters that starts with digits is a word, not a number", "[lexical]") {
    auto const s = statements("0 > S 0:0(0) <FO 3021b9d889017eeb,nop,nop>\n");
    CHECK(tcp(s[0]).options->list.at(0).blob->text == "3021b9d889017eeb");
}

TEST_CASE("numbers keep their text: decimal, negative and hex", "[lexical]") {
    auto const s = statements("0 f(10, -1, 0x1F, 0) = -1\n");
    auto const& args = syscall(s[0]).args;
    REQUIRE(args.size() == 4);
    CHECK(boost::get<ast::number>(args[0]).text == "10");
    CHECK(boost::get<ast::number>(args[1]).text == "-1");
    CHECK(boost::get<ast::number>(args[2]).text == "0x1F");
    CHECK(boost::get<ast::number>(syscall(s[0]).result).text == "-1");
}

TEST_CASE("times may be written .1, 0.100 or 1", "[lexical]") {
    auto const s = statements("0 close(3) = 0\n+.1 close(3) = 0\n0.100 close(3) = 0\n1 close(3) = 0\n");
    CHECK(event(s[1]).time.start.relative);
    CHECK(event(s[1]).time.start.value.text == ".1");
    CHECK(event(s[2]).time.start.value.text == "0.100");
    CHECK(event(s[3]).time.start.value.text == "1");
}

TEST_CASE("a keyword does not match the start of a longer word", "[lexical]") {
    // `sack` must not take the first four letters of `sackOK`.
    auto const s = statements("0 > S 0:0(0) <sackOK,nop,nop>\n");
    CHECK(tcp(s[0]).options->list.at(0).kind == "sackOK");
    // `win` is not `window`.
    CHECK_FALSE(parse_text("0 < S 0:0(0) window 5\n").errors.empty());
}

TEST_CASE("the keyword list is what packetdrill's lexer reserves", "[lexical]") {
    using pktdrill::grammar::tokens::is_keyword;
    for (char const* k : {"ack", "win", "urg", "mss", "wscale", "sackOK", "sack", "TS", "val", "ecr", "FO", "FOEXP",
                          "md5", "ECN", "nop", "eol", "ect0", "ect1", "ect01", "ce", "noecn", "tos", "flowlabel",
                          "ttl", "udp", "icmp", "gre", "mpls", "ipv4", "ipv6", "encap", "psp", "spi", "fd", "events",
                          "revents", "onoff", "linger", "msg_name", "msg_iov", "msg_flags", "msg_control",
                          "inet_addr", "inet6_addr", "htons", "sa_family", "sin_port", "sin_addr"})
        CHECK(is_keyword(k));
    for (char const* w : {"SOCK_STREAM", "close", "S", "window", "TFO_COOKIE", "x"}) CHECK_FALSE(is_keyword(w));
}

// ---------------------------------------------------------------------------------------------
// Strings, commands, code blocks

TEST_CASE("strings resolve C escapes", "[lexical]") {
    auto const s = statements(R"(0 f("a\n\t\r\f\v\\\"\x41\x7") = 0)" "\n");
    auto const& str = boost::get<ast::string_expr>(syscall(s[0]).args.at(0));
    REQUIRE(str.parts.size() == 1);
    CHECK(str.parts[0].value == std::string("a\n\t\r\f\v\\\"A\x07"));
}

TEST_CASE("adjacent strings are parts of one string, even across lines", "[lexical]") {
    auto const s = statements("0 f(\"ab\" \"cd\"\n  \"ef\") = 0\n");
    auto const& str = boost::get<ast::string_expr>(syscall(s[0]).args.at(0));
    REQUIRE(str.parts.size() == 3);
    CHECK(str.parts[2].value == "ef");
    CHECK_FALSE(str.trailing_ellipsis);
}

TEST_CASE("a string followed by ... keeps the ellipsis", "[lexical]") {
    auto const s = statements("0 f(\"abc\"...) = 0\n");
    CHECK(boost::get<ast::string_expr>(syscall(s[0]).args.at(0)).trailing_ellipsis);
}

TEST_CASE("a command keeps its text as written, backslashes included, over several lines", "[lexical]") {
    auto const s = statements("`echo \\` a\nb`\n0 `x`\n");
    CHECK(boost::get<ast::backquoted>(s[0]).text == "echo \\` a\nb");
}

TEST_CASE("a code block loses the spaces and tabs at both ends, not its newlines", "[lexical]") {
    auto const s = statements("0 %{ \t\nassert x == 1\n \t}%\n");
    CHECK(boost::get<ast::code_block>(event(s[0]).what).text == "\nassert x == 1\n");
}

// ---------------------------------------------------------------------------------------------
// Option lines

TEST_CASE("option lines: a flag alone, a value, a quoted value, defines of every kind", "[lexical]") {
    auto const s = statements(
        "--strict_segments\n"
        "--tolerance_usecs=10000\n"
        "--code_command=\"python3 -u\"\n"
        "--define=X=Y\n"
        "--define=W=\"s t\"\n"
        "--define=C=`echo hi`\n"
        "--ip_version = ipv6\n"
        "0 close(3) = 0\n");
    REQUIRE(s.size() == 8);
    CHECK(option(s[0]).name == "strict_segments");
    CHECK_FALSE(option(s[0]).value.has_value());
    CHECK(*option(s[1]).value == "10000");
    CHECK(*option(s[2]).value == "python3 -u");
    CHECK(*option(s[3]).value == "X=Y");
    CHECK(*option(s[4]).value == "W=\"s t\"");
    CHECK(*option(s[5]).value == "C=`echo hi`");
    CHECK(option(s[6]).name == "ip_version");
    CHECK(*option(s[6]).value == "ipv6");
}

// ---------------------------------------------------------------------------------------------
// --define, at the lexer level

TEST_CASE("a define's value is classified as packetdrill's lexer does", "[lexical][define]") {
    using pktdrill::grammar::classify_define;
    CHECK(classify_define("1000").kind == DefineKind::integer);
    CHECK(classify_define("-1").text == "-1");
    CHECK(classify_define("0x10").kind == DefineKind::integer);
    CHECK(classify_define("0x10").text == "0x10");
    CHECK(classify_define("010").text == "8");  // strtol base 0: octal
    CHECK(classify_define("\"reno\"").kind == DefineKind::string);
    CHECK(classify_define("\"reno\"").text == "reno");
    CHECK(classify_define("`echo hi`").kind == DefineKind::command);
    CHECK(classify_define("`echo hi`").text == "echo hi");
    CHECK(classify_define("SOL_SOCKET").kind == DefineKind::word);
    CHECK(classify_define("3021b9d889017eeb").kind == DefineKind::word);
    CHECK(classify_define("12abc").kind == DefineKind::word);
    CHECK(classify_define("").kind == DefineKind::word);
    CHECK(classify_define(" 1").kind == DefineKind::word);
    CHECK(classify_define("99999999999999999999999").kind == DefineKind::word);  // strtol overflows
}

TEST_CASE("an integer define stands where an integer may", "[lexical][define]") {
    Defines const d{{"WIN", {DefineKind::integer, "0x10"}}, {"RESULT", {DefineKind::integer, "3"}}};
    auto const s = statements("0 < S 0:0(0) win WIN\n+0 f(WIN) = RESULT\n", d);
    CHECK(tcp(s[0]).window->text == "0x10");
    CHECK(boost::get<ast::number>(syscall(s[1]).args.at(0)).text == "0x10");
    CHECK(boost::get<ast::number>(syscall(s[1]).result).text == "3");
}

TEST_CASE("a string define stands where a string may", "[lexical][define]") {
    Defines const d{{"CC", {DefineKind::string, "reno"}}};
    auto const s = statements("0 setsockopt(3, SOL_TCP, TCP_CONGESTION, CC, 4) = 0\n", d);
    CHECK(boost::get<ast::string_expr>(syscall(s[0]).args.at(3)).parts.at(0).value == "reno");
}

TEST_CASE("a command define stands where a command may, init command included", "[lexical][define]") {
    Defines const d{{"SETUP", {DefineKind::command, "sysctl -q x=1"}}};
    auto const s = statements("SETUP\n0 SETUP\n", d);
    CHECK(boost::get<ast::backquoted>(s[0]).text == "sysctl -q x=1");
    CHECK(boost::get<ast::backquoted>(event(s[1]).what).text == "sysctl -q x=1");
}

TEST_CASE("a command define is not an expression", "[lexical][define]") {
    Defines const d{{"C", {DefineKind::command, "echo"}}};
    CHECK(parse_text("0 write(3, C, 1) = 1\n", d).errors ==
          std::vector<pktdrill::test::Problem>{{1, 12, "expected expression"}});
}

TEST_CASE("a word define stands for the word: symbols, cookies, flags, ICMP codes", "[lexical][define]") {
    Defines const d{{"LEVEL", {DefineKind::word, "SOL_IP"}},
                    {"COOKIE", {DefineKind::word, "3021b9d889017eeb"}},
                    {"FLAGS", {DefineKind::word, "S."}},
                    {"CODE", {DefineKind::word, "host_unreachable"}}};
    auto const s = statements(
        "0 f(LEVEL) = 0\n"
        "+0 > S 0:0(0) <FO COOKIE,nop,nop>\n"
        "+0 > FLAGS 0:0(0) ack 1\n"
        "+0 < icmp unreachable CODE\n",
        d);
    CHECK(boost::get<ast::word>(syscall(s[0]).args.at(0)).text == "SOL_IP");
    CHECK(tcp(s[1]).options->list.at(0).blob->text == "3021b9d889017eeb");
    CHECK(tcp(s[2]).flags.text == "S.");
    auto const& icmp = boost::get<ast::icmp_message>(boost::get<ast::packet>(event(s[3]).what).body);
    CHECK(icmp.code->text == "host_unreachable");
}

TEST_CASE("keywords are never substituted", "[lexical][define]") {
    Defines const d{{"win", {DefineKind::integer, "5"}}, {"ack", {DefineKind::integer, "7"}}};
    auto const s = statements("0 < . 1:1(0) ack 2 win 10\n", d);
    CHECK(tcp(s[0]).ack->text == "2");
    CHECK(tcp(s[0]).window->text == "10");
}

TEST_CASE("substitution is not recursive", "[lexical][define]") {
    Defines const d{{"A", {DefineKind::word, "B"}}, {"B", {DefineKind::integer, "1"}}};
    auto const s = statements("0 f(A) = 0\n", d);
    CHECK(boost::get<ast::word>(syscall(s[0]).args.at(0)).text == "B");
}

TEST_CASE("a word only matches a define as a whole word", "[lexical][define]") {
    Defines const d{{"X", {DefineKind::integer, "1"}}};
    auto const s = statements("0 f(XY, X_, X) = 0\n", d);
    CHECK(boost::get<ast::word>(syscall(s[0]).args.at(0)).text == "XY");
    CHECK(boost::get<ast::word>(syscall(s[0]).args.at(1)).text == "X_");
    CHECK(boost::get<ast::number>(syscall(s[0]).args.at(2)).text == "1");
}
