#pragma once
// ICMPv4 and ICMPv6 type and code names, as packetdrill's scripts spell them
// (`icmp unreachable frag_needed`, `icmp packet_too_big`), plus tcpdump's type_N / code_N.

#include <cstdint>
#include <optional>
#include <string>

namespace pktdrill::script {

inline constexpr std::uint8_t icmpv4_unreachable = 3;
inline constexpr std::uint8_t icmpv4_frag_needed = 4;
inline constexpr std::uint8_t icmpv6_packet_too_big = 2;

struct IcmpResolved {
    std::optional<std::uint8_t> type;
    std::optional<std::uint8_t> code;  // 0 when no code name was given
};

// An empty code name means "not written" (code 0).
IcmpResolved resolve_icmp(bool ipv6, std::string const& type_name, std::string const& code_name);

// The names for numbers (for rendering what the kernel sent); type_N / code_N when unnamed.
std::string icmp_type_name(bool ipv6, std::uint8_t type);
std::string icmp_code_name(bool ipv6, std::uint8_t type, std::uint8_t code);

}  // namespace pktdrill::script
