// Benchmark: what --states costs per event. The budget is 1 ms.
//
// In a network namespace of its own (needs root), it opens N TCP connections over loopback (a
// listener, N clients and the N accepted ends, all in the script's fd table) and calls the state
// observer's event_done() as the run loop does after each event: map the script's fds to socket
// inodes, dump every TCP socket through sock_diag (IPv4 and IPv6), compare with the previous read
// and print the event's timeline row. It reports the distribution over many calls, for several
// N, and the cost of the sock_diag dump alone.
//
//   build/state_read_bench [calls per size, default 2000]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/base/unique_fd.hpp"
#include "src/net/netns.hpp"
#include "src/net/sock_diag.hpp"
#include "src/run/interrupt.hpp"
#include "src/run/run_context.hpp"
#include "src/run/state_observer.hpp"
#include "src/script/build.hpp"

namespace {

using namespace pktdrill;
using Clock = std::chrono::steady_clock;

struct Stats {
    double median = 0, p99 = 0, max = 0, mean = 0;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    Stats s;
    s.median = v[v.size() / 2];
    s.p99 = v[std::min(v.size() - 1, v.size() * 99 / 100)];
    s.max = v.back();
    double sum = 0;
    for (double x : v) sum += x;
    s.mean = sum / static_cast<double>(v.size());
    return s;
}

[[noreturn]] void die(char const* what) {
    std::perror(what);
    std::exit(2);
}

// A listener on 127.0.0.1 and `n` connections to it, both ends kept.
std::vector<UniqueFd> connections(int n, std::uint16_t port) {
    std::vector<UniqueFd> fds;
    UniqueFd listener(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("bind");
    if (::listen(listener.get(), 4096) != 0) die("listen");
    for (int i = 0; i < n; ++i) {
        UniqueFd client(::socket(AF_INET, SOCK_STREAM, 0));
        if (::connect(client.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("connect");
        UniqueFd server(::accept(listener.get(), nullptr, nullptr));
        if (!server) die("accept");
        fds.push_back(std::move(client));
        fds.push_back(std::move(server));
    }
    fds.push_back(std::move(listener));
    return fds;
}

}  // namespace

int main(int argc, char** argv) {
    int const calls = argc > 1 ? std::atoi(argv[1]) : 2000;
    try {
        net::enter_private_network_namespace();
    } catch (std::exception const& e) {
        std::fprintf(stderr, "state_read_bench: %s (run it as root)\n", e.what());
        return 2;
    }

    // A one-event script, for the observer's timeline.
    grammar::SourceFile file("bench.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    grammar::Diagnostics diagnostics(file);
    auto loaded = script::load_script(file, diagnostics, {});
    if (!loaded) return 2;
    boost::asio::io_context io;
    run::Interrupts interrupts(io);
    std::ostringstream sink;

    std::printf("--states cost per event (event_done: fd map + sock_diag dump + compare + timeline row)\n");
    std::printf("%8s %8s | %10s %10s %10s %10s | %s\n", "conns", "sockets", "median us", "mean us", "p99 us",
                "max us", "sock_diag dump alone (median us)");
    std::uint16_t port = 20000;
    for (int n : {1, 10, 100, 1000}) {
        auto const fds = connections(n, port++);
        run::RunContext ctx(file, loaded->script, loaded->config, io, interrupts, sink);
        int script_fd = 3;
        for (auto const& fd : fds) ctx.fds.add(script_fd++, fd.get(), run::FdKind::socket);

        run::StateObserver observer(sink);
        observer.network_ready(ctx);
        run::EventTiming timing;
        auto const& event = loaded->script.events.front();
        std::vector<double> per_event;
        per_event.reserve(static_cast<std::size_t>(calls));
        for (int i = 0; i < calls; ++i) {
            auto const t0 = Clock::now();
            observer.event_done(ctx, event, timing);
            auto const t1 = Clock::now();
            per_event.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
            if (sink.tellp() > (1 << 20)) sink.str({});
        }

        net::SockDiag diag;
        std::vector<net::TcpSocketInfo> dump;
        std::vector<double> per_dump;
        for (int i = 0; i < calls; ++i) {
            auto const t0 = Clock::now();
            diag.tcp_sockets(dump);
            auto const t1 = Clock::now();
            per_dump.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        }
        auto const e = stats(per_event);
        auto const d = stats(per_dump);
        std::printf("%8d %8zu | %10.1f %10.1f %10.1f %10.1f | %.1f\n", n, dump.size(), e.median, e.mean, e.p99, e.max,
                    d.median);
    }
    return 0;
}
