#pragma once
// What the parts of a run share: the script and its configuration, the live addresses, the
// sockets and fds, the clock's origin, the event loop and the output.
//
// Locking: the run loop (main thread) holds `mutex` while it handles an event and releases it
// while it waits; the system-call thread takes it around everything but the kernel call itself,
// as packetdrill's helper thread does. Sockets and fds are only touched under the lock.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "grammar/source.hpp"
#include "src/base/error.hpp"
#include "src/net/ip_address.hpp"
#include "src/run/clock.hpp"
#include "src/run/interrupt.hpp"
#include "src/run/observer.hpp"
#include "src/run/sockets.hpp"
#include "src/script/config.hpp"
#include "src/script/model.hpp"

namespace pktdrill::run {

// The live addresses of a run, resolved from the configuration and its defaults (reference B).
struct LiveAddresses {
    script::IpVersion ip_version = script::IpVersion::ipv4;
    int socket_family = 0;       // AF_INET, or AF_INET6 for ipv6 and ipv4-mapped-ipv6
    bool wire_ipv6 = false;      // IPv6 on the wire (only for ipv6)
    net::IpAddress local_ip;     // as the wire carries it (IPv4 for ipv4-mapped-ipv6)
    net::IpAddress remote_ip;    // as the wire carries it
    int remote_prefix_length = 24;
    net::IpAddress gateway_ip;
    int local_prefix_length = 16;
    std::uint16_t bind_port = 8080;
    std::uint16_t connect_port = 8080;

    // The addresses as the socket API sees them (::ffff:a.b.c.d for ipv4-mapped-ipv6).
    net::IpAddress socket_local_ip() const;
    net::IpAddress socket_remote_ip() const;
};

// Resolves --local_ip, --remote_ip, --gateway_ip, --netmask_ip and the ports, with packetdrill's
// defaults for the ip version (a random local address in 192.168.0.0/16 for IPv4). Throws Error
// when an address does not fit the ip version.
LiveAddresses resolve_addresses(script::Config const& config);

// The times of the event being run, in script microseconds (since the script's time 0), after
// relative times were resolved as packetdrill does when the event is reached (reference E).
struct EventTiming {
    script::TimeKind kind = script::TimeKind::absolute;
    Micros start = 0;                  // when it is expected (a range's start)
    Micros end = 0;                    // a range's end
    std::optional<Micros> blocking_end;  // a blocking system call's expected return
    std::optional<Micros> previous;    // the previous event's time, for the relative tolerance
    Micros offset = 0;                 // what a relative time was added to
};

struct RunContext {
    RunContext(grammar::SourceFile const& file, script::Script const& script, script::Config const& config,
               boost::asio::io_context& io, Interrupts& interrupts, std::ostream& out)
        : file(file), script(script), config(config), io(io), interrupts(interrupts), out(out) {}

    grammar::SourceFile const& file;
    script::Script const& script;
    script::Config const& config;
    boost::asio::io_context& io;
    Interrupts& interrupts;
    std::ostream& out;  // --verbose output

    LiveAddresses addresses;
    Sockets sockets;
    FdTable fds;
    std::mutex mutex;

    Micros live_start = 0;  // now_us() at script time 0

    // Prints a failure that does not end the run (--non_fatal=packet) as a warning.
    std::function<void(Error const&)> warn;

    // Who watches the run (see observer.hpp).
    std::vector<RunObserver*> observers;

    Micros script_now() const noexcept { return now_us() - live_start; }
    Micros live_time(Micros script_time) const noexcept { return script_time + live_start; }

    // Tolerance for an event expected at `expected` after an event at `previous` (reference E):
    // the larger of --tolerance_usecs and --tolerance_percent of the scripted gap.
    Micros tolerance(Micros expected, std::optional<Micros> previous) const noexcept;
};

// Checks that something happened at its expected time; the error text uses packetdrill's wording
// ("timing error: expected outbound packet at 0.100000 sec but happened at ...").
std::optional<std::string> verify_time(RunContext const& ctx, EventTiming const& timing, Micros happened,
                                       char const* description);
// The same for a blocking call's return: expected at `timing.blocking_end`, the tolerance based on
// its duration.
std::optional<std::string> verify_return_time(RunContext const& ctx, EventTiming const& timing, Micros happened);

}  // namespace pktdrill::run
