// The data, option and readiness calls against the kernel: what they send and receive, and how
// they compare their outputs with the script (getsockopt values, ioctl values, poll revents,
// epoll events, recvmsg flags and cmsgs).

#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "tests/run/kernel/syscall_test_fixture.hpp"

using namespace pktdrill;
using namespace pktdrill::run;
using namespace pktdrill::run::test;

namespace {

std::string message(Error const& e) { return e.what(); }

// A script connected to a test-held peer: runs lines [0, 2) (socket, connect) and accepts.
struct Connected {
    Connected(std::string const& lines, std::uint16_t port, std::string const& options = "")
        : r(options + "--connect_port=" + std::to_string(port) + "\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n" +
            "+0 connect(3, ..., ...) = 0\n" + lines),
          l(listener(port)) {
        r.run_all(2);
        peer = UniqueFd(::accept(l.get(), nullptr, nullptr));
        REQUIRE(peer);
    }
    Run r;
    UniqueFd l;
    UniqueFd peer;
};

long drain(int fd) {
    char buf[65536];
    long total = 0;
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) return total;
        ssize_t const n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return total;
        total += n;
    }
}

}  // namespace

TEST_CASE("write, send, writev and sendmsg send zeros of the given lengths") {
    Connected c("+0 write(3, ..., 1000) = 1000\n"
                "+0 send(3, ..., 500, 0) = 500\n"
                "+0 writev(3, [{..., 100}, {..., 200}], 2) = 300\n"
                "+0 sendmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 50}], msg_flags=0}, 0) = 50\n"
                "+0 sendto(3, ..., 25, 0, ..., ...) = 25\n",
                8201);
    for (std::size_t i = 2; i < 7; ++i) c.r.run(i);
    CHECK(drain(c.peer.get()) == 1875);
}

TEST_CASE("read, recv, recvfrom, readv and recvmsg count what they receive") {
    Connected c("+0 read(3, ..., 1000) = 1000\n"
                "+0 recv(3, ..., 500, 0) = 500\n"
                "+0 recvfrom(3, ..., 100, 0, ..., ...) = 100\n"
                "+0 readv(3, [{..., 100}, {..., 200}], 2) = 300\n"
                "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 50}], msg_flags=0}, 0) = 50\n"
                "+0 read(3, NULL, 0) = 0\n",
                8202);
    std::vector<char> data(1950, 'x');
    REQUIRE(::write(c.peer.get(), data.data(), data.size()) == 1950);
    for (std::size_t i = 2; i < 8; ++i) c.r.run(i);
}

TEST_CASE("readv and sendmsg check their counts against the iovec array") {
    Connected c("+0 readv(3, [{..., 100}], 2) = 100\n"
                "+0 sendmsg(3, {msg_name(...)=..., msg_iov(2)=[{..., 50}], msg_flags=0}, 0) = 50\n"
                "+0 sendmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 50}], msg_flags=MSG_DONTWAIT}, 0) = 50\n",
                8203);
    CHECK(message(c.r.error(2)) == "runtime error in readv call: iov_count 2 does not match 1-element iovec array");
    CHECK(message(c.r.error(3)) == "runtime error in sendmsg call: msg_iovlen 2 does not match 1-element iovec array");
    CHECK(message(c.r.error(4)) == "runtime error in sendmsg call: sendmsg ignores msg_flags field in msghdr");
}

TEST_CASE("getsockopt compares the value and the length") {
    Run r("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
          "+0 getsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], [4]) = 0\n"
          "+0 getsockopt(3, SOL_SOCKET, SO_REUSEADDR, [0], [4]) = 0\n"
          "+0 getsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], [8]) = 0\n"
          "+0 getsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], [2]) = 0\n");
    r.run_all(3);
    Error const e = r.error(3);
    CHECK(message(e) == "runtime error in getsockopt call: Bad getsockopt optval: expected: 0 actual: 1");
    CHECK(e.where() == SourceLocation{4, 44});
    CHECK(message(r.error(4)) == "runtime error in getsockopt call: Bad getsockopt optlen: expected: 8 actual: 4");
    // The kernel returns as much as asked; the [int] form needs 4 bytes.
    CHECK(message(r.error(5)) == "runtime error in getsockopt call: Unsupported getsockopt optlen: 2");
}

TEST_CASE("setsockopt and getsockopt take strings, linger and in6_addr values") {
    Run r("--ip_version=ipv6\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 setsockopt(3, IPPROTO_TCP, TCP_CONGESTION, \"reno\", 4) = 0\n"
          "+0 getsockopt(3, IPPROTO_TCP, TCP_CONGESTION, \"reno\", [4]) = 0\n"
          "+0 getsockopt(3, IPPROTO_TCP, TCP_CONGESTION, \"cubi\", [4]) = 0\n"
          "+0 getsockopt(3, IPPROTO_TCP, TCP_CONGESTION, \"reno\", [3]) = 0\n"
          "+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=5}, 8) = 0\n"
          "+0 getsockopt(3, SOL_SOCKET, SO_LINGER, [1], [4]) = 0\n"
          "+0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 4\n"
          "+0 setsockopt(4, IPPROTO_IPV6, IPV6_MULTICAST_IF, [1], 4) = 0\n",
          {}, true);
    r.run_all(3);
    CHECK(message(r.error(3)) == "runtime error in getsockopt call: Bad getsockopt optval: expected: 'cubi' actual: 'reno'");
    CHECK(message(r.error(4)) == "runtime error in getsockopt call: Bad getsockopt optval: expected optlen (3 bytes) "
                                 "does not match length of expected optval string 'reno' (4 bytes)");
    r.run(5);
    linger l{};
    socklen_t len = sizeof l;
    REQUIRE(::getsockopt(r.live_fd(3), SOL_SOCKET, SO_LINGER, &l, &len) == 0);
    CHECK(l.l_onoff == 1);
    CHECK(l.l_linger == 5);
    // The first int of struct linger is l_onoff.
    r.run(6);
    r.run(7);
    r.run(8);
}

TEST_CASE("fcntl takes two or three arguments and returns the flags") {
    Run r("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)\n"
          "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
          "+0 fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)\n");
    r.run_all(4);
}

TEST_CASE("ioctl compares the value it reads") {
    Connected c("+0 ioctl(3, SIOCINQ, [10]) = 0\n"
                "+0 ioctl(3, FIONREAD, [11]) = 0\n",
                8204);
    REQUIRE(::write(c.peer.get(), "0123456789", 10) == 10);
    // Loopback delivers at once, but give it a moment on a loaded machine.
    for (int i = 0; i < 100; ++i) {
        int n = 0;
        if (::ioctl(c.r.live_fd(3), SIOCINQ, &n) == 0 && n == 10) break;
        ::usleep(10000);
    }
    c.r.run(2);
    Error const e = c.r.error(3);
    CHECK(message(e) == "runtime error in ioctl call: Bad ioctl optval: expected: 11 actual: 10");
    CHECK(e.where() == SourceLocation{5, 23});
}

TEST_CASE("poll compares revents and names the flags in its message") {
    Connected c("+0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1\n"
                "+0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLIN}], 1, 0) = 1\n"
                "+0 poll([{fd=3, events=POLLIN}], 1, 0) = 0\n"
                "+0 poll([{fd=3, events=POLLIN}], 2, 0) = 0\n",
                8205);
    c.r.run(2);
    Error const e = c.r.error(3);
    CHECK(message(e) == "runtime error in poll call: Expected revents of POLLIN but got POLLOUT for pollfd 0");
    c.r.run(4);
    CHECK(message(c.r.error(5)) == "runtime error in poll call: nfds 2 does not match 1-element pollfd array");
}

TEST_CASE("epoll_create, epoll_ctl and epoll_wait map fds and compare the first event") {
    Connected c("+0 epoll_create(1) = 5\n"
                "+0 epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLOUT, fd=3}) = 0\n"
                "+0 epoll_wait(5, {events=EPOLLOUT, fd=3}, 1, 0) = 1\n"
                "+0 epoll_wait(5, {events=EPOLLIN, fd=3}, 1, 0) = 1\n"
                "+0 epoll_ctl(5, EPOLL_CTL_MOD, 3, {events=EPOLLOUT, fd=4}) = 0\n"
                "+0 epoll_ctl(5, EPOLL_CTL_MOD, 3, {events=EPOLLOUT, u32=7}) = 0\n"
                "+0 epoll_wait(5, {events=EPOLLOUT, u32=7}, 1, 0) = 1\n",
                8206);
    for (std::size_t i = 2; i < 5; ++i) c.r.run(i);
    CHECK(c.r.ctx.fds.find(5)->kind == FdKind::epoll);
    CHECK(message(c.r.error(5)) ==
          "runtime error in epoll_wait call: epoll_event->events does not match script: expected: 0x1 actual: 0x4");
    CHECK(message(c.r.error(6)) == "runtime error in epoll_ctl call: wrong fd specified in epoll_event");
    c.r.run(7);
    c.r.run(8);
}

TEST_CASE("pipe, open, sendfile and splice record and use their fds") {
    char path[] = "/tmp/pktdrill-syscall-XXXXXX";
    int const tmp = ::mkstemp(path);
    REQUIRE(tmp >= 0);
    REQUIRE(::write(tmp, "0123456789", 10) == 10);
    ::close(tmp);
    Connected c(std::string("+0 pipe([5, 6]) = 0\n") + "+0 open(\"" + path + "\", O_RDONLY) = 7\n" +
                    "+0 sendfile(3, 7, [0], 10) = 10\n"
                    "+0 write(6, ..., 100) = 100\n"
                    "+0 splice(5, 0, 3, 0, 100, 0) = 100\n"
                    "+0 open(\"/nonexistent/file\", O_RDONLY) = 8\n",
                8207);
    for (std::size_t i = 2; i < 7; ++i) c.r.run(i);
    ::unlink(path);
    CHECK(c.r.ctx.fds.find(5)->kind == FdKind::pipe);
    CHECK(c.r.ctx.fds.find(6)->kind == FdKind::pipe);
    CHECK(c.r.ctx.fds.find(7)->kind == FdKind::file);
    CHECK(drain(c.peer.get()) == 110);
    CHECK(message(c.r.error(7)) ==
          "runtime error in open call: Expected non-negative result but got -1 with errno 2 (No such file or directory)");
}

TEST_CASE("recvmsg compares msg_flags and cmsgs") {
    Run r("--bind_port=8208\n"
          "0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n"
          "+0 bind(3, ..., ...) = 0\n"
          "+0 setsockopt(3, SOL_IP, IP_RECVTTL, [1], 4) = 0\n"
          "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0, "
          "msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=64}]}, 0) = 10\n"
          "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0, "
          "msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=63}]}, 0) = 10\n"
          "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 4}], msg_flags=MSG_TRUNC, "
          "msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=64}]}, 0) = 4\n"
          "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0}, 0) = 10\n"
          "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=MSG_CTRUNC}, 0) = 10\n"
          "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0, "
          "msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_TOS, cmsg_data=0}]}, 0) = 10\n");
    r.run_all(3);
    UniqueFd sender(::socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(8208);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto send_one = [&] {
        REQUIRE(::sendto(sender.get(), "0123456789", 10, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == 10);
    };
    send_one();
    r.run(3);
    send_one();
    CHECK(message(r.error(4)) == "runtime error in recvmsg call: Bad data in cmsg 0: expected=0x3f000000 actual=0x40000000");
    send_one();
    r.run(5);
    send_one();
    CHECK(message(r.error(6)) == "runtime error in recvmsg call: Expected msg_flags 0x00000000 but got 0x00000008");
    send_one();
    r.run(7);
    send_one();
    CHECK(message(r.error(8)) == "runtime error in recvmsg call: Bad type in cmsg 0: expected=1 actual=2");
}

TEST_CASE("SCM_TIMESTAMPING cmsgs are checked within the tolerance of the script time, 0 meaning unchecked") {
    Run r("--bind_port=8209\n--tolerance_usecs=1000000\n"
          "0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n"
          "+0 bind(3, ..., ...) = 0\n"
          "+0 setsockopt(3, SOL_SOCKET, SO_TIMESTAMPING, [SOF_TIMESTAMPING_RX_SOFTWARE|SOF_TIMESTAMPING_SOFTWARE], 4) = 0\n"
          "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0, "
          "msg_control=[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, cmsg_data={scm_sec=0,scm_nsec=0}}]}, 0) = 10\n"
          "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0, "
          "msg_control=[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, cmsg_data={scm_sec=0,scm_nsec=1000000}}]}, 0) = 10\n"
          "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0, "
          "msg_control=[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, cmsg_data={scm_sec=100,scm_nsec=0}}]}, 0) = 10\n");
    r.run_all(3);
    // Enabling timestamps switches on the kernel's receive timestamping from a work queue:
    // datagrams sent right away may not be stamped yet.
    ::usleep(200000);
    UniqueFd sender(::socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(8209);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 3; ++i)
        REQUIRE(::sendto(sender.get(), "0123456789", 10, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == 10);
    // Not checked: 0.
    r.run(3);
    // The datagram arrived around script time 0: expected at 0.001 s is within the tolerance.
    r.run(4);
    std::string const m = message(r.error(5));
    CHECK(m.rfind("runtime error in recvmsg call: Bad timestamp 0 in scm_timestamping 0: expected=", 0) == 0);
}

TEST_CASE("MSG_ZEROCOPY completions are read from the error queue as sock_extended_err cmsgs") {
    Connected c("+0 setsockopt(3, SOL_SOCKET, SO_ZEROCOPY, [1], 4) = 0\n"
                "+0 send(3, ..., 4000, MSG_ZEROCOPY) = 4000\n"
                "+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 0}], msg_flags=MSG_ERRQUEUE, "
                "msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data={ee_errno=0, "
                "ee_origin=SO_EE_ORIGIN_ZEROCOPY, ee_type=0, ee_code=SO_EE_CODE_ZEROCOPY_COPIED, ee_info=0, "
                "ee_data=0}}]}, MSG_ERRQUEUE) = 0\n",
                8210);
    c.r.run(2);
    c.r.run(3);
    CHECK(drain(c.peer.get()) == 4000);
    // The completion is queued once the data is acknowledged.
    pollfd p{c.r.live_fd(3), 0, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    CHECK((p.revents & POLLERR) != 0);
    c.r.run(4);
}

TEST_CASE("send and sendmsg work with send_omit_free") {
    Connected c("+0 send(3, ..., 4000, 0) = 4000\n"
                "+0 sendmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 50}], msg_flags=0}, 0) = 50\n",
                8211, "--send_omit_free\n");
    c.r.run(2);
    c.r.run(3);
    CHECK(drain(c.peer.get()) == 4050);
}
