// Malformed scripts: each reports exactly one error, with its message, line and column.
// The parser alone is used here; semantic checks are tested in tests/script.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/scripts.hpp"

namespace {

using pktdrill::test::Problem;
using Problems = std::vector<Problem>;

Problems errors(std::string const& text) { return pktdrill::test::parse_text(text).errors; }

std::string const statement_expected =
    "expected a statement: a time (such as 0, 0.100 or +.1), an option line (--name=value) or a `command`";

}  // namespace

// ---------------------------------------------------------------------------------------------
// Truncated lines

TEST_CASE("a system call cut off inside its arguments expects ')' after the last token", "[syntax]") {
    CHECK(errors("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...\n") ==
          Problems{{2, 20, "expected ')'"}});
}

TEST_CASE("a system call cut off after '=' expects its result", "[syntax]") {
    CHECK(errors("0 close(3) =\n") == Problems{{1, 13, "expected result (an integer)"}});
}

TEST_CASE("a system call without '= result' expects '='", "[syntax]") {
    CHECK(errors("0 close(3)\n") == Problems{{1, 11, "expected '='"}});
}

TEST_CASE("a packet cut off after 'win' expects an integer at the end of the line", "[syntax]") {
    CHECK(errors("0 < S 0:0(0) win\n") == Problems{{1, 17, "expected integer"}});
}

TEST_CASE("a packet cut off after 'ack' expects an integer", "[syntax]") {
    CHECK(errors("0 > S. 0:0(0) ack\n") == Problems{{1, 18, "expected integer"}});
}

TEST_CASE("a sequence range without its length expects '('", "[syntax]") {
    CHECK(errors("0 < S 0:0\n") == Problems{{1, 10, "expected '('"}});
}

TEST_CASE("a sequence range without its end expects ':'", "[syntax]") {
    CHECK(errors("0 < S 0\n") == Problems{{1, 8, "expected ':'"}});
}

TEST_CASE("a direction alone expects the packet's contents", "[syntax]") {
    CHECK(errors("0 <\n") ==
          Problems{{1, 4, "expected packet contents (TCP flags such as S, S., ., P., F., R, or udp or icmp)"}});
}

TEST_CASE("a time alone expects an action", "[syntax]") {
    CHECK(errors("0\n") == Problems{{1, 2, "expected packet ('<' or '>'), system call, `command` or %{ code }%"}});
}

TEST_CASE("a UDP packet without its length expects '('", "[syntax]") {
    CHECK(errors("0 < udp\n") == Problems{{1, 8, "expected '('"}});
}

TEST_CASE("an ICMP packet without its type says what an ICMP type is", "[syntax]") {
    CHECK(errors("0 < icmp\n") == Problems{{1, 9, "expected ICMP type (such as unreachable or echo_request)"}});
}

TEST_CASE("an errno note without ')' is reported on its own line", "[syntax]") {
    CHECK(errors("0 read(3, ..., 1) = -1 EAGAIN (Resource\n+0 close(3) = 0\n") ==
          Problems{{1, 40, "expected ')'"}});
}

// ---------------------------------------------------------------------------------------------
// Bad flags, options, IP info, encapsulations

TEST_CASE("a TCP flag word that starts with a digit is not a packet", "[syntax]") {
    CHECK(errors("0 < 5 0:0(0) win 1\n") ==
          Problems{{1, 5, "expected packet contents (TCP flags such as S, S., ., P., F., R, or udp or icmp)"}});
}

TEST_CASE("an unknown TCP option lists the options there are", "[syntax]") {
    CHECK(errors("0 > . 1:1(0) <foo>\n") ==
          Problems{{1, 15, "expected TCP option (nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5 or ECN) or '...'"}});
}

TEST_CASE("an unknown TCP option after a comma names a single option", "[syntax]") {
    CHECK(errors("0 > . 1:1(0) <nop,foo>\n") ==
          Problems{{1, 19, "expected TCP option (nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5 or ECN)"}});
}

TEST_CASE("an option list without '>' expects it", "[syntax]") {
    CHECK(errors("0 < S 0:0(0) win 10 <mss 1000\n") == Problems{{1, 30, "expected '>'"}});
}

TEST_CASE("mss without a value expects an integer", "[syntax]") {
    CHECK(errors("0 > S 0:0(0) <mss>\n") == Problems{{1, 18, "expected integer"}});
}

TEST_CASE("sack without a block says what a block looks like", "[syntax]") {
    CHECK(errors("0 > . 1:1(0) <sack 1>\n") == Problems{{1, 20, "expected SACK block (left:right)"}});
}

TEST_CASE("TS without ecr expects 'ecr'", "[syntax]") {
    CHECK(errors("0 > . 1:1(0) <TS val 1>\n") == Problems{{1, 23, "expected 'ecr'"}});
}

TEST_CASE("md5 without a digest expects a hex string", "[syntax]") {
    CHECK(errors("0 > . 1:1(0) <md5>\n") == Problems{{1, 18, "expected hex string"}});
}

TEST_CASE("an unknown IP info keyword lists the keywords there are", "[syntax]") {
    CHECK(errors("0 > [foo] S 0:0(0)\n") ==
          Problems{{1, 6, "expected IP info (ect0, ect1, ce, noecn, ect01, tos 0xNN, flowlabel 0xNNNNN or ttl N)"}});
}

TEST_CASE("tos without a value expects an integer", "[syntax]") {
    CHECK(errors("0 > [tos] S 0:0(0)\n") == Problems{{1, 9, "expected integer"}});
}

TEST_CASE("unclosed IP info expects the closing bracket", "[syntax]") {
    CHECK(errors("0 > [ect0 S 0:0(0)\n") == Problems{{1, 11, "expected ']'"}});
}

TEST_CASE("an unknown GRE flag lists the flags there are", "[syntax]") {
    CHECK(errors("0 < gre flags [foo]: S 0:0(0) win 1\n") ==
          Problems{{1, 16, "expected GRE flag (none, checksum present, key present, sequence# present)"}});
}

TEST_CASE("a GRE header without its fields expects the next one", "[syntax]") {
    CHECK(errors("0 < gre flags 0 sum 0: S 0:0(0) win 1\n") == Problems{{1, 22, "expected 'off'"}});
}

TEST_CASE("an MPLS entry without its bottom-of-stack comma expects ','", "[syntax]") {
    CHECK(errors("0 < mpls (label 1, tc 0): S 0:0(0) win 1\n") == Problems{{1, 24, "expected ','"}});
}

TEST_CASE("an outer IPv4 header with a bad address expects an IPv4 address", "[syntax]") {
    CHECK(errors("0 < ipv4 1.2.3 > 4.5.6.7: S 0:0(0) win 1\n") == Problems{{1, 10, "expected IPv4 address"}});
}

TEST_CASE("an outer IPv6 header without ':' expects it", "[syntax]") {
    CHECK(errors("0 < ipv6 ::1 > ::2 S 0:0(0) win 1\n") == Problems{{1, 20, "expected ':'"}});
}

TEST_CASE("psp encapsulation without spi expects 'spi'", "[syntax]") {
    CHECK(errors("0 > encap psp 1 S 0:0(0)\n") == Problems{{1, 15, "expected 'spi'"}});
}

// ---------------------------------------------------------------------------------------------
// Unbalanced brackets and braces

TEST_CASE("an unclosed '[' expects ']' where the list stops", "[syntax]") {
    CHECK(errors("0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1, 4) = 0\n") == Problems{{1, 48, "expected ']'"}});
}

TEST_CASE("an unclosed '{' expects '}' where the list stops", "[syntax]") {
    CHECK(errors("0 poll([{fd=4, events=POLLIN], 1, 0) = 1\n") == Problems{{1, 29, "expected '}'"}});
}

TEST_CASE("an unclosed '(' expects ')'", "[syntax]") {
    CHECK(errors("0 f(inet_addr(\"1.2.3.4\"]) = 0\n") == Problems{{1, 24, "expected ')'"}});
}

TEST_CASE("a comma expects an expression after it", "[syntax]") {
    CHECK(errors("0 f(1, ) = 0\n") == Problems{{1, 8, "expected expression"}});
    CHECK(errors("0 f([1, ]) = 0\n") == Problems{{1, 9, "expected expression"}});
}

TEST_CASE("a comma in IP info expects another item", "[syntax]") {
    CHECK(errors("0 > [ect0, foo] S 0:0(0)\n") ==
          Problems{{1, 12, "expected IP info (ect0, ect1, ce, noecn, ect01, tos 0xNN, flowlabel 0xNNNNN or ttl N)"}});
}

TEST_CASE("one ')' too many leaves the system call expecting '='", "[syntax]") {
    CHECK(errors("0 close(3)) = 0\n") == Problems{{1, 11, "expected '='"}});
}

TEST_CASE("a stray closing bracket where an argument should be", "[syntax]") {
    CHECK(errors("0 close(]) = 0\n") == Problems{{1, 9, "expected ')'"}});
}

TEST_CASE("an assignment does not chain", "[syntax]") {
    CHECK(errors("0 f({a=b=c}) = 0\n") == Problems{{1, 9, "expected '}'"}});
}

// ---------------------------------------------------------------------------------------------
// Bad times

TEST_CASE("a word where a time should be is not a statement", "[syntax]") {
    CHECK(errors("abc close(3) = 0\n") == Problems{{1, 1, statement_expected}});
}

TEST_CASE("'+' without a number expects a time", "[syntax]") {
    CHECK(errors("+ close(3) = 0\n") == Problems{{1, 3, "expected time in seconds"}});
}

TEST_CASE("a time with two decimal points stops at the second", "[syntax]") {
    CHECK(errors("0.1.2 close(3) = 0\n") ==
          Problems{{1, 4, "expected packet ('<' or '>'), system call, `command` or %{ code }%"}});
}

TEST_CASE("a time range without its end expects a time", "[syntax]") {
    CHECK(errors("0~ > S 0:0(0)\n") == Problems{{1, 4, "expected time (such as 0.1 or +0.1)"}});
}

TEST_CASE("a relative range whose end lacks '+' is still read, as an absolute end", "[syntax]") {
    CHECK(errors("+0~0.1 > S 0:0(0)\n").empty());
}

TEST_CASE("'...' without an end time expects one", "[syntax]") {
    CHECK(errors("0... close(3) = 0\n") == Problems{{1, 6, "expected end time of the blocking call"}});
}

TEST_CASE("a time followed by letters is not a time", "[syntax]") {
    CHECK(errors("0s close(3) = 0\n") == Problems{{1, 1, statement_expected}});
}

// ---------------------------------------------------------------------------------------------
// Unterminated comments, commands, strings and code blocks

TEST_CASE("an unterminated /* comment is reported at its opening", "[syntax]") {
    CHECK(errors("0 close(3) = 0\n/* never\nends\n") == Problems{{2, 1, "unterminated /* comment"}});
}

TEST_CASE("an unterminated /* comment inside a statement is reported at its opening", "[syntax]") {
    CHECK(errors("0 close(/* x\n") == Problems{{1, 9, "unterminated /* comment"}});
}

TEST_CASE("an unterminated timed command is reported at its backquote", "[syntax]") {
    CHECK(errors("0 `echo hi\n") == Problems{{1, 3, "unterminated command: missing closing '`'"}});
}

TEST_CASE("an unterminated init command is reported at its backquote", "[syntax]") {
    CHECK(errors("`echo hi\n0 close(3) = 0\n") == Problems{{1, 1, "unterminated command: missing closing '`'"}});
}

TEST_CASE("an unterminated string is reported at its quote", "[syntax]") {
    CHECK(errors("0 write(3, \"abc, 3) = 3\n") == Problems{{1, 12, "unterminated string: missing closing '\"'"}});
}

TEST_CASE("an unterminated code block is reported at its %{", "[syntax]") {
    CHECK(errors("0 %{ print(1)\n") == Problems{{1, 3, "unterminated code block: missing closing '}%'"}});
}

TEST_CASE("\\x without hex digits in a string is reported at the escape", "[syntax]") {
    CHECK(errors("0 write(3, \"\\xzz\", 1) = 1\n") == Problems{{1, 13, "\\x used with no following hex digits"}});
}

// ---------------------------------------------------------------------------------------------
// Option lines

TEST_CASE("'--' without a name expects an option name", "[syntax]") {
    CHECK(errors("--=1\n0 close(3) = 0\n") == Problems{{1, 3, "expected option name after '--'"}});
}

TEST_CASE("'--name=' without a value expects one", "[syntax]") {
    CHECK(errors("--tolerance_usecs=\n0 close(3) = 0\n") == Problems{{1, 19, "expected option value after '='"}});
}

TEST_CASE("an option value with an unterminated string is reported at its quote", "[syntax]") {
    CHECK(errors("--define=X=\"abc\n0 close(3) = 0\n") ==
          Problems{{1, 12, "unterminated string: missing closing '\"'"}});
}

// ---------------------------------------------------------------------------------------------
// Bytes that have no business in a script

TEST_CASE("a NUL byte inside a word is named in the error", "[syntax]") {
    CHECK(errors(std::string("0 close(3) = 0\n+0 cl\0ose(3) = 0\n", 30)) ==
          Problems{{2, 6, "expected '(', found a NUL byte"}});
}

TEST_CASE("a NUL byte where a statement should start is named in the error", "[syntax]") {
    CHECK(errors(std::string("0 close(3) = 0\n\0\n", 17)) == Problems{{2, 1, statement_expected + ", found a NUL byte"}});
}

TEST_CASE("a control byte is named by its value", "[syntax]") {
    CHECK(errors("0 close(\x01) = 0\n") == Problems{{1, 9, "expected ')', found control byte 0x01"}});
}

TEST_CASE("CRLF line ends put errors where LF ones do", "[syntax]") {
    CHECK(errors("0 close(3) = 0\r\n+0 close(3 = 0\r\n") == Problems{{2, 15, "expected ')'"}});
    CHECK(errors("0 close(3) = 0\r\n+0 close(3 = 0\r\n") == errors("0 close(3) = 0\n+0 close(3 = 0\n"));
}

TEST_CASE("a script with CRLF line ends parses", "[syntax]") {
    CHECK(errors("--tolerance_usecs=1000\r\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\r\n"
                 "+0 < S 0:0(0) win 1000 <mss 1460>\r\n+0 `echo hi`\r\n// done\r\n")
              .empty());
}

// ---------------------------------------------------------------------------------------------
// Forms of nplab's packetdrill fork

TEST_CASE("an SCTP packet is not supported by pktdrill, said at 'sctp'", "[syntax][nplab]") {
    CHECK(errors("0 > sctp: INIT[flgs=0]\n") ==
          Problems{{1, 5, "SCTP packets are not supported by pktdrill (they come from nplab's packetdrill fork)"}});
}

TEST_CASE("an SCTP packet after IP info is not supported by pktdrill, said at 'sctp'", "[syntax][nplab]") {
    CHECK(errors("0 < [ect0] sctp: DATA[flgs=0]\n") ==
          Problems{{1, 12, "SCTP packets are not supported by pktdrill (they come from nplab's packetdrill fork)"}});
}

TEST_CASE("a UDPLite packet is not supported by pktdrill, said at 'udplite'", "[syntax][nplab]") {
    CHECK(errors("0 < udplite (1000, 8)\n") ==
          Problems{{1, 5, "UDPLite packets are not supported by pktdrill (they come from nplab's packetdrill fork)"}});
}

TEST_CASE("preprocessor directives (ifdef, endif) are not supported by pktdrill, each said where it stands", "[syntax][nplab]") {
    CHECK(errors("#ifdef Linux\n0 close(3) = 0\n#endif\n") ==
          Problems{{1, 1, "'#ifdef' is not supported by pktdrill (preprocessor directives come from nplab's packetdrill fork)"},
                   {3, 1, "'#endif' is not supported by pktdrill (preprocessor directives come from nplab's packetdrill fork)"}});
}

// ---------------------------------------------------------------------------------------------
// Not errors for the parser

TEST_CASE("an unknown system call or symbol is not a parse error", "[syntax]") {
    CHECK(errors("0 frobnicate(NO_SUCH_SYMBOL, 3) = NO_SUCH_RESULT\n").empty());
}

TEST_CASE("an empty file has no syntax error (the missing events are a semantic error)", "[syntax]") {
    CHECK(errors("").empty());
    CHECK(errors("// only a comment\n/* and another */\n").empty());
}
