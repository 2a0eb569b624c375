#pragma once
// MPLS label stack entries (RFC 3032, traffic class per RFC 5462).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "src/net/codec/bytes.hpp"
#include "src/net/codec/result.hpp"

namespace pktdrill::net {

struct MplsEntry {
    static constexpr std::uint32_t max_label = 0xFFFFF;

    std::uint32_t label = 0;          // 20 bits
    std::uint8_t traffic_class = 0;   // 3 bits
    bool bottom_of_stack = false;     // written as given: the stack is not fixed up
    std::uint8_t ttl = 0;

    friend bool operator==(MplsEntry const&, MplsEntry const&) = default;
};

// A whole label stack is one layer: decode() reads entries up to the one with the
// bottom-of-stack bit, and a stack without one is malformed.
struct MplsStack {
    std::vector<MplsEntry> entries{};

    std::size_t header_length() const noexcept { return entries.size() * 4; }

    friend bool operator==(MplsStack const&, MplsStack const&) = default;
};

// Fails for a label over 20 bits or a traffic class over 3 bits.
Status write_mpls_stack(Bytes& out, MplsStack const& stack);
Result<MplsStack> read_mpls_stack(ByteView data, std::size_t base_offset = 0);

}  // namespace pktdrill::net
