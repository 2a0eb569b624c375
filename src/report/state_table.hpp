#pragma once
// How --states shows TCP states: a timeline aligned with the script (one row per state change,
// under the event that made it) and, at the end, a table in netstat -tanp's layout. Plain
// strings in, text out: the run layer reads the kernel, this only lays it out.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "src/script/model.hpp"

namespace pktdrill::report {

using script::Micros;

// One row of netstat -tan's table.
struct StateRow {
    std::string proto;  // "tcp" or "tcp6"
    std::uint32_t recv_q = 0;
    std::uint32_t send_q = 0;
    std::string local;    // "192.168.0.1:8080"
    std::string foreign;  // "192.0.2.1:40000", "0.0.0.0:*"
    std::string state;    // as netstat spells it: ESTABLISHED, SYN_RECV, FIN_WAIT1, ...
    std::string fd;       // the script's fd, or "-" (where netstat -p has PID/Program name)
};

// The table as netstat -tanp prints it (the same header line, column widths and spacing, so a
// reader of the seed document recognises it), with the script's fd in the last column.
std::string render_state_table(std::vector<StateRow> const& rows);

// A socket whose state changed, and when the change was seen.
struct StateChange {
    Micros time = 0;      // script time it was seen
    std::string fd;       // the script's fd, or "-" when the script holds none (or no longer)
    std::string local;
    std::string foreign;
    std::string from;     // netstat's spelling, or "-": not in the kernel's tables
    std::string to;
};

// The timeline's layout: columns sized once for the whole script, so rows line up.
class Timeline {
public:
    // `events` are the script's events in script syntax; the event column fits the longest,
    // up to a limit past which a long event gets a row of its own.
    explicit Timeline(std::vector<std::string> const& events);

    std::string header() const;
    // The rows of one event: its line, the time (of each change, or `done` if none) and the
    // event, then one row per change. `note` follows the event ("interrupted", "failed").
    // A `continued` event was already shown (changes seen while it ran are printed at once):
    // only its new changes are, with the event column empty, or the event with its note.
    std::string render(int line, std::string const& event, Micros done, std::vector<StateChange> const& changes,
                       std::string const& note = {}, bool continued = false) const;

private:
    std::size_t event_width_ = 0;
};

}  // namespace pktdrill::report
