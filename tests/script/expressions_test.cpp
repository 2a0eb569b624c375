// System-call lines: every expression kind and the value it loads as, and results with their
// errno and notes.

#include <catch2/catch.hpp>

#include "tests/script/access.hpp"

namespace {

using namespace pktdrill::test;

// The first argument of "0 f(<written>) = 0".
model::Expr first_arg(std::string const& written, std::vector<std::string> const& args = {}) {
    return arg(only("f(" + written + ") = 0", args), 0);
}

}  // namespace

TEST_CASE("a system call: its name, its arguments in order, its result", "[expressions]") {
    auto const e = only("socket(..., SOCK_STREAM, IPPROTO_TCP) = 3");
    auto const& s = syscall(e);
    CHECK(s.name == "socket");
    CHECK(s.args == std::vector<model::Expr>{ellipsis(), symbol("SOCK_STREAM"), symbol("IPPROTO_TCP")});
    CHECK(s.result == integer(3));
    CHECK_FALSE(s.errno_name.has_value());
    CHECK_FALSE(s.note.has_value());
}

TEST_CASE("a system call may have no arguments", "[expressions]") {
    auto const e = only("getpid() = 1");
    CHECK(syscall(e).args.empty());
}

TEST_CASE("integers: decimal, negative, hex (remembered as hex), 64-bit", "[expressions]") {
    CHECK(first_arg("1000") == integer(1000));
    CHECK(first_arg("-1") == integer(-1));
    CHECK(first_arg("0x2") == hex(2));
    CHECK(first_arg("0x2") != integer(2));
    CHECK(first_arg("-0x10") == hex(-16));
    CHECK(first_arg("9223372036854775807") == integer(INT64_MAX));
    CHECK(first_arg("-9223372036854775808") == integer(INT64_MIN));
    CHECK(first_arg("0xffffffffffffffff") == hex(-1));
}

TEST_CASE("a word is a symbol, resolved at run time, so unknown ones are no error now", "[expressions]") {
    CHECK(first_arg("SOL_SOCKET") == symbol("SOL_SOCKET"));
    CHECK(first_arg("NO_SUCH_SYMBOL_AT_ALL") == symbol("NO_SUCH_SYMBOL_AT_ALL"));
}

TEST_CASE("NULL is the symbol NULL, as in google's packetdrill", "[expressions]") {
    auto const e = only("sendto(4, NULL, 1, 0, ..., 0) = 1");
    CHECK(arg(e, 1) == symbol("NULL"));
}

TEST_CASE("'|' ors integers and symbols, grouping to the right", "[expressions]") {
    CHECK(first_arg("O_RDWR|O_NONBLOCK") == binary('|', symbol("O_RDWR"), symbol("O_NONBLOCK")));
    CHECK(first_arg("A | B | 4") == binary('|', symbol("A"), binary('|', symbol("B"), integer(4))));
}

TEST_CASE("arrays: a pointer to one int, several, none", "[expressions]") {
    CHECK(first_arg("[1]") == list({integer(1)}));
    CHECK(first_arg("[3, 4]") == list({integer(3), integer(4)}));
    CHECK(first_arg("[]") == list({}));
    CHECK(first_arg("[[1], []]") == list({list({integer(1)}), list({})}));
}

TEST_CASE("strings, escapes resolved, adjacent ones concatenated", "[expressions]") {
    CHECK(first_arg("\"reno\"") == string("reno"));
    CHECK(first_arg("\"a\\n\" \"b\\x41\"") == string("a\nbA"));
    CHECK(first_arg("\"\"") == string(""));
}

TEST_CASE("a string followed by ... ", "[expressions]") {
    CHECK(first_arg("\"abc\"...") == string("abc", true));
}

TEST_CASE("... lets the interpreter fill the argument in", "[expressions]") {
    auto const e = only("bind(3, ..., ...) = 0");
    CHECK(arg(e, 1) == ellipsis());
    CHECK(arg(e, 2) == ellipsis());
}

TEST_CASE("linger", "[expressions]") {
    CHECK(as<model::Linger>(first_arg("{onoff=1, linger=0}")) == model::Linger{integer(1), integer(0)});
}

TEST_CASE("pollfd with revents, and without (revents 0)", "[expressions]") {
    auto const e = only("poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}, {fd=5, events=POLLIN}], 2, 0) = 1");
    auto const& fds = as<model::List>(arg(e, 0)).items;
    REQUIRE(fds.size() == 2);
    CHECK(as<model::Pollfd>(fds[0]) ==
          model::Pollfd{integer(4), binary('|', symbol("POLLIN"), symbol("POLLOUT")), symbol("POLLOUT")});
    CHECK(as<model::Pollfd>(fds[1]) == model::Pollfd{integer(5), symbol("POLLIN"), integer(0)});
}

TEST_CASE("msghdr with one iovec, no control messages", "[expressions]") {
    auto const e = only("sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}, 0) = 1000");
    auto const& m = as<model::Msghdr>(arg(e, 1));
    CHECK(*m.iov_count == integer(1));
    CHECK(*m.iov == list({{model::Iovec{ellipsis(), integer(1000)}, {}}}));
    CHECK(*m.flags == integer(0));
    CHECK_FALSE(m.control.has_value());
}

TEST_CASE("msghdr with several iovecs and a control message carrying a sock_extended_err", "[expressions]") {
    auto const e = only(
        "recvmsg(4, {msg_name(...)=..., msg_iov(2)=[{..., 10}, {..., 20}], msg_flags=MSG_ERRQUEUE,\n"
        "  msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_RECVERR,\n"
        "                cmsg_data={ee_errno=0, ee_origin=SO_EE_ORIGIN_ZEROCOPY, ee_type=0, ee_code=1,\n"
        "                           ee_info=2, ee_data=3}}]}, MSG_ERRQUEUE) = 0");
    auto const& m = as<model::Msghdr>(arg(e, 1));
    CHECK(*m.iov_count == integer(2));
    CHECK(as<model::List>(*m.iov).items.size() == 2);
    CHECK(*m.flags == symbol("MSG_ERRQUEUE"));
    REQUIRE(m.control);
    auto const& cmsgs = as<model::List>(**m.control).items;
    REQUIRE(cmsgs.size() == 1);
    auto const& c = as<model::Cmsg>(cmsgs[0]);
    CHECK(*c.level == symbol("SOL_IP"));
    CHECK(*c.type == symbol("IP_RECVERR"));
    CHECK(as<model::SockExtendedErr>(*c.data) ==
          model::SockExtendedErr{integer(0), symbol("SO_EE_ORIGIN_ZEROCOPY"), integer(0), integer(1), integer(2),
                                 integer(3)});
}

TEST_CASE("a control message carrying timestamps or an NLA list", "[expressions]") {
    auto const e = only(
        "recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 0}], msg_flags=0, msg_control=[\n"
        "  {cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, cmsg_data={scm_sec=1, scm_nsec=2}},\n"
        "  {cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING_OPT_STATS, cmsg_data={TCP_NLA_BUSY=0, TCP_NLA_CA_STATE=...}}\n"
        "]}, 0) = 0");
    auto const& cmsgs = as<model::List>(**as<model::Msghdr>(arg(e, 1)).control).items;
    REQUIRE(cmsgs.size() == 2);
    CHECK(as<model::ScmTimestamping>(*as<model::Cmsg>(cmsgs[0]).data) == model::ScmTimestamping{1, 2});
    CHECK(*as<model::Cmsg>(cmsgs[1]).data ==
          braced({binary('=', symbol("TCP_NLA_BUSY"), integer(0)), binary('=', symbol("TCP_NLA_CA_STATE"), ellipsis())}));
}

TEST_CASE("an NLA list is a braced list of NAME=value pairs", "[expressions]") {
    CHECK(first_arg("{TCP_NLA_BUSY=0, TCP_NLA_RWND_LIMITED=..., TCP_NLA_SNDBUF_LIMITED=1|2}") ==
          braced({binary('=', symbol("TCP_NLA_BUSY"), integer(0)),
                  binary('=', symbol("TCP_NLA_RWND_LIMITED"), ellipsis()),
                  binary('=', symbol("TCP_NLA_SNDBUF_LIMITED"), binary('|', integer(1), integer(2)))}));
}

TEST_CASE("sockaddr for IPv4 and IPv6", "[expressions]") {
    CHECK(as<model::Sockaddr>(first_arg("{sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"192.0.2.1\")}")) ==
          model::Sockaddr{"AF_INET", 8080, "192.0.2.1"});
    CHECK(as<model::Sockaddr>(first_arg("{sa_family=AF_INET6, sin_port=htons(1), sin_addr=inet_addr(\"::1\")}")) ==
          model::Sockaddr{"AF_INET6", 1, "::1"});
}

TEST_CASE("epoll_event with fd, ptr, u32 or u64", "[expressions]") {
    for (char const* field : {"fd", "ptr", "u32", "u64"}) {
        auto const ev = as<model::EpollEvent>(first_arg(std::string("{events=EPOLLIN|EPOLLET, ") + field + "=7}"));
        CHECK(*ev.events == binary('|', symbol("EPOLLIN"), symbol("EPOLLET")));
        CHECK(ev.data_field == field);
        CHECK(*ev.data == integer(7));
    }
}

TEST_CASE("inet_addr is the address as it lies in memory, as a hex integer", "[expressions]") {
    // 192.0.2.1 in network byte order, read as a little-endian integer.
    CHECK(first_arg("inet_addr(\"192.0.2.1\")") == hex(0x010200c0));
}

TEST_CASE("inet6_addr keeps the address bytes and text", "[expressions]") {
    auto const a = as<model::In6Addr>(first_arg("inet6_addr(\"2001:db8::1\")"));
    CHECK(a.text == "2001:db8::1");
    CHECK(a.bytes[0] == 0x20);
    CHECK(a.bytes[1] == 0x01);
    CHECK(a.bytes[15] == 0x01);
}

TEST_CASE("an MPLS stack and a GRE header as setsockopt values", "[expressions]") {
    CHECK(as<model::MplsStack>(first_arg("{(label 1, tc 0, [S], ttl 64)}")) ==
          model::MplsStack{{model::MplsEntry{1, 0, true, 64}}});
    auto const g = as<model::GreHeader>(first_arg("{flags [key present] sum 0 off 0 key 5 seq 0}"));
    CHECK(g.flags == 0x2000);
    CHECK(g.key == 5);
}

TEST_CASE("a braced list that is no known struct stays a braced list", "[expressions]") {
    CHECK(first_arg("{1, 2}") == braced({integer(1), integer(2)}));
    CHECK(first_arg("{}") == braced({}));
}

TEST_CASE("a result with errno and its mandatory text", "[expressions][results]") {
    auto const e = only("connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)");
    auto const& s = syscall(e);
    CHECK(s.result == integer(-1));
    CHECK(s.errno_name == "EINPROGRESS");
    CHECK(s.errno_note == "Operation now in progress");
    CHECK_FALSE(s.note.has_value());
}

TEST_CASE("a result with a note", "[expressions][results]") {
    auto const e = only("fcntl(4, F_GETFL) = 0x2 (flags O_RDWR)");
    CHECK(syscall(e).result == hex(2));
    CHECK(syscall(e).note == "flags O_RDWR");
    CHECK_FALSE(syscall(e).errno_name.has_value());
}

TEST_CASE("a result with errno, its text and a note", "[expressions][results]") {
    auto const e = only("read(3, ..., 1) = -1 EAGAIN (Resource temporarily unavailable) (expected)");
    CHECK(syscall(e).errno_note == "Resource temporarily unavailable");
    CHECK(syscall(e).note == "expected");
}

TEST_CASE("an errno without its text is accepted (packetdrill requires the text)", "[expressions][results]") {
    auto const e = only("read(3, ..., 1) = -1 EAGAIN");
    CHECK(syscall(e).errno_name == "EAGAIN");
    CHECK_FALSE(syscall(e).errno_note.has_value());
}

TEST_CASE("a result may be a symbol or an or of symbols", "[expressions][results]") {
    CHECK(syscall(only("fcntl(3, F_GETFL) = O_RDWR|O_NONBLOCK")).result ==
          binary('|', symbol("O_RDWR"), symbol("O_NONBLOCK")));
    CHECK(syscall(only("f() = RESULT")).result == symbol("RESULT"));
}

TEST_CASE("expressions keep their source locations", "[expressions]") {
    auto const e = only("setsockopt(3, SOL_SOCKET,\n    SO_REUSEADDR, [1], 4) = 0");
    CHECK(arg(e, 0).where == pktdrill::SourceLocation{1, 14});
    CHECK(arg(e, 2).where == pktdrill::SourceLocation{2, 5});
    CHECK(arg(e, 3).where == pktdrill::SourceLocation{2, 19});
}
