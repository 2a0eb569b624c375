#pragma once
// Comparing a packet the kernel sent (mapped to script space) with the packet the script
// expects, field by field in packetdrill's order and with packetdrill's messages (reference D.4
// steps 5-7): "live packet field tcp_ack_seq: expected: 5 (0x5) vs actual: 1 (0x1)".

#include <optional>
#include <string>

#include "src/net/codec/packet.hpp"
#include "src/script/config.hpp"
#include "src/script/model.hpp"

namespace pktdrill::run {

struct Mismatch {
    std::string message;
    std::string field;  // packetdrill's field name ("tcp_ack_seq"), or a general one ("options", "payload")
};

// What of the expected packet is compared; the rest comes from the script packet itself.
struct ExpectedChecks {
    bool window = true;    // `win` was written
    bool options = true;   // not `<...>`
    script::TosCheck tos = script::TosCheck::none;
    bool ttl = false;
    bool ace = false;      // the flags carry an AccECN digit
};

ExpectedChecks checks_of(script::Packet const& p);

// The header layers, layer by layer. `strict` is false when checking that a segment can be
// aggregated with the previous one (FIN, PSH, CWR, lengths and exact sequence numbers are then
// not compared, but the sequence numbers must be contiguous).
std::optional<Mismatch> verify_headers(net::Packet const& actual, net::Packet const& expected,
                                       ExpectedChecks const& checks, bool strict);

// TCP options: the same kinds in the same order, each with the same bytes (TS val only within
// tolerance when --tcp_ts_tick_usecs is set; TS ecr never).
std::optional<Mismatch> verify_tcp_options(net::Packet const& actual, net::Packet const& expected,
                                           ExpectedChecks const& checks, script::Config const& config);

std::optional<Mismatch> verify_payload(net::Packet const& actual, net::Packet const& expected);

}  // namespace pktdrill::run
