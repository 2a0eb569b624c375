#pragma once
// What a run tells those who watch it: the state timeline (--states), the packet capture
// (--pcap), the recorder. Observers are called on the run's main thread, with ctx.mutex held
// except where said; they must not throw (a broken observer must not change a verdict).

#include <cstdint>
#include <span>

#include "src/run/clock.hpp"
#include "src/script/model.hpp"

namespace pktdrill::run {

struct RunContext;
struct EventTiming;

enum class RunVerdict { passed, failed, interrupted };

class RunObserver {
public:
    virtual ~RunObserver() = default;

    // tun0 is up with its addresses and routes, before the init command runs.
    virtual void network_ready(RunContext&) {}

    // An event has run (successfully: a failed one ends the run instead).
    virtual void event_done(RunContext&, script::Event const&, EventTiming const&) {}

    // A packet crossed tun0: injected by the script (`inbound`) or sent by the kernel, with its
    // bytes (from the IP header on) and the script time it crossed at.
    virtual void packet(RunContext&, bool /*inbound*/, std::span<std::uint8_t const> /*ip_packet*/,
                        Micros /*script_time*/) {}

    // The run is over and about to tear down: the sockets are still open and the namespace
    // alive, so what it leaves behind (TIME_WAIT, orphans) can still be seen. After the events
    // and the cleanup command, or after a failure or an interrupt.
    virtual void before_teardown(RunContext&, RunVerdict) {}
};

}  // namespace pktdrill::run
