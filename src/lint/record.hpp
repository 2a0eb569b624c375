#pragma once
// `pktdrill record`: the recorded script's text, from the script and a recorded run of it.
//
// Only `>` lines change, and lines are added; every other byte stays as it was.
//  - A `>` line the kernel's packet matches as written, at a time its own time spec accepts,
//    is kept byte for byte.
//  - Otherwise it is rewritten: its time spec if that no longer holds, its packet if the fields
//    differ (from what the kernel sent, keeping the line's `<...>`, `win`, ports and IP info
//    choices: what the script did not check stays unchecked).
//  - A `>` line the kernel sent nothing for is commented out.
//  - A packet of the socket under test that no `>` line took gets a line of its own, after the
//    event it came after, indented like it: `+0 > F. 1:1(0) ack 1`. Its options are the kernel's,
//    `win` is left out (packetdrill does not check an omitted window, and windows move with
//    buffer autotuning), and so are IP info and ports.
//
// Times are written as people write them: relative to the line before, in milliseconds
// (`+0`, `+0.04`, `+0.2`; finer only when --tolerance_usecs is below 2 ms). A packet that came
// before the line before it had finished (during a long system call or command) by more than
// half the tolerance cannot be written relative to it and gets an absolute time (`1.003`).

#include <string>

#include "src/lint/script_text.hpp"
#include "src/run/runner.hpp"

namespace pktdrill::lint {

struct RecordSummary {
    int kept = 0;       // `>` lines kept as written
    int rewritten = 0;  // `>` lines rewritten
    int inserted = 0;   // lines added for packets the script did not mention
    int not_sent = 0;   // `>` lines commented out
};

std::string recorded_script(ScriptText const& script, run::Recording const& recording, RecordSummary& summary);

// A recorded packet as a script packet. `original` is the `>` line it answers, if any: its
// choices of what to check are kept.
script::Packet script_packet_of(run::RecordedPacket const& recorded, script::Packet const* original, bool ipv6);

}  // namespace pktdrill::lint
