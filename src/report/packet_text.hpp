#pragma once
// Packets rendered in script syntax, field by field, so that a failure can print the script's
// packet and the kernel's packet one above the other with their fields aligned and the field that
// differs marked:
//
//   script packet:  0.100000 P. 1:1001(1000) ack 5
//   actual packet:  0.100032 P. 1:1001(1000) ack 1 win 502
//                                            ^~~~~

#include <optional>
#include <string>
#include <vector>

#include "src/net/codec/packet.hpp"
#include "src/script/model.hpp"

namespace pktdrill::report {

// One field of a rendered packet. Keys name what the field shows: "dir", "encap", "ip",
// "ports", "flags", "seq", "ack", "win", "urg", "options", "udp", "icmp".
struct TextField {
    std::string key;
    std::string text;
};

using PacketText = std::vector<TextField>;

PacketText describe(script::Packet const& p);

struct ActualStyle {
    bool ace = false;         // show AE/CWR/ECE as an AccECN digit, as the script does
    bool ip_info = false;     // show the ECN codepoint / TOS (when the script checks it)
    bool tos = false;         // the whole TOS byte rather than the ECN codepoint
    bool ttl = false;         // the TTL (when the script checks it)
    bool icmp_ipv6 = false;   // ICMP type names of ICMPv6
};

// A packet as sniffed (its values already mapped to script space), as script syntax.
PacketText describe_actual(net::Packet const& p, ActualStyle const& style);

// Script syntax for a wire TCP option ("mss 1460", "TS val 5 ecr 0"); unknown kinds as
// "kind N" followed by their data in hex.
std::string describe_option(net::TcpOption const& o);

std::string join(PacketText const& text);

// The two lines of a packet comparison (and the marker line under the field `mark`, if any),
// each starting with its label and time, with the fields of both padded to the same width.
std::vector<std::string> compare(std::string const& script_label, PacketText const& expected,
                                 std::string const& actual_label, PacketText const& actual,
                                 std::optional<std::string> const& mark);

// Which rendered field a packetdrill field name (as in "live packet field tcp_ack_seq") is about.
std::optional<std::string> field_key_for(std::string const& check_name);

}  // namespace pktdrill::report
