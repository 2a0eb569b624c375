// The failures of system-call lines: packetdrill's messages after `runtime error in X call: `, and
// where they point (the argument at fault, or the call's line).

#include "tests/run/kernel/syscall_test_fixture.hpp"

using namespace pktdrill;
using namespace pktdrill::run;
using namespace pktdrill::run::test;

namespace {

std::string message(Error const& e) { return e.what(); }

}  // namespace

TEST_CASE("a wrong result of a failed call names the result and its errno") {
    Run r("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 listen(3, 1) = 0\n"
          "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
          "+0 accept(3, ..., ...) = 0\n");
    r.run_all(2);
    // Blocking socket that listens: make accept fail fast instead of blocking.
    REQUIRE(::fcntl(r.live_fd(3), F_SETFL, O_NONBLOCK) == 0);
    r.run(2);
    Error const e = r.error(3);
    CHECK(message(e) == "runtime error in accept call: Expected non-negative result but got -1 with errno 11 "
                        "(Resource temporarily unavailable)");
    CHECK(e.where() == SourceLocation{4, 1});
}

TEST_CASE("a wrong result of a successful call prints errno 0, not a stale errno") {
    Run r("0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n"
          "+0 fcntl(3, F_GETFL) = 0x802\n"
          "+0 close(3) = -1\n");
    r.run(0);
    Error const e = r.error(1);
    CHECK(message(e) == "runtime error in fcntl call: Expected result 2050 but got 2 with errno 0 (Success)");
    CHECK(e.where().line == 2);
    Error const e2 = r.error(2);
    CHECK(message(e2) == "runtime error in close call: Expected result -1 but got 0 with errno 0 (Success)");
}

TEST_CASE("a wrong result of a failed call prints its errno") {
    Run r("0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n"
          "+0 shutdown(3, SHUT_WR) = 0\n");
    r.run(0);
    CHECK(message(r.error(1)) ==
          "runtime error in shutdown call: Expected result 0 but got -1 with errno 107 (Transport endpoint is not connected)");
}

TEST_CASE("a wrong errno names both errnos") {
    Run r("0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n"
          "+0 shutdown(3, SHUT_WR) = -1 ENOTCONN (Transport endpoint is not connected)\n"
          "+0 shutdown(3, SHUT_WR) = -1 EAGAIN (Resource temporarily unavailable)\n"
          "+0 fcntl(3, F_GETFL) = 2 EAGAIN (whatever)\n");
    r.run_all(2);
    CHECK(message(r.error(2)) == "runtime error in shutdown call: Expected errno 11 (Resource temporarily unavailable) "
                                 "but got 107 (Transport endpoint is not connected)");
    // A call that succeeds has errno 0, not a stale value.
    CHECK(message(r.error(3)) ==
          "runtime error in fcntl call: Expected errno 11 (Resource temporarily unavailable) but got 0 (Success)");
}

TEST_CASE("an unknown system call is reported with packetdrill's words") {
    Run r("0 getsockname(3, ..., ...) = 0\n");
    Error const e = r.error(0);
    CHECK(message(e) == "runtime error in getsockname call: Unknown system call: 'getsockname'");
    CHECK(e.where() == SourceLocation{1, 1});
}

TEST_CASE("an unknown symbol is reported at the symbol") {
    Run r("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 setsockopt(3, SOL_SOCKET, SO_NOSUCHOPTION, [1], 4) = 0\n"
          "+0 fcntl(3, F_SETFL, O_RDWR|O_NOSUCHFLAG) = 0\n");
    r.run(0);
    Error const e = r.error(1);
    CHECK(message(e) == "runtime error in setsockopt call: unknown symbol: 'SO_NOSUCHOPTION'");
    CHECK(e.where() == SourceLocation{2, 30});
    Error const e2 = r.error(2);
    CHECK(message(e2) == "runtime error in fcntl call: unknown symbol: 'O_NOSUCHFLAG'");
    CHECK(e2.where() == SourceLocation{3, 29});
}

TEST_CASE("a wrong number of arguments is reported at the call") {
    Run r("0 socket(..., SOCK_STREAM) = 3\n"
          "+0 fcntl(3) = 0\n");
    Error const e = r.error(0);
    CHECK(message(e) == "runtime error in socket call: Expected 3 args but got 2");
    CHECK(e.where() == SourceLocation{1, 1});
    CHECK(message(r.error(1)) == "runtime error in fcntl call: fcntl expected 2-3 args but got 1");
}

TEST_CASE("an argument of the wrong type is reported at the argument") {
    Run r("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 bind(3, 0, ...) = 0\n"
          "+0 listen(3, \"ten\") = 0\n"
          "+0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"1.2.3.4\")}, 16) = 0\n");
    r.run(0);
    Error const e = r.error(1);
    CHECK(message(e) == "runtime error in bind call: Bad type; actual: integer expected: ellipsis");
    CHECK(e.where() == SourceLocation{2, 12});
    CHECK(message(r.error(2)) == "runtime error in listen call: Bad type; actual: string expected: integer");
    CHECK(message(r.error(3)) == "runtime error in bind call: Bad type; actual: sockaddr_in expected: ellipsis");
}

TEST_CASE("integers out of 32-bit range, bad buffers and bad brackets are reported") {
    Run r("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 listen(3, 0x100000000) = 0\n"
          "+0 write(3, 5, 10) = 10\n"
          "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1, 2], 4) = 0\n"
          "+0 listen(3, -2147483649) = 0\n"
          "+0 listen(3, 0xffffffff) = 0\n");
    r.run(0);
    Error const e = r.error(1);
    CHECK(message(e) == "runtime error in listen call: Value out of range for 32-bit integer: 4294967296");
    CHECK(e.where() == SourceLocation{2, 14});
    CHECK(message(r.error(2)) == "runtime error in write call: Expected ... or NULL for buffer");
    CHECK(message(r.error(3)) == "runtime error in setsockopt call: Expected [<element>] but got multiple elements");
    CHECK(message(r.error(4)) == "runtime error in listen call: Value out of range for 32-bit integer: -2147483649");
    // 0xffffffff fits (as -1, the way packetdrill casts it).
    r.run(5);
}

TEST_CASE("an fd the script never opened is reported at the fd") {
    Run r("0 write(9, ..., 10) = 10\n");
    Error const e = r.error(0);
    CHECK(message(e) == "runtime error in write call: unable to find fd with script fd 9");
    CHECK(e.where() == SourceLocation{1, 9});
}

TEST_CASE("unsupported value forms are named") {
    Run r("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, 1, 4) = 0\n"
          "+0 getsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, [8]) = 0\n");
    r.run(0);
    CHECK(message(r.error(1)) == "runtime error in setsockopt call: unsupported setsockopt value type: integer");
    CHECK(message(r.error(2)) == "runtime error in getsockopt call: unsupported getsockopt value type: linger");
}
