// Inputs at the extremes: none may crash, hang or exhaust the stack, whether in the parser or in
// the semantic pass after it (which walks the same trees).

#include <pthread.h>

#include <chrono>
#include <exception>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/scripts.hpp"

namespace {

using pktdrill::test::Problem;
using Problems = std::vector<Problem>;
using pktdrill::test::load_text;
using pktdrill::test::parse_text;

std::string repeat(std::string const& s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

std::string joined(std::string const& item, std::string const& separator, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? separator : "") + item;
    return out;
}

// Runs `f` on a thread with a stack of `bytes`, far smaller than the main thread's 8 MiB, so a
// test proves a margin rather than luck.
void on_small_stack(std::size_t bytes, std::function<void()> const& f) {
    struct Job {
        std::function<void()> const* f;
        std::exception_ptr error;
    } job{&f, nullptr};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, bytes);
    pthread_t thread;
    int const rc = pthread_create(
        &thread, &attr,
        [](void* p) -> void* {
            auto* j = static_cast<Job*>(p);
            try {
                (*j->f)();
            } catch (...) {
                j->error = std::current_exception();
            }
            return nullptr;
        },
        &job);
    pthread_attr_destroy(&attr);
    REQUIRE(rc == 0);
    pthread_join(thread, nullptr);
    if (job.error) std::rethrow_exception(job.error);
}

std::string const too_deep = "brackets nested too deeply (the limit is 64 levels)";

}  // namespace

TEST_CASE("20,000 nested square brackets give the nesting error at the 65th level", "[extremes]") {
    std::string const text = "0 f(" + repeat("[", 20000) + repeat("]", 20000) + ") = 0\n";
    CHECK(load_text(text).errors == Problems{{1, 70, too_deep}});
}

TEST_CASE("20,000 nested '{' give the nesting error at the 65th level", "[extremes]") {
    std::string const text = "0 f(" + repeat("{", 20000) + repeat("}", 20000) + ") = 0\n";
    CHECK(load_text(text).errors == Problems{{1, 70, too_deep}});
}

TEST_CASE("20,000 nested calls give the nesting error", "[extremes]") {
    std::string const text = "0 f(" + repeat("g(", 20000) + repeat(")", 20000) + ") = 0\n";
    CHECK(load_text(text).errors == Problems{{1, 4 + 2 * 65 + 1, too_deep}});
}

TEST_CASE("20,000 unclosed square brackets give the nesting error, not a cascade", "[extremes]") {
    CHECK(load_text("0 f(" + repeat("[", 20000) + "\n").errors == Problems{{1, 70, too_deep}});
}

TEST_CASE("nesting mixed of every bracket kind is counted as one depth", "[extremes]") {
    std::string const text = "0 f(" + repeat("[{g(", 5000) + "\n";
    auto const errors = load_text(text).errors;
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message == too_deep);
}

TEST_CASE("64 levels of nesting are allowed", "[extremes]") {
    std::string const text = "0 f(" + repeat("[", 63) + repeat("]", 63) + ") = 0\n";
    CHECK(load_text(text).loaded);
}

TEST_CASE("a million '|' operands give the operator limit, not a stack overflow", "[extremes]") {
    std::string const text = "0 f(" + joined("A", "|", 1'000'000) + ") = 0\n";
    CHECK(load_text(text).errors ==
          Problems{{1, 5 + 2 * 65, "too many '|' in one expression (the limit is 64, counting enclosing brackets)"}});
}

TEST_CASE("a long '|' result gives the operator limit", "[extremes]") {
    std::string const text = "0 f() = " + joined("A", "|", 100'000) + "\n";
    CHECK(load_text(text).errors ==
          Problems{{1, 9 + 2 * 65, "too many '|' in one expression (the limit is 64, counting enclosing brackets)"}});
}

TEST_CASE("the deepest script allowed loads on a 256 KiB stack", "[extremes]") {
    // 63 levels of brackets, and inside the innermost one an '|' chain as long as the limit
    // allows: the deepest tree the parser accepts, walked by every pass.
    std::string const text = "0 f(" + repeat("[", 62) + joined("A", "|", 1) + repeat("]", 62) + ") = 0\n" +
                             "+0 f(" + joined("A", "|", 64) + ") = " + joined("B", "|", 64) + "\n";
    on_small_stack(256 * 1024, [&] {
        auto const l = load_text(text);
        INFO(l.printed);
        CHECK(l.loaded);
    });
}

TEST_CASE("the nesting error is reached on a 256 KiB stack", "[extremes]") {
    on_small_stack(256 * 1024, [] {
        CHECK(load_text("0 f(" + repeat("[{g(", 5000) + "\n").errors.size() == 1);
    });
}

TEST_CASE("a 20,000-digit number is out of range, wherever it stands", "[extremes]") {
    std::string const digits = repeat("9", 20000);
    CHECK(load_text("0 write(3, ..., " + digits + ") = 1\n").errors ==
          Problems{{1, 17, "integer out of range for 64 bits"}});
    CHECK(load_text("0 < S 0:0(0) win " + digits + "\n").errors == Problems{{1, 18, "TCP window value out of range"}});
    CHECK(load_text(digits + " close(3) = 0\n").errors == Problems{{1, 1, "time out of range"}});
    CHECK(load_text("0 close(3) = " + digits + "\n").errors == Problems{{1, 14, "integer out of range for 64 bits"}});
}

TEST_CASE("a 20,000-digit fraction of a second is cut at the microsecond", "[extremes]") {
    auto const l = load_text("0 close(3) = 0\n0." + repeat("1", 20000) + " close(3) = 0\n");
    REQUIRE(l.loaded);
    CHECK(l.loaded->script.events.at(1).time.start == 111111);
}

TEST_CASE("a 20,000-digit hex number is out of range", "[extremes]") {
    CHECK(load_text("0 f(0x" + repeat("f", 20000) + ") = 0\n").errors ==
          Problems{{1, 5, "integer out of range for 64 bits"}});
}

TEST_CASE("a 1 MB run of hex digits where an IPv6 address belongs does not take quadratic time", "[extremes]") {
    auto const start = std::chrono::steady_clock::now();
    CHECK(parse_text("0 < ipv6 " + repeat("a", 1'000'000) + " > ::1: S 0:0(0) win 1\n").errors ==
          Problems{{1, 10, "expected IPv6 address"}});
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("resynchronising after an error stays linear on unclosed quotes", "[extremes]") {
    auto const start = std::chrono::steady_clock::now();
    std::string const text = "0 f(x\n" + repeat("\"\\", 200'000) + "\n+0 g(\n";
    auto const errors = parse_text(text).errors;
    CHECK(errors.size() == 2);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("long flat lists load: 100,000 arguments, strings, options, SACK blocks, labels", "[extremes]") {
    CHECK(load_text("0 f(" + joined("1", ",", 100'000) + ") = 0\n").loaded);
    CHECK(load_text("0 f(" + joined("\"a\"", " ", 100'000) + ") = 0\n").loaded);
    CHECK(load_text("0 > S 0:0(0) <" + joined("nop", ",", 100'000) + ">\n").errors ==
          Problems{{1, 14, "TCP option list too long: 100000 bytes (at most 40 fit in a TCP header)"}});
    CHECK(load_text("0 > S 0:0(0) <sack " + joined("1:2", " ", 100'000) + ">\n").errors ==
          Problems{{1, 14, "TCP option list too long: 800002 bytes (at most 40 fit in a TCP header)"}});
    CHECK(load_text("0 < mpls " + joined("(label 1, tc 0, ttl 1)", " ", 100'000) + ": S 0:0(0) win 1\n").loaded);
    CHECK(load_text("0 < " + joined("gre:", " ", 100'000) + " S 0:0(0) win 1\n").loaded);
}

TEST_CASE("100,000 events load", "[extremes]") {
    auto const l = load_text("0 close(3) = 0\n" + repeat("+0 close(3) = 0\n", 100'000));
    REQUIRE(l.loaded);
    CHECK(l.loaded->script.events.size() == 100'001);
}

TEST_CASE("a 1 MB comment is skipped", "[extremes]") {
    CHECK(load_text("/*" + repeat("*", 1'000'000) + "*/\n0 close(3) = 0\n").loaded);
    CHECK(load_text("//" + repeat("/", 1'000'000) + "\n0 close(3) = 0\n").loaded);
}

TEST_CASE("random bytes and random token soup never escape as exceptions", "[extremes]") {
    std::mt19937 rng(20240611);
    std::vector<std::string> const tokens = {
        "0", "+0", ".1", "*", "~", "...", "<", ">", "S", "S.", ".", "P.", "-", "0:0(0)", "1:1001(1000)", "ack",
        "win", "urg", "<", ">", "mss", "wscale", "nop", "sackOK", "sack", "1:2", "TS", "val", "ecr", "FO", "FOEXP",
        "md5", "ECN", "e0b", "ceb", "e1b", "[", "]", "(", ")", "{", "}", ",", "=", "|", "ect0", "ect01", "tos",
        "0x10", "flowlabel", "ttl", "udp", "icmp", "unreachable", "gre", "mpls", "label", "tc", "ipv4", "ipv6",
        "1.2.3.4", "::1", ":", "encap", "psp", "spi", "close", "f", "\"s\"", "`c`", "%{ x }%", "/*", "*/", "//",
        "\n", " ", "--define=X=1", "-1", "EAGAIN", "(note)", "fd", "events", "msg_name", "msg_iov", "inet_addr",
        "sctp", "#ifdef", "\"", "`", "%{", "\\x", std::string(1, '\0'), "\r\n", "99999999999999999999"};
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        int const n = static_cast<int>(rng() % 40);
        for (int i = 0; i < n; ++i) {
            if (rng() % 8 == 0) text.push_back(static_cast<char>(rng() % 256));
            else text += tokens[rng() % tokens.size()] + (rng() % 3 ? " " : "");
        }
        INFO(text);
        CHECK_NOTHROW(load_text(text, {"-D", "X=1"}));
    }
}
