// The native `%{ }%` evaluator on its own: Python 3's semantics for the forms it takes, Python's
// wording for a failed assertion, and a refusal (NeedsPython) for everything else. The agreement
// with a real python3 is code_agreement_test.cpp.

#include <catch2/catch.hpp>

#include <string>
#include <variant>
#include <vector>

#include "src/run/code_eval.hpp"
#include "src/run/code_snapshot.hpp"
#include "src/run/symbols.hpp"

namespace code = pktdrill::run::code;

namespace {

struct Result {
    enum Kind { completed, assertion_failed, needs_python } kind = completed;
    std::string printed;
    std::string message;  // the assertion's message or the reason for Python
    std::size_t offset = 0;
    std::vector<std::string> values;
};

// Runs `text` in `names` (a fresh namespace unless given one).
Result run(std::string const& text, code::Namespace& names) {
    Result r;
    auto parsed = code::parse(text);
    if (auto const* needs = std::get_if<code::NeedsPython>(&parsed)) {
        r.kind = Result::needs_python;
        r.message = needs->reason;
        r.offset = needs->offset;
        return r;
    }
    auto const outcome = code::execute(std::get<code::Program>(parsed), names, r.printed);
    if (auto const* failed = std::get_if<code::AssertionFailed>(&outcome)) {
        r.kind = Result::assertion_failed;
        r.message = failed->message;
        r.offset = failed->offset;
        r.values = failed->values;
    } else if (auto const* needs = std::get_if<code::NeedsPython>(&outcome)) {
        r.kind = Result::needs_python;
        r.message = needs->reason;
        r.offset = needs->offset;
    }
    return r;
}

Result run(std::string const& text) {
    code::Namespace names;
    return run(text, names);
}

// What `print(<expr>)` prints, without its newline; fails the test if the evaluator refuses it.
std::string printed(std::string const& expr) {
    auto const r = run("print(" + expr + ")");
    INFO(expr << ": " << r.message);
    REQUIRE(r.kind == Result::completed);
    REQUIRE(!r.printed.empty());
    return r.printed.substr(0, r.printed.size() - 1);
}

bool needs_python(std::string const& text) { return run(text).kind == Result::needs_python; }

code::Value integer(long long v) { return code::Value{static_cast<code::Int>(v)}; }

}  // namespace

TEST_CASE("code: division follows Python 3: / is true division, // and % floor toward negative infinity",
          "[code][eval]") {
    CHECK(printed("7 / 2") == "3.5");
    CHECK(printed("6 / 3") == "2.0");
    CHECK(printed("7 // 2") == "3");
    CHECK(printed("-7 // 2") == "-4");
    CHECK(printed("7 // -2") == "-4");
    CHECK(printed("-7 % 3") == "2");
    CHECK(printed("7 % -3") == "-2");
    CHECK(printed("7.5 // 2") == "3.0");
    CHECK(printed("-7.5 % 2") == "0.5");
    CHECK(printed("2 ** 10") == "1024");
    CHECK(printed("-2 ** 2") == "-4");  // ** binds tighter than unary minus on its left
    CHECK(printed("2 ** 3 ** 2") == "512");  // and is right-associative
    CHECK(printed("1 + 2 * 3 - 4") == "3");
    CHECK(printed("(1 + 2) * 3") == "9");
}

TEST_CASE("code: integers are exact beyond 64 bits, as Python's unbounded ones are", "[code][eval]") {
    CHECK(printed("18446744073709551615 + 1") == "18446744073709551616");
    CHECK(printed("2 ** 100") == "1267650600228229401496703205376");
    CHECK(printed("0xffffffff & 0x7fffffff") == "2147483647");
    CHECK(printed("1 << 70") == "1180591620717411303424");
    CHECK(printed("-1 >> 3") == "-1");
    CHECK(printed("~5") == "-6");
    // Past 128 bits the evaluator leaves the arithmetic to Python rather than wrap around.
    CHECK(needs_python("print(2 ** 200)"));
    CHECK(needs_python("print(1 << 130)"));
}

TEST_CASE("code: comparisons chain and short-circuit as in Python", "[code][eval]") {
    CHECK(printed("1 < 2 < 3") == "True");
    CHECK(printed("1 < 3 > 2") == "True");
    CHECK(printed("1 < 2 > 3") == "False");
    CHECK(printed("3 == 3 == 3.0") == "True");
    CHECK(printed("2 != 2 < 1 / 0") == "False");  // the division is never evaluated
    CHECK(run("assert 990 <= 1000 <= 1010").kind == Result::completed);
    CHECK(run("assert 990 <= 1011 <= 1010").kind == Result::assertion_failed);
    // Exact int/float comparisons, not through a rounded float.
    CHECK(printed("9007199254740993 == 9007199254740992.0") == "False");
    CHECK(printed("9007199254740993 > 9007199254740992.0") == "True");
    CHECK(printed("1 == 1.0") == "True");
    CHECK(printed("'a' < 'b'") == "True");
    CHECK(printed("None == 0") == "False");
    CHECK(printed("'1' == 1") == "False");
}

TEST_CASE("code: and/or yield an operand and short-circuit; not yields a bool", "[code][eval]") {
    CHECK(printed("0 or 5") == "5");
    CHECK(printed("3 and 0") == "0");
    CHECK(printed("None or 'x'") == "x");
    CHECK(printed("0 and 1 / 0") == "0");
    CHECK(printed("1 or 1 / 0") == "1");
    CHECK(printed("not 0") == "True");
    CHECK(printed("not 'a'") == "False");
    CHECK(printed("not 1 == 2") == "True");
}

TEST_CASE("code: bools are integers", "[code][eval]") {
    CHECK(printed("True + True") == "2");
    CHECK(printed("True & True") == "True");
    CHECK(printed("True & 3") == "1");
    CHECK(printed("-True") == "-1");
    CHECK(printed("+True") == "1");
    CHECK(printed("~False") == "-1");
    CHECK(printed("True == 1") == "True");
}

TEST_CASE("code: values print as Python's str() and repr() do", "[code][eval]") {
    CHECK(printed("0.1 + 0.2") == "0.30000000000000004");
    CHECK(printed("1e16") == "1e+16");
    CHECK(printed("1e15") == "1000000000000000.0");
    CHECK(printed("0.0001") == "0.0001");
    CHECK(printed("0.00001") == "1e-05");
    CHECK(printed("1e308 * 10") == "inf");  // a float overflow is inf, not an error
    CHECK(printed("-0.0") == "-0.0");
    CHECK(printed("2 / 3") == "0.6666666666666666");
    CHECK(printed("None") == "None");
    CHECK(printed("1, 'a', None") == "1 a None");
    CHECK(printed("(1, 'a')") == "(1, 'a')");
    CHECK(printed("(1,)") == "(1,)");
    CHECK(printed("()") == "()");
    CHECK(printed("\"it's\", ('it\\'s',)") == "it's (\"it's\",)");
    CHECK(run("print()").printed == "\n");
}

TEST_CASE("code: printf-style formatting as Python's str % args", "[code][eval]") {
    CHECK(printed("'cwnd=%d' % 10") == "cwnd=10");
    CHECK(printed("'ca_state: %d min_rtt: %d rtt: %d' % (4, 1000, 2000)") == "ca_state: 4 min_rtt: 1000 rtt: 2000");
    CHECK(printed("'%5d|%-5d|%05d|%+d|% d' % (1, 2, 3, 4, 5)") == "    1|2    |00003|+4| 5");
    CHECK(printed("'%x %X %#x %o %#o' % (255, 255, 255, 8, 8)") == "ff FF 0xff 10 0o10");
    CHECK(printed("'%.3d|%s|%r|%%' % (7, 'q', 'q')") == "007|q|'q'|%");
    CHECK(printed("'%d' % 3.9") == "3");
    CHECK(printed("'%s' % True") == "True");
    CHECK(needs_python("print('%d %d' % 1)"));      // not enough arguments: Python's TypeError
    CHECK(needs_python("print('%d' % (1, 2))"));    // not all converted
    CHECK(needs_python("print('%f' % 1.5)"));       // float conversions are Python's
}

TEST_CASE("code: statements: newlines, ';', '\\' continuations, comments, assignments", "[code][eval]") {
    code::Namespace names;
    names.set("tcpi_snd_cwnd", integer(11));
    auto const r = run("cwnd = 10  # the initial window\n"
                       "cwnd += 1; print(cwnd)\n"
                       "\n"
                       "assert tcpi_snd_cwnd == cwnd, \\\n"
                       "       tcpi_snd_cwnd;\n"
                       "print((1 +\n"
                       "       2))\n"
                       "pass\n",
                       names);
    INFO(r.message);
    CHECK(r.kind == Result::completed);
    CHECK(r.printed == "11\n3\n");
    // Assignments stay for the next snippet, as in one Python module.
    auto const next = run("cwnd += 10; print(cwnd)", names);
    CHECK(next.printed == "21\n");
}

TEST_CASE("code: a failed assert reads as Python's AssertionError and points at the statement", "[code][eval]") {
    code::Namespace names;
    names.set("tcpi_snd_cwnd", integer(10));
    std::string const text = "print(1); assert tcpi_snd_cwnd == 3, tcpi_snd_cwnd";
    auto const r = run(text, names);
    CHECK(r.kind == Result::assertion_failed);
    CHECK(r.message == "AssertionError: 10");
    CHECK(r.offset == text.find("assert"));
    CHECK(r.values == std::vector<std::string>{"tcpi_snd_cwnd = 10"});
    CHECK(r.printed == "1\n");  // what ran before it printed

    CHECK(run("assert 0").message == "AssertionError");
    CHECK(run("assert 0, ''").message == "AssertionError");  // an empty message is not shown
    CHECK(run("assert 0, None").message == "AssertionError: None");
    CHECK(run("assert 0, 'cwnd=%d' % 7").message == "AssertionError: cwnd=7");
    CHECK(run("assert 0, (1, 'a')").message == "AssertionError: (1, 'a')");
    // The message is only evaluated when the assertion fails.
    CHECK(run("assert 1, 1 / 0").kind == Result::completed);
    // Later statements do not run.
    CHECK(run("assert 0; print(1)").printed.empty());
}

TEST_CASE("code: state assertions run natively with the snapshot's names", "[code][eval]") {
    code::Namespace names;
    for (auto const& c : pktdrill::run::code_constants())
        names.set(std::string(c.name), code::Value{static_cast<code::Int>(c.value)});
    names.set("tcpi_state", integer(*pktdrill::run::lookup_code_constant("TCP_CLOSING")));
    names.set("tcpi_options", integer(7));
    CHECK(run("assert tcpi_state == TCP_CLOSING", names).kind == Result::completed);
    CHECK(run("assert tcpi_state != TCP_ESTABLISHED, tcpi_state", names).kind == Result::completed);
    CHECK(run("assert (tcpi_options & TCPI_OPT_SYN_DATA) == 0, tcpi_options", names).kind == Result::completed);
    auto const failed = run("assert tcpi_state == TCP_TIME_WAIT, tcpi_state", names);
    CHECK(failed.kind == Result::assertion_failed);
    CHECK(failed.message == "AssertionError: 11");
    CHECK(failed.values == std::vector<std::string>{"tcpi_state = 11", "TCP_TIME_WAIT = 6"});
}

TEST_CASE("code: what only Python can answer is refused with a reason and a place", "[code][eval]") {
    auto const unknown = run("assert tcpi_nonexistent == 1");
    CHECK(unknown.kind == Result::needs_python);
    CHECK(unknown.message == "'tcpi_nonexistent', which is not defined here");
    CHECK(unknown.offset == 7);

    CHECK(needs_python("import sys"));
    CHECK(needs_python("for i in (1, 2): print(i)"));
    CHECK(needs_python("if 1: print(1)"));
    CHECK(needs_python("def f(): pass"));
    CHECK(needs_python("print(len('ab'))"));
    CHECK(needs_python("print(1, sep='')"));
    CHECK(needs_python("x = [1]"));
    CHECK(needs_python("print(1 if 1 else 2)"));
    CHECK(needs_python("print(1 in (1,))"));
    CHECK(needs_python("print(1 is 1)"));
    CHECK(needs_python("print(1 / 0)"));
    CHECK(needs_python("print(5 % 0)"));
    CHECK(needs_python("print(2 ** -1)"));
    CHECK(needs_python("print(2.0 ** 2)"));
    CHECK(needs_python("print(1 < 'a')"));
    CHECK(needs_python("print('a' * 3)"));
    CHECK(needs_python("print(u'x')"));
    CHECK(needs_python("print('\\x41')"));
    CHECK(needs_python("print(1_000)"));
    CHECK(needs_python("print(0o17j)"));
    CHECK(needs_python("x = y = 1"));
    CHECK(needs_python("print = 3; print(1)"));
    CHECK(needs_python("print(1)\n  print(2)"));  // Python's IndentationError
    CHECK(needs_python("print(1);;"));            // Python's SyntaxError
    CHECK(needs_python("; print(1)"));
    CHECK(needs_python("print(1"));
    CHECK(needs_python("print(012)"));
    CHECK(needs_python("print('caf\xc3\xa9')"));
    CHECK(needs_python("print(1) \\ print(2)"));
}
