// sock_diag as --states reads it, against sockets this test makes over loopback in its own
// namespace: every state the dump must show (LISTEN, ESTABLISHED, bound-only CLOSE, TIME_WAIT,
// orphaned FIN_WAIT), queues, inodes, IPv6; and the netstat layout of the final table.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "src/base/unique_fd.hpp"
#include "src/net/rtnetlink.hpp"
#include "src/net/sock_diag.hpp"
#include "src/report/state_table.hpp"

using pktdrill::UniqueFd;
using namespace pktdrill::net;
using namespace std::chrono_literals;

namespace {

// The test's private namespace starts with lo down.
void loopback_up() {
    Rtnetlink rtnl;
    rtnl.set_link_up(rtnl.link_index("lo"));
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

UniqueFd listener(std::uint16_t port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
    auto a = loopback(port);
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd.get(), 8) == 0);
    return fd;
}

UniqueFd connected(std::uint16_t port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
    auto a = loopback(port);
    REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    return fd;
}

std::uint64_t inode(int fd) {
    struct stat st{};
    ::fstat(fd, &st);
    return st.st_ino;
}

std::optional<TcpSocketInfo> find(std::vector<TcpSocketInfo> const& all, std::uint16_t local, std::uint16_t remote) {
    for (auto const& s : all)
        if (s.local_port == local && s.remote_port == remote) return s;
    return std::nullopt;
}

std::uint16_t local_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

}  // namespace

TEST_CASE("sock_diag: a listener, both ends of a connection, their queues and inodes", "[states][sock_diag]") {
    loopback_up();
    SockDiag diag;
    auto const l = listener(5001);
    auto const client = connected(5001);
    std::uint16_t const client_port = local_port(client.get());
    REQUIRE(::write(client.get(), "0123456789", 10) == 10);
    std::this_thread::sleep_for(20ms);  // loopback delivers at once; be generous

    auto const all = diag.tcp_sockets();
    auto const lst = find(all, 5001, 0);
    REQUIRE(lst);
    CHECK(lst->state == tcp_state::listen);
    CHECK(netstat_state_name(lst->state) == std::string("LISTEN"));
    CHECK(lst->inode == inode(l.get()));
    CHECK(lst->rqueue == 1);  // one connection waiting for accept()
    CHECK(netstat_endpoint(lst->remote_ip, lst->remote_port) == "0.0.0.0:*");

    auto const c = find(all, client_port, 5001);
    REQUIRE(c);
    CHECK(c->state == tcp_state::established);
    CHECK(c->family == AF_INET);
    CHECK(c->inode == inode(client.get()));
    CHECK(netstat_endpoint(c->local_ip, c->local_port) == "127.0.0.1:" + std::to_string(client_port));
    // The accepted end is not accepted yet: no file, no inode; it holds the 10 unread bytes.
    auto const s = find(all, 5001, client_port);
    REQUIRE(s);
    CHECK(s->state == tcp_state::established);
    CHECK(s->inode == 0);
    CHECK(s->rqueue == 10);
}

TEST_CASE("sock_diag: sockets no process holds: orphaned FIN_WAIT and TIME_WAIT", "[states][sock_diag]") {
    loopback_up();
    SockDiag diag;
    auto l = listener(5002);
    auto client = connected(5002);
    std::uint16_t const client_port = local_port(client.get());
    UniqueFd server(::accept(l.get(), nullptr, nullptr));
    REQUIRE(server);
    client.reset();  // FIN; the server's kernel ACKs it: the client's socket is orphaned in FIN_WAIT2
    std::this_thread::sleep_for(20ms);
    auto all = diag.tcp_sockets();
    auto c = find(all, client_port, 5002);
    REQUIRE(c);
    CHECK(c->state == tcp_state::fin_wait2);
    CHECK(c->inode == 0);
    auto s = find(all, 5002, client_port);
    REQUIRE(s);
    CHECK(netstat_state_name(s->state) == std::string("CLOSE_WAIT"));
    CHECK(s->rqueue == 1);  // the FIN, as netstat counts it

    server.reset();  // LAST_ACK, then closed; the client side goes to TIME_WAIT
    std::this_thread::sleep_for(20ms);
    all = diag.tcp_sockets();
    c = find(all, client_port, 5002);
    REQUIRE(c);
    CHECK(netstat_state_name(c->state) == std::string("TIME_WAIT"));
    CHECK(!find(all, 5002, client_port));
}

TEST_CASE("sock_diag: a bound socket is CLOSE, an IPv6 listener is AF_INET6", "[states][sock_diag]") {
    loopback_up();
    SockDiag diag;
    UniqueFd bound(::socket(AF_INET, SOCK_STREAM, 0));
    auto a = loopback(5003);
    REQUIRE(::bind(bound.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    UniqueFd v6(::socket(AF_INET6, SOCK_STREAM, 0));
    sockaddr_in6 a6{};
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(5004);
    a6.sin6_addr = in6addr_loopback;
    REQUIRE(::bind(v6.get(), reinterpret_cast<sockaddr*>(&a6), sizeof a6) == 0);
    REQUIRE(::listen(v6.get(), 1) == 0);

    auto const all = diag.tcp_sockets();
    auto const b = find(all, 5003, 0);
    REQUIRE(b);  // since Linux 6.8 the dump includes sockets that are only bound
    CHECK(netstat_state_name(b->state) == std::string("CLOSE"));
    CHECK(b->inode == inode(bound.get()));
    auto const l6 = find(all, 5004, 0);
    REQUIRE(l6);
    CHECK(l6->family == AF_INET6);
    CHECK(l6->state == tcp_state::listen);
    CHECK(netstat_endpoint(l6->local_ip, l6->local_port) == "::1:5004");
    CHECK(netstat_endpoint(l6->remote_ip, l6->remote_port) == ":::*");
}

TEST_CASE("sock_diag: netstat's spelling of every state", "[states][sock_diag]") {
    CHECK(netstat_state_name(tcp_state::established) == std::string("ESTABLISHED"));
    CHECK(netstat_state_name(tcp_state::syn_sent) == std::string("SYN_SENT"));
    CHECK(netstat_state_name(tcp_state::syn_recv) == std::string("SYN_RECV"));
    CHECK(netstat_state_name(tcp_state::new_syn_recv) == std::string("SYN_RECV"));
    CHECK(netstat_state_name(tcp_state::fin_wait1) == std::string("FIN_WAIT1"));
    CHECK(netstat_state_name(tcp_state::fin_wait2) == std::string("FIN_WAIT2"));
    CHECK(netstat_state_name(tcp_state::time_wait) == std::string("TIME_WAIT"));
    CHECK(netstat_state_name(tcp_state::close) == std::string("CLOSE"));
    CHECK(netstat_state_name(tcp_state::close_wait) == std::string("CLOSE_WAIT"));
    CHECK(netstat_state_name(tcp_state::last_ack) == std::string("LAST_ACK"));
    CHECK(netstat_state_name(tcp_state::listen) == std::string("LISTEN"));
    CHECK(netstat_state_name(tcp_state::closing) == std::string("CLOSING"));
    CHECK(netstat_state_name(99) == std::string("UNKNOWN"));
}

TEST_CASE("the final table has netstat -tanp's layout, column for column", "[states][sock_diag]") {
    using pktdrill::report::StateRow;
    std::string const table = pktdrill::report::render_state_table(
        {StateRow{"tcp", 0, 1, "192.168.16.17:50644", "192.0.2.1:8080", "SYN_SENT", "-"},
         StateRow{"tcp", 1, 0, "192.168.110.162:8080", "0.0.0.0:*", "LISTEN", "3"}});
    // The seed document's netstat lines, character for character (PID/Program name aside).
    CHECK_THAT(table, Catch::Contains("tcp        0      1 192.168.16.17:50644     192.0.2.1:8080          SYN_SENT    -\n"));
    CHECK_THAT(table, Catch::Contains("tcp        1      0 192.168.110.162:8080    0.0.0.0:*               LISTEN      3\n"));
    CHECK_THAT(table, Catch::StartsWith("Active Internet connections (servers and established)\n"
                                        "Proto Recv-Q Send-Q Local Address           Foreign Address         State"));
}
