#pragma once
// A run of system-call lines against the real kernel, in the test's private network namespace,
// over loopback: the executor's `...` addresses (ctx.addresses) point at 127.0.0.1 (or ::1), so
// scripts bind, listen and connect to sockets the test holds itself. No TUN device, no packet
// engine: a test that needs the child socket the packet engine would create makes it by hand.

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <dirent.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/base/error.hpp"
#include "src/base/unique_fd.hpp"
#include "src/run/interrupt.hpp"
#include "src/run/interrupted.hpp"
#include "src/run/run_context.hpp"
#include "src/run/syscall_runner.hpp"
#include "src/script/build.hpp"

namespace pktdrill::run::test {

using namespace std::chrono_literals;

// Loopback is down in a fresh network namespace.
inline void bring_up_loopback() {
    UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(s);
    ifreq req{};
    std::snprintf(req.ifr_name, sizeof req.ifr_name, "lo");
    REQUIRE(::ioctl(s.get(), SIOCGIFFLAGS, &req) == 0);
    req.ifr_flags |= IFF_UP;
    REQUIRE(::ioctl(s.get(), SIOCSIFFLAGS, &req) == 0);
}

inline script::LoadedScript load(grammar::SourceFile const& file, std::vector<script::OptionValue> const& options) {
    grammar::Diagnostics diagnostics(file);
    auto loaded = script::load_script(file, diagnostics, options);
    if (!loaded) {
        std::ostringstream out;
        diagnostics.print(out);
        FAIL("script does not load:\n" << out.str());
    }
    return std::move(*loaded);
}

// The number of threads of this process.
inline int thread_count() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/task")) {
        while (dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') ++n;
        ::closedir(d);
    }
    return n;
}

struct Run {
    explicit Run(std::string text, std::vector<script::OptionValue> options = {}, bool ipv6 = false)
        : file("test.pkt", std::move(text)), loaded(load(file, options)), interrupts(io),
          ctx(file, loaded.script, loaded.config, io, interrupts, out) {
        bring_up_loopback();
        ctx.addresses.ip_version = loaded.config.ip_version;
        ctx.addresses.socket_family = loaded.config.ip_version == script::IpVersion::ipv4 ? AF_INET : AF_INET6;
        ctx.addresses.local_ip = net::IpAddress::parse(ipv6 ? "::1" : "127.0.0.1");
        ctx.addresses.remote_ip = ctx.addresses.local_ip;
        ctx.addresses.bind_port = loaded.config.bind_port;
        ctx.addresses.connect_port = loaded.config.connect_port;
        ctx.live_start = now_us();
        runner.emplace(ctx);
    }

    script::Event const& event(std::size_t i) const { return loaded.script.events.at(i); }
    script::Syscall const& call(std::size_t i) const { return std::get<script::Syscall>(event(i).action); }

    EventTiming timing(std::size_t i) const {
        EventTiming t;
        script::Event const& e = event(i);
        t.kind = script::TimeKind::absolute;
        t.start = e.time.start;
        if (call(i).end) t.blocking_end = *call(i).end;
        return t;
    }

    // Runs event i now.
    void run(std::size_t i) {
        std::unique_lock lock(ctx.mutex);
        runner->run(lock, event(i), call(i), timing(i));
        REQUIRE(lock.owns_lock());
    }
    // Runs event i at its script time, as the run loop would.
    void run_on_time(std::size_t i) {
        wait_until(ctx.live_time(event(i).time.start));
        run(i);
    }
    // Runs events [0, n).
    void run_all(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) run(i);
    }

    // The Error event i fails with (the test fails if it does not).
    Error error(std::size_t i) {
        try {
            run(i);
        } catch (Error const& e) {
            return e;
        }
        FAIL("line " << event(i).where.line << " did not fail");
        return Error("unreachable");
    }

    void check_blocking() {
        std::unique_lock lock(ctx.mutex);
        runner->check_blocking();
    }
    void finish() {
        std::unique_lock lock(ctx.mutex);
        runner->finish(lock);
    }

    int live_fd(int script_fd) {
        FdEntry const* e = ctx.fds.find(script_fd);
        REQUIRE(e);
        return e->live_fd;
    }

    grammar::SourceFile file;
    script::LoadedScript loaded;
    boost::asio::io_context io;
    Interrupts interrupts;
    std::ostringstream out;
    RunContext ctx;
    std::optional<SyscallRunner> runner;
};

// A listening TCP socket of the test's own at 127.0.0.1:port (the peer of a script's connect()).
inline UniqueFd listener(std::uint16_t port, int family = AF_INET) {
    UniqueFd s(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(s);
    int one = 1;
    ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    } else {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(port);
        a.sin6_addr = in6addr_loopback;
        REQUIRE(::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    REQUIRE(::listen(s.get(), 8) == 0);
    return s;
}

// A TCP client of the test's own, connected to 127.0.0.1:port; `local_port` gets its port.
inline UniqueFd client(std::uint16_t port, std::uint16_t* local_port = nullptr, int family = AF_INET) {
    UniqueFd s(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(s);
    sockaddr_storage a{};
    socklen_t len;
    if (family == AF_INET) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&a);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(sockaddr_in);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        sin6->sin6_addr = in6addr_loopback;
        len = sizeof(sockaddr_in6);
    }
    REQUIRE(::connect(s.get(), reinterpret_cast<sockaddr*>(&a), len) == 0);
    if (local_port) {
        sockaddr_storage l{};
        socklen_t ll = sizeof l;
        REQUIRE(::getsockname(s.get(), reinterpret_cast<sockaddr*>(&l), &ll) == 0);
        *local_port = ntohs(l.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&l)->sin_port
                                                   : reinterpret_cast<sockaddr_in6*>(&l)->sin6_port);
    }
    return s;
}

// What the packet engine does when it injects a SYN to a listener and the handshake completes:
// a child socket whose live remote end is the connecting peer.
inline Socket& child_socket(RunContext& ctx, std::uint16_t peer_port) {
    Socket& s = ctx.sockets.create();
    s.state = SocketState::passive_synack_acked;
    s.domain = ctx.addresses.socket_family;
    s.type = SOCK_STREAM;
    s.protocol = IPPROTO_TCP;
    s.live.remote = Endpoint{ctx.addresses.remote_ip, peer_port};
    s.live.local = Endpoint{ctx.addresses.local_ip, ctx.addresses.bind_port};
    ctx.sockets.set_under_test(&s);
    return s;
}

inline double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace pktdrill::run::test
