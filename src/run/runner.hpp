#pragma once
// Running one script against the kernel, in the network namespace the caller is in (the command
// line creates a private one first): set up tun0 and its addresses, run the init command, run the
// events in order on their schedule, then the end of script as packetdrill does it (reference
// D.6, E).

#include <iosfwd>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "grammar/source.hpp"
#include "src/base/error.hpp"
#include "src/run/observer.hpp"
#include "src/script/build.hpp"

namespace pktdrill::run {

class Interrupts;

struct RunResult {
    RunVerdict verdict = RunVerdict::passed;
    std::optional<Error> failure;  // why it failed
    int signal = 0;                // what interrupted it
};

// Runs the script. Failures are returned, not thrown; warnings (non-fatal failures) are printed
// to `err` as they happen, verbose output goes to `out`.
// `observers` watch the run (--states, --pcap, record).
RunResult run_script(grammar::SourceFile const& file, script::LoadedScript const& loaded,
                     boost::asio::io_context& io, Interrupts& interrupts, std::ostream& out, std::ostream& err,
                     std::vector<RunObserver*> const& observers = {});

// Prints a run-time failure in the clang style: `file:line:col: error: message`, the script line
// and a caret, then the details (the script and actual packets).
void print_failure(std::ostream& err, grammar::SourceFile const& file, Error const& failure, bool warning = false);

}  // namespace pktdrill::run
