// How diagnostics are printed: clang's `file:line:col: severity: message`, the source line and a
// caret that stays under the right byte whatever the line holds.

#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "tests/support/scripts.hpp"

namespace {

using pktdrill::grammar::Diagnostics;
using pktdrill::grammar::SourceFile;

std::string printed(Diagnostics const& d) {
    std::ostringstream out;
    d.print(out);
    return out.str();
}

}  // namespace

TEST_CASE("a syntax error prints file:line:col, the line and a caret under the column", "[diagnostics]") {
    CHECK(pktdrill::test::parse_text("0 close(3) = 0\n0.1 < S 0:0(0) win\n").printed ==
          "test.pkt:2:19: error: expected integer\n"
          "0.1 < S 0:0(0) win\n"
          "                  ^\n");
}

TEST_CASE("the caret line copies tabs so it lines up under any tab width", "[diagnostics]") {
    CHECK(pktdrill::test::parse_text("0 close(3) = 0\n+0.2\twrite(4, ..., 10) = 10x\n").printed ==
          "test.pkt:2:26: error: expected result (an integer)\n"
          "+0.2\twrite(4, ..., 10) = 10x\n"
          "    \t                    ^\n");
}

TEST_CASE("control bytes in the source line print as '?' so the caret stays aligned", "[diagnostics]") {
    CHECK(pktdrill::test::parse_text(std::string("0 cl\0se(3) = 0\n", 15)).printed ==
          "test.pkt:1:5: error: expected '(', found a NUL byte\n"
          "0 cl?se(3) = 0\n"
          "    ^\n");
}

TEST_CASE("a CR before the newline is not printed", "[diagnostics]") {
    CHECK(pktdrill::test::parse_text("0 close(3\r\n").printed ==
          "test.pkt:1:10: error: expected ')'\n"
          "0 close(3\n"
          "         ^\n");
}

TEST_CASE("a range is underlined with '~' after the caret", "[diagnostics]") {
    SourceFile const file("x.pkt", "0 < S 0:10(5) win 1\n");
    Diagnostics d(file);
    d.error(6, "inconsistent TCP sequence numbers and payload size", 7);
    CHECK(printed(d) ==
          "x.pkt:1:7: error: inconsistent TCP sequence numbers and payload size\n"
          "0 < S 0:10(5) win 1\n"
          "      ^~~~~~~\n");
}

TEST_CASE("warnings and notes print with their own severity", "[diagnostics]") {
    SourceFile const file("x.pkt", "0 close(3) = 0\n");
    Diagnostics d(file);
    d.warning(2, "w");
    d.note(0, "n");
    CHECK(printed(d) == "x.pkt:1:3: warning: w\n0 close(3) = 0\n  ^\nx.pkt:1:1: note: n\n0 close(3) = 0\n^\n");
    CHECK(d.warning_count() == 1);
    CHECK(d.error_count() == 0);
}

TEST_CASE("the error limit's fatal error has no location", "[diagnostics]") {
    SourceFile const file("x.pkt", "0\n");
    Diagnostics d(file, 2);
    d.error(0, "a");
    CHECK_FALSE(d.error_limit_reached());
    d.error(0, "b");
    CHECK(d.error_limit_reached());
    d.stop_at_limit();
    CHECK(printed(d).ends_with("fatal error: too many errors emitted, stopping now [-ferror-limit=]\n"));
}

TEST_CASE("an error at the end of a file without a final newline points past its last byte", "[diagnostics]") {
    CHECK(pktdrill::test::parse_text("0 close(3) =").printed ==
          "test.pkt:1:13: error: expected result (an integer)\n"
          "0 close(3) =\n"
          "            ^\n");
}

TEST_CASE("offsets map to 1-based lines and columns, and back", "[diagnostics]") {
    SourceFile const file("x.pkt", "ab\r\ncd\n\nef");
    CHECK(file.line_count() == 4);
    CHECK(file.location(0) == pktdrill::SourceLocation{1, 1});
    CHECK(file.location(4) == pktdrill::SourceLocation{2, 1});
    CHECK(file.location(8) == pktdrill::SourceLocation{4, 1});
    CHECK(file.location(1000) == pktdrill::SourceLocation{4, 3});
    CHECK(file.offset_of({2, 2}) == 5);
    CHECK(file.line(1) == "ab");
    CHECK(file.line(3).empty());
    CHECK(file.line(4) == "ef");
    CHECK(file.line(5).empty());
}
