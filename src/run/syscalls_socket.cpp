// socket, bind, listen, accept, connect, close, shutdown: the calls that create sockets and fds
// and move sockets through the states the packet engine maps packets by (reference C, D.1).

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/run/syscall_call.hpp"

namespace pktdrill::run::syscall {

namespace {

// The protocol a socket really has: `socket(..., SOCK_STREAM, 0)` is TCP, and the packet engine
// asks is_tcp().
int socket_protocol(int live_fd, int requested) {
    if (requested != 0) return requested;
    int protocol = 0;
    socklen_t len = sizeof protocol;
    if (::getsockopt(live_fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0) return requested;
    return protocol;
}

std::unique_ptr<Call> socket_call(CallContext& c) {
    c.args.expect_count(3);
    int domain = c.ctx.addresses.socket_family;
    if (!c.args.is_ellipsis(0)) domain = c.args.s32(0);
    int const type = c.args.s32(1);
    int const protocol = c.args.s32(2);
    return make_call([=] { return static_cast<long>(::socket(domain, type, protocol)); },
                     [ctx = &c.ctx, expected = c.expected, domain, type, protocol](Outcome const& o) {
                         NewFd fd(o.result);
                         check_result(expected, ResultCheck::fd, o);
                         if (o.result < 0) return;
                         int const script_fd = expected.value();
                         if (script_fd < 0) fail(format("invalid socket fd %d in script", script_fd), expected.where);
                         check_duplicate_fd(*ctx, script_fd, fd.get(), expected.where);
                         Socket& s = ctx->sockets.create();
                         // Packet engine: a new socket, in state init, of this family and kind;
                         // SOCK_NONBLOCK and SOCK_CLOEXEC are flags, not part of the type.
                         s.state = SocketState::init;
                         s.domain = domain;
                         s.type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
                         s.protocol = socket_protocol(fd.get(), protocol);
                         s.script_fd = script_fd;
                         s.live_fd = fd.get();
                         ctx->fds.add(script_fd, fd.release(), FdKind::socket, &s);
                         // Packet engine: later packet lines map to this socket (packetdrill's
                         // "socket under test").
                         ctx->sockets.set_under_test(&s);
                     });
}

std::unique_ptr<Call> bind_call(CallContext& c) {
    c.args.expect_count(3);
    int const fd = c.live_fd(0);
    c.args.ellipsis(1);
    c.args.ellipsis(2);
    SockAddr const addr = make_sockaddr(c.ctx.addresses.socket_local_ip(), c.ctx.addresses.bind_port);
    return make_call(
        [=] { return static_cast<long>(::bind(fd, reinterpret_cast<sockaddr const*>(&addr.storage), addr.length)); },
        [expected = c.expected](Outcome const& o) { check_result(expected, ResultCheck::exact, o); });
}

std::unique_ptr<Call> listen_call(CallContext& c) {
    c.args.expect_count(2);
    int const script_fd = c.args.s32(0);
    int const fd = c.live_fd(0);
    int const backlog = c.args.s32(1);
    return make_call([=] { return static_cast<long>(::listen(fd, backlog)); },
                     [ctx = &c.ctx, expected = c.expected, script_fd, fd](Outcome const& o) {
                         check_result(expected, ResultCheck::exact, o);
                         Socket* s = find_socket(*ctx, script_fd);
                         if (!s) fail(format("unable to find socket with script fd %d", script_fd), expected.where);
                         // Packet engine: an inbound SYN now creates a child socket.
                         s->state = SocketState::passive_listening;
                         // Packet engine: where the listener really listens (bind's address, or
                         // the port listen() picked without one). No script line writes a
                         // listener's own addresses, so its script side mirrors the live one.
                         sockaddr_storage local{};
                         socklen_t len = sizeof local;
                         if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0)
                             if (auto const e = endpoint_of(local)) {
                                 s->live.local = *e;
                                 s->script.local = *e;
                             }
                     });
}

// The child socket an accept() returns: the one the packet engine created when it injected the
// SYN and has taken through the handshake (packetdrill: a socket whose SYN-ACK was sent, for TFO,
// or acknowledged). packetdrill takes the newest such socket and asserts that its live remote
// address is the accepted peer; here the peer decides, so two queued connections are told apart,
// and the newest one not yet accepted is the fallback.
Socket* accepted_socket(RunContext& ctx, std::optional<Endpoint> const& peer) {
    Socket* newest_free = nullptr;
    Socket* newest = nullptr;
    auto const& all = ctx.sockets.all();
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        Socket& s = **it;
        if (s.state != SocketState::passive_synack_sent && s.state != SocketState::passive_synack_acked) continue;
        if (peer && s.live.remote == *peer && s.script_fd < 0) return &s;
        if (!newest_free && s.script_fd < 0) newest_free = &s;
        if (!newest) newest = &s;
    }
    return newest_free ? newest_free : newest;
}

std::unique_ptr<Call> accept_call(CallContext& c) {
    c.args.expect_count(3);
    int const fd = c.live_fd(0);
    c.args.ellipsis(1);
    c.args.ellipsis(2);
    auto peer = std::make_shared<SockAddr>();
    return make_call(
        [=] { return static_cast<long>(::accept(fd, reinterpret_cast<sockaddr*>(&peer->storage), &peer->length)); },
        [ctx = &c.ctx, expected = c.expected, peer](Outcome const& o) {
            NewFd accepted(o.result);
            check_result(expected, ResultCheck::fd, o);
            if (o.result < 0) return;
            int const script_fd = expected.value();
            auto const endpoint = endpoint_of(peer->storage);
            Socket* s = accepted_socket(*ctx, endpoint);
            if (!s) {
                if (!ctx->config.wire_client) fail("unable to find socket matching accept() call", expected.where);
                // A wire client sees the calls but not the packets: the accepted connection is
                // all it knows of the socket, and later packet lines map to it.
                s = &ctx->sockets.create();
                s->domain = ctx->addresses.socket_family;
                s->type = SOCK_STREAM;
                s->protocol = IPPROTO_TCP;
                if (endpoint) s->live.remote = *endpoint;
                s->live.local = Endpoint{ctx->addresses.local_ip, ctx->addresses.bind_port};
                ctx->sockets.set_under_test(s);
            }
            // Packet engine: the child socket now has its script fd and live fd.
            s->script_fd = script_fd;
            s->live_fd = accepted.get();
            ctx->fds.add(script_fd, accepted.release(), FdKind::socket, s);
        });
}

std::unique_ptr<Call> connect_call(CallContext& c) {
    c.args.expect_count(3);
    int const script_fd = c.args.s32(0);
    int const fd = c.live_fd(0);
    std::optional<int> family;
    if (!c.args.is_ellipsis(1)) family = c.args.s32(1);
    c.args.ellipsis(2);
    SockAddr const addr = prepare_connect(c.ctx, script_fd, family, c.args.at(0).where);
    return make_call(
        [=] { return static_cast<long>(::connect(fd, reinterpret_cast<sockaddr const*>(&addr.storage), addr.length)); },
        [expected = c.expected](Outcome const& o) { check_result(expected, ResultCheck::exact, o); });
}

std::unique_ptr<Call> close_call(CallContext& c) {
    c.args.expect_count(1);
    int const script_fd = c.args.s32(0);
    int const fd = c.live_fd(0);
    return make_call([=] { return static_cast<long>(::close(fd)); },
                     [ctx = &c.ctx, expected = c.expected, script_fd, fd](Outcome const& o) {
                         check_result(expected, ResultCheck::exact, o);
                         FdEntry* e = ctx->fds.find(script_fd);
                         if (!e || e->live_fd != fd)
                             fail(format("unable to find fd with script fd %d and live fd %d", script_fd, fd),
                                  expected.where);
                         // The fd is gone; the socket record stays (the run's final RSTs cover
                         // closed sockets too, as packetdrill's do).
                         ctx->fds.remove(script_fd);
                     });
}

std::unique_ptr<Call> shutdown_call(CallContext& c) {
    c.args.expect_count(2);
    int const fd = c.live_fd(0);
    int const how = c.args.s32(1);
    return make_call([=] { return static_cast<long>(::shutdown(fd, how)); },
                     [expected = c.expected](Outcome const& o) { check_result(expected, ResultCheck::exact, o); });
}

}  // namespace

std::vector<Entry> const& socket_calls() {
    static std::vector<Entry> const table{
        {"socket", socket_call}, {"bind", bind_call},   {"listen", listen_call},     {"accept", accept_call},
        {"connect", connect_call}, {"close", close_call}, {"shutdown", shutdown_call},
    };
    return table;
}

}  // namespace pktdrill::run::syscall
