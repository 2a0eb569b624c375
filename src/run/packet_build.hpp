#pragma once
// Script packets as wire packets. A script packet is built in script space: its addresses and
// ports are the script tuple (zeros unless the script gives ports), its sequence numbers are the
// script's. Inbound packets are then mapped to live values and injected; outbound ones are what
// a sniffed packet, mapped to script space, is compared with (reference D.4, D.5).

#include "src/net/codec/packet.hpp"
#include "src/run/sockets.hpp"
#include "src/script/model.hpp"

namespace pktdrill::run {

// TTL / hop limit of injected packets when the script gives none.
inline constexpr std::uint8_t default_inbound_ttl = 255;

// `ipv6`: the wire family. The tuple fills IP addresses and ports the script does not give.
// `echoed_seq_offset` is added to the sequence number of a TCP header an ICMP error echoes (it
// refers to the kernel's sequence space, so injecting one needs the live offset).
net::Packet build_packet(script::Packet const& p, Tuple const& tuple, bool ipv6, std::uint32_t echoed_seq_offset = 0);

// The encoded TCP option of a script option.
net::TcpOption to_wire(script::TcpOption const& option);

// Indices into a built packet: its innermost IP layer and its transport layer.
struct PacketShape {
    std::size_t ip = 0;
    std::size_t transport = 0;
};
PacketShape shape_of(net::Packet const& p);

}  // namespace pktdrill::run
