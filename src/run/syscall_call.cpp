#include "src/run/syscall_call.hpp"

#include <netinet/in.h>

#include <cstring>

#include "src/run/symbols.hpp"

namespace pktdrill::run::syscall {

void check_result(Expected const& expected, ResultCheck mode, Outcome const& outcome) {
    // packetdrill compares the result as an int, whatever the call's return type.
    int const actual = static_cast<int>(outcome.result);
    std::int32_t const want = expected.value();
    auto const errno_text = [&](int err) { return errno_description(err); };
    if (mode == ResultCheck::fd && want >= 0) {
        if (actual < 0)
            fail(format("Expected non-negative result but got %d with errno %d (%s)", actual, outcome.err,
                        errno_text(outcome.err).c_str()),
                 expected.where);
    } else if (actual != want) {
        // packetdrill's format, errno included even when the call succeeded; there it is a stale
        // value left by some earlier call, here the worker clears errno before each call, so a
        // successful call shows 0 (Success).
        fail(format("Expected result %d but got %d with errno %d (%s)", want, actual, outcome.err,
                    errno_text(outcome.err).c_str()),
             expected.where);
    }
    if (expected.errno_name) {
        std::optional<std::int64_t> want_errno;
        if (auto const e = errno_from_name(*expected.errno_name)) want_errno = *e;
        else want_errno = lookup_symbol(*expected.errno_name);
        if (!want_errno) fail("unknown symbol: '" + *expected.errno_name + "'", expected.where);
        if (outcome.err != *want_errno)
            fail(format("Expected errno %d (%s) but got %d (%s)", static_cast<int>(*want_errno),
                        errno_text(static_cast<int>(*want_errno)).c_str(), outcome.err,
                        errno_text(outcome.err).c_str()),
                 expected.where);
    }
}

int CallContext::live_fd(std::size_t i) const {
    std::int32_t const script_fd = args.s32(i);
    return find_fd(ctx, script_fd, args.at(i).where).live_fd;
}

FdEntry& find_fd(RunContext& ctx, int script_fd, SourceLocation where) {
    FdEntry* e = ctx.fds.find(script_fd);
    if (!e) fail(format("unable to find fd with script fd %d", script_fd), where);
    return *e;
}

void check_duplicate_fd(RunContext const& ctx, int script_fd, int live_fd, SourceLocation where) {
    if (ctx.fds.find(script_fd)) fail(format("duplicate fd %d in script", script_fd), where);
    for (auto const& e : ctx.fds.all())
        if (e.open && e.live_fd == live_fd) fail(format("duplicate live fd %d", live_fd), where);
}

Socket* find_socket(RunContext& ctx, int script_fd) {
    FdEntry* e = ctx.fds.find(script_fd);
    return e && e->kind == FdKind::socket ? e->socket : nullptr;
}

SockAddr make_sockaddr(net::IpAddress const& ip, std::uint16_t port) {
    SockAddr a;
    if (ip.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr = ip.to_in_addr();
        a.length = sizeof(sockaddr_in);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        sin6->sin6_addr = ip.to_in6_addr();
        a.length = sizeof(sockaddr_in6);
    }
    return a;
}

std::optional<Endpoint> endpoint_of(sockaddr_storage const& s) {
    if (s.ss_family == AF_INET) {
        auto const* sin = reinterpret_cast<sockaddr_in const*>(&s);
        return Endpoint{net::IpAddress::from(sin->sin_addr), ntohs(sin->sin_port)};
    }
    if (s.ss_family == AF_INET6) {
        auto const* sin6 = reinterpret_cast<sockaddr_in6 const*>(&s);
        // ipv4-mapped-ipv6 sockets see their peers as ::ffff:a.b.c.d; the wire (and the socket
        // records) carry a.b.c.d.
        return Endpoint{net::IpAddress::from(sin6->sin6_addr).unmapped(), ntohs(sin6->sin6_port)};
    }
    return std::nullopt;
}

SockAddr prepare_connect(RunContext& ctx, int script_fd, std::optional<int> family, SourceLocation where) {
    SockAddr addr;
    if (family) {
        addr.storage.ss_family = static_cast<sa_family_t>(*family);
    } else {
        addr = make_sockaddr(ctx.addresses.socket_remote_ip(), ctx.addresses.connect_port);
    }
    Socket* s = find_socket(ctx, script_fd);
    if (!s) fail(format("unable to find socket with script fd %d", script_fd), where);
    if (addr.storage.ss_family == AF_UNSPEC) {
        // Disconnecting makes the socket new again, so a later connect() starts over.
        s->state = SocketState::init;
        return addr;
    }
    // A socket that is already connecting or connected keeps what it has (a second sendto() on a
    // UDP socket, a connect() that completes a non-blocking one).
    if (s->state != SocketState::init) return addr;
    // Packet engine: the socket now waits for its first outbound packet, which teaches it its
    // live local port (and ISN); the script side is learned from the script's packets.
    s->state = SocketState::active_connecting;
    s->script.remote = Endpoint{};
    s->script.local = Endpoint{};
    s->live.remote = Endpoint{ctx.addresses.remote_ip, ctx.addresses.connect_port};
    return addr;
}

Prepare find_call(std::string_view name) {
    for (auto const* group : {&socket_calls(), &io_calls(), &sockopt_calls(), &poll_calls(), &misc_calls()})
        for (auto const& e : *group)
            if (e.name == name) return e.prepare;
    return nullptr;
}

}  // namespace pktdrill::run::syscall
