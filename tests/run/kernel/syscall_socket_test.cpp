// The socket calls against the kernel: what they do and the socket and fd records they leave for
// the packet engine (reference C, D.1).

#include <fcntl.h>
#include <sched.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "tests/run/kernel/syscall_test_fixture.hpp"

using namespace pktdrill;
using namespace pktdrill::run;
using namespace pktdrill::run::test;

TEST_CASE("socket, bind and listen record a listening socket under test with its fds and local endpoint") {
    Run r("--bind_port=8123\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
          "+0 bind(3, ..., ...) = 0\n"
          "+0 listen(3, 1) = 0\n");
    r.run(0);
    FdEntry const* fd = r.ctx.fds.find(3);
    REQUIRE(fd);
    CHECK(fd->kind == FdKind::socket);
    REQUIRE(fd->socket);
    Socket const& s = *fd->socket;
    CHECK(r.ctx.sockets.under_test() == &s);
    CHECK(s.state == SocketState::init);
    CHECK(s.domain == AF_INET);
    CHECK(s.type == SOCK_STREAM);
    CHECK(s.protocol == IPPROTO_TCP);
    CHECK(s.script_fd == 3);
    CHECK(s.live_fd == fd->live_fd);
    CHECK(::fcntl(fd->live_fd, F_GETFD) >= 0);

    r.run(1);
    r.run(2);
    r.run(3);
    CHECK(s.state == SocketState::passive_listening);
    CHECK(s.live.local == Endpoint{net::IpAddress::parse("127.0.0.1"), 8123});
    // The kernel agrees: the socket listens where the script asked.
    UniqueFd c = client(8123);
}

TEST_CASE("socket with ... takes the configured family, and protocol 0 is recorded as the real one") {
    Run r("--ip_version=ipv4-mapped-ipv6\n"
          "0 socket(..., SOCK_STREAM|SOCK_NONBLOCK, 0) = 3\n");
    r.run(0);
    Socket const& s = *r.ctx.fds.find(3)->socket;
    CHECK(s.domain == AF_INET6);
    CHECK(s.type == SOCK_STREAM);  // the flags are not part of the type
    CHECK(s.protocol == IPPROTO_TCP);
    CHECK((::fcntl(s.live_fd, F_GETFL) & O_NONBLOCK) != 0);
}

TEST_CASE("fd-returning calls accept any fd for a non-negative expectation and map script fds to live fds") {
    // Open some fds first, so the live fds differ from the script's numbers.
    UniqueFd a(::open("/dev/null", O_RDONLY)), b(::open("/dev/null", O_RDONLY)), c(::open("/dev/null", O_RDONLY));
    Run r("0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n"
          "+0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 7\n"
          "+0 close(3) = 0\n"
          "+0 fcntl(7, F_GETFL) = 0x2\n"
          "+0 fcntl(3, F_GETFL) = 0x2\n");
    r.run_all(4);
    int const live7 = r.live_fd(7);
    CHECK(live7 != 7);
    CHECK(r.ctx.fds.find(3) == nullptr);
    // Closed fds stay in the table, marked closed; their sockets stay too.
    CHECK(r.ctx.fds.all().size() == 2);
    CHECK(r.ctx.sockets.all().size() == 2);
    Error const e = r.error(4);
    CHECK(std::string(e.what()) == "runtime error in fcntl call: unable to find fd with script fd 3");
    CHECK(e.where() == SourceLocation{5, 10});
}

TEST_CASE("accept attaches the script fd and live fd to the child socket of the accepted peer") {
    Run r("--bind_port=8124\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
          "+0 bind(3, ..., ...) = 0\n"
          "+0 listen(3, 2) = 0\n"
          "+0 accept(3, ..., ...) = 4\n"
          "+0 accept(3, ..., ...) = 5\n"
          "+0 close(4) = 0\n"
          "+0 write(5, ..., 10) = 10\n");
    r.run_all(4);
    std::uint16_t port1 = 0, port2 = 0;
    UniqueFd c1 = client(8124, &port1);
    UniqueFd c2 = client(8124, &port2);
    // The packet engine made both children; the newest is not the first accepted connection.
    Socket& child1 = child_socket(r.ctx, port1);
    Socket& child2 = child_socket(r.ctx, port2);
    r.run(4);
    CHECK(child1.script_fd == 4);
    CHECK(child2.script_fd == -1);
    REQUIRE(r.ctx.fds.find(4));
    CHECK(r.ctx.fds.find(4)->socket == &child1);
    CHECK(child1.live_fd == r.live_fd(4));
    r.run(5);
    CHECK(child2.script_fd == 5);
    CHECK(r.ctx.fds.find(5)->socket == &child2);
    r.run(6);
    CHECK(r.ctx.fds.find(4) == nullptr);
    r.run(7);
    char buf[16];
    CHECK(::read(c2.get(), buf, sizeof buf) == 10);
}

TEST_CASE("accept without a child socket fails as packetdrill does") {
    Run r("--bind_port=8125\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 bind(3, ..., ...) = 0\n"
          "+0 listen(3, 1) = 0\n"
          "+0 accept(3, ..., ...) = 4\n");
    r.run_all(3);
    UniqueFd c = client(8125);
    Error const e = r.error(3);
    CHECK(std::string(e.what()) == "runtime error in accept call: unable to find socket matching accept() call");
    CHECK(e.where().line == 5);
    // The accepted fd was not leaked into the fd table.
    CHECK(r.ctx.fds.find(4) == nullptr);
}

TEST_CASE("connect goes to the remote address and marks the socket actively connecting") {
    Run r("--connect_port=8126\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 connect(3, ..., ...) = 0\n"
          "+0 connect(3, AF_UNSPEC, ...) = 0\n");
    UniqueFd l = listener(8126);
    r.run(0);
    Socket const& s = *r.ctx.fds.find(3)->socket;
    r.run(1);
    CHECK(s.state == SocketState::active_connecting);
    CHECK(s.live.remote == Endpoint{net::IpAddress::parse("127.0.0.1"), 8126});
    UniqueFd accepted(::accept(l.get(), nullptr, nullptr));
    CHECK(accepted);
    r.run(2);
    CHECK(s.state == SocketState::init);
}

TEST_CASE("ipv4-mapped-ipv6 binds and connects with v4-mapped addresses and records IPv4 endpoints") {
    Run r("--ip_version=ipv4-mapped-ipv6\n--bind_port=8127\n--connect_port=8128\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 bind(3, ..., ...) = 0\n"
          "+0 listen(3, 1) = 0\n"
          "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4\n"
          "+0 connect(4, ..., ...) = 0\n");
    UniqueFd l = listener(8128);
    r.run_all(5);
    Socket const& listening = *r.ctx.fds.find(3)->socket;
    CHECK(listening.domain == AF_INET6);
    CHECK(listening.live.local == Endpoint{net::IpAddress::parse("127.0.0.1"), 8127});
    Socket const& connecting = *r.ctx.fds.find(4)->socket;
    CHECK(connecting.live.remote == Endpoint{net::IpAddress::parse("127.0.0.1"), 8128});
    sockaddr_in6 peer{};
    socklen_t len = sizeof peer;
    REQUIRE(::getpeername(r.live_fd(4), reinterpret_cast<sockaddr*>(&peer), &len) == 0);
    CHECK(peer.sin6_family == AF_INET6);
    CHECK(net::IpAddress::from(peer.sin6_addr) == net::IpAddress::parse("::ffff:127.0.0.1"));
}

TEST_CASE("IPv6 sockets bind and connect to ::1") {
    Run r("--ip_version=ipv6\n--bind_port=8129\n--connect_port=8129\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 bind(3, ..., ...) = 0\n"
          "+0 listen(3, 1) = 0\n"
          "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4\n"
          "+0 connect(4, ..., ...) = 0\n",
          {}, true);
    r.run_all(5);
    CHECK(r.ctx.fds.find(3)->socket->live.local == Endpoint{net::IpAddress::parse("::1"), 8129});
}

TEST_CASE("sendto marks a new UDP socket connecting to the remote address, as packetdrill does") {
    Run r("--connect_port=8130\n"
          "0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n"
          "+0 sendto(3, ..., 100, 0, ..., ...) = 100\n");
    UniqueFd peer(::socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(8130);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(peer.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    r.run_all(2);
    Socket const& s = *r.ctx.fds.find(3)->socket;
    CHECK(s.state == SocketState::active_connecting);
    CHECK(s.live.remote.port == 8130);
    char buf[200];
    CHECK(::recv(peer.get(), buf, sizeof buf, MSG_DONTWAIT) == 100);
}

TEST_CASE("shutdown and close run on the live fd") {
    Run r("--connect_port=8131\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 connect(3, ..., ...) = 0\n"
          "+0 shutdown(3, SHUT_WR) = 0\n"
          "+0 close(3) = 0\n");
    UniqueFd l = listener(8131);
    r.run_all(3);
    UniqueFd accepted(::accept(l.get(), nullptr, nullptr));
    char c;
    CHECK(::read(accepted.get(), &c, 1) == 0);  // the script's FIN
    int const live = r.live_fd(3);
    r.run(3);
    CHECK(::fcntl(live, F_GETFD) == -1);
}

TEST_CASE("calls are refused when the run's thread has left the namespace the system-call threads are in") {
    Run r("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    // A new private namespace for this thread only; the runner's threads stay where they were.
    REQUIRE(::unshare(CLONE_NEWNET) == 0);
    Error const e = r.error(0);
    CHECK(std::string(e.what()) == "runtime error in socket call: the system-call threads are in another network "
                                   "namespace than the run (they were started before the run entered its own)");
    CHECK(r.ctx.fds.all().empty());
}
