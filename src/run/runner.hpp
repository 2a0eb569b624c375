#pragma once
// Running one script against the kernel, in the network namespace the caller is in (the command
// line creates a private one first): set up tun0 and its addresses, run the init command, run the
// events in order on their schedule, then the end of script as packetdrill does it (reference
// D.6, E).

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "grammar/source.hpp"
#include "src/base/error.hpp"
#include "src/net/codec/packet.hpp"
#include "src/run/observer.hpp"
#include "src/script/build.hpp"

namespace pktdrill::run {

class Interrupts;

struct RunResult {
    RunVerdict verdict = RunVerdict::passed;
    std::optional<Error> failure;  // why it failed
    int signal = 0;                // what interrupted it
};

// A packet the kernel sent, as `pktdrill record` took it.
struct RecordedPacket {
    net::Packet packet;    // mapped to script space: the script's ports, sequence numbers relative
                           // to the ISNs, TS val relative to the first one (as a `>` line sees it)
    Micros time = 0;       // script time at which the kernel sent it
    bool matched = false;  // the `>` line it was taken for accepts it as written (its time aside)
};

// One step of a recorded run: an event of the script, or a packet of the socket under test that
// no `>` line took, in the order a run of the recorded script meets them. Relative times of the
// events were resolved as if each packet the script did not mention had had its `>` line (the
// recorded script will have it), so the times are those of the recorded script's run.
struct RecordStep {
    std::optional<std::size_t> event;  // index into the script's events; empty: an unmentioned packet
    Micros scheduled = 0;              // when the event was expected, resolved as the run resolves it
    Micros reached = 0;                // when the run reached it
    Micros started = 0;                // when it started (after waiting for its time)
    Micros done = 0;                   // when the run went on (a blocking call: once it blocked)
    std::optional<RecordedPacket> packet;  // a `>` line's packet (if one came), or the unmentioned one
};

struct Recording {
    std::vector<RecordStep> steps;
};

// Runs the script. Failures are returned, not thrown; warnings (non-fatal failures) are printed
// to `err` as they happen, verbose output goes to `out`.
// `observers` watch the run (--states, --pcap, record).
// With a `recording`, `>` lines never fail: the run records what the kernel sent instead
// (`pktdrill record`); otherwise config.strict decides whether unexpected packets fail it.
RunResult run_script(grammar::SourceFile const& file, script::LoadedScript const& loaded,
                     boost::asio::io_context& io, Interrupts& interrupts, std::ostream& out, std::ostream& err,
                     std::vector<RunObserver*> const& observers = {}, Recording* recording = nullptr);

// Prints a run-time failure in the clang style: `file:line:col: error: message`, the script line
// and a caret, then the details (the script and actual packets).
void print_failure(std::ostream& err, grammar::SourceFile const& file, Error const& failure, bool warning = false);

}  // namespace pktdrill::run
