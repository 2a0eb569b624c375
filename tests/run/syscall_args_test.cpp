// System-call arguments to values, without a kernel: packetdrill's type names, its evaluation
// of symbols and `|`, its range checks and its messages, and where each failure points.

#include <catch2/catch.hpp>

#include <sstream>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/run/syscall_args.hpp"
#include "src/script/build.hpp"

using namespace pktdrill;
using namespace pktdrill::run::syscall;

namespace {

// The arguments of the first line of `text`, a system call.
struct Line {
    explicit Line(std::string text) : file("args.pkt", std::move(text)) {
        grammar::Diagnostics diagnostics(file);
        auto loaded = script::load_script(file, diagnostics, {});
        if (!loaded) {
            std::ostringstream out;
            diagnostics.print(out);
            FAIL("does not load:\n" << out.str());
        }
        script = std::move(loaded->script);
    }
    script::Syscall const& call() const { return std::get<script::Syscall>(script.events.at(0).action); }
    std::vector<script::Expr> const& args() const { return call().args; }
    script::Expr const& arg(std::size_t i) const { return args().at(i); }

    grammar::SourceFile file;
    script::Script script;
};

CallError error_of(auto&& f) {
    try {
        f();
    } catch (CallError const& e) {
        return e;
    }
    FAIL("no error");
    return {};
}

}  // namespace

TEST_CASE("argument types have packetdrill's names, symbols and a|b being integers") {
    Line l("0 f(..., 1, SOL_SOCKET, O_RDWR|O_NONBLOCK, \"s\", [1], {..., 10}, {fd=3, events=POLLIN}, "
           "{onoff=1, linger=0}, inet6_addr(\"::1\"), {TCP_NLA_BUSY=1}, {events=EPOLLIN, fd=3}) = 0\n");
    std::vector<std::string> names;
    for (auto const& a : l.args()) names.push_back(type_name(a));
    CHECK(names == std::vector<std::string>{"ellipsis", "integer", "integer", "integer", "string", "list", "iovec",
                                            "pollfd", "linger", "in6_addr", "list", "epollev"});
}

TEST_CASE("symbols and | evaluate to integers") {
    Line l("0 f(SOL_SOCKET, O_RDWR|O_NONBLOCK, NULL, 0x10) = 0\n");
    check_symbols(l.args());
    CHECK(integer_value(l.arg(0)) == 1);
    CHECK(integer_value(l.arg(1)) == 0x802);
    CHECK(integer_value(l.arg(2)) == 0);
    CHECK(integer_value(l.arg(3)) == 16);
}

TEST_CASE("an unknown symbol fails at the symbol, also inside a struct") {
    Line l("0 f(1, [{fd=3, events=POLLIN|POLLBOGUS}]) = 0\n");
    CallError const e = error_of([&] { check_symbols(l.args()); });
    CHECK(e.message == "unknown symbol: 'POLLBOGUS'");
    CHECK(e.where == SourceLocation{1, 30});
}

TEST_CASE("32-bit values accept signed and unsigned 32-bit numbers only") {
    Line l("0 f(-2147483648, 4294967295, 4294967296, -2147483649, \"x\") = 0\n");
    CHECK(to_s32(l.arg(0)) == INT32_MIN);
    CHECK(to_s32(l.arg(1)) == -1);
    CHECK(error_of([&] { to_s32(l.arg(2)); }).message == "Value out of range for 32-bit integer: 4294967296");
    CHECK(error_of([&] { to_s32(l.arg(3)); }).message == "Value out of range for 32-bit integer: -2147483649");
    CallError const e = error_of([&] { to_s32(l.arg(4)); });
    CHECK(e.message == "Bad type; actual: string expected: integer");
    CHECK(e.where == SourceLocation{1, 55});
}

TEST_CASE("8-bit values accept signed and unsigned 8-bit numbers only") {
    Line l("0 f(-128, 255, 256) = 0\n");
    CHECK(to_s8(l.arg(0)) == -128);
    CHECK(static_cast<std::uint8_t>(to_s8(l.arg(1))) == 255);
    CHECK(error_of([&] { to_s8(l.arg(2)); }).message == "Value out of range for 8-bit integer: 256");
}

TEST_CASE("argument lists are checked for their length at the call") {
    Line l("0 f(1, 2) = 0\n");
    Args args(l.args(), SourceLocation{1, 1});
    args.expect_count(2);
    CallError const e = error_of([&] { args.expect_count(3); });
    CHECK(e.message == "Expected 3 args but got 2");
    CHECK(e.where == SourceLocation{1, 1});
    CHECK(error_of([&] { args.at(2); }).message == "Argument list too short");
}

TEST_CASE("buffers are ... or NULL, bracketed values one element") {
    Line l("0 f(..., NULL, 0, 7, [4], [1, 2], []) = 0\n");
    Args args(l.args(), SourceLocation{1, 1});
    CHECK_FALSE(args.null_buffer(0));
    CHECK(args.null_buffer(1));
    CHECK(args.null_buffer(2));
    CallError const e = error_of([&] { args.null_buffer(3); });
    CHECK(e.message == "Expected ... or NULL for buffer");
    CHECK(e.where == SourceLocation{1, 19});
    CHECK(args.s32_bracketed(4) == 4);
    CHECK(error_of([&] { args.s32_bracketed(5); }).message == "Expected [<element>] but got multiple elements");
    CHECK(error_of([&] { args.s32_bracketed(6); }).message == "Expected [<element>] but got multiple elements");
    CHECK(error_of([&] { args.ellipsis(3); }).message == "Bad type; actual: integer expected: ellipsis");
}

TEST_CASE("buffers are zero-filled, and a negative length is refused") {
    Buffer b(16, false, {});
    REQUIRE(b.size() == 16);
    for (std::size_t i = 0; i < b.size(); ++i) CHECK(b.data()[i] == 0);
    CHECK(Buffer(16, true, {}).data() == nullptr);
    CHECK(error_of([] { Buffer(-1, false, SourceLocation{2, 3}); }).message ==
          "Expected a non-negative buffer length but got -1");
}

TEST_CASE("messages keep packetdrill's printf formats") {
    CHECK(format("Expected result %d but got %d", -1, 4) == "Expected result -1 but got 4");
    CHECK(format("%s", std::string(300, 'x').c_str()).size() == 300);
}
