#pragma once
// The model printed back in script syntax: for --dump, for failure messages (script packet vs
// actual packet) and for `pktdrill record`. What it prints parses back to the same model.

#include <string>

#include "src/script/model.hpp"

namespace pktdrill::script {

std::string render(TimeSpec const& t);
std::string render(Expr const& e);
std::string render(TcpOption const& o);
// `<mss 1460,nop,wscale 7>`, `<...>`, or "" for no options.
std::string render_options(std::optional<std::vector<TcpOption>> const& options);
std::string render(IpInfo const& info);  // "[ect0, flowlabel 0x1]" or ""
std::string render(Packet const& p);
// The outer layers of an encapsulated packet, each ending in ':': `ipv4 192.0.2.1 > 192.168.0.1:
// gre flags [key present] sum 0 off 0 key 7 seq 0: mpls (label 5, tc 0, [S], ttl 64):`, or "".
std::string render(std::vector<Encapsulation> const& encapsulations);
std::string render(Syscall const& s);  // without the time (and without the blocking end time)
std::string render(Action const& a);
std::string render(Event const& e);    // time (with ...end for blocking calls) and action

// Seconds with 6 decimals, as packetdrill prints times: "0.100000".
std::string format_seconds(Micros us);
// The shortest decimal that reads back to the same microseconds: "0", "0.1", "1.000250".
std::string format_time_value(Micros us);

// The script's time line when every event happens on schedule: absolute times stand, relative
// ones add to the previous event's time. Blocking calls let the next event start right away,
// ranges count from their start, and `*` from the previous event.
std::vector<Micros> nominal_times(Script const& s);

// `--dump`: the options, commands and events of the script, one event per line, each preceded
// by a comment with its nominal time, kind and source line. It parses back to the same model.
std::string dump(Script const& s);

}  // namespace pktdrill::script
