#include "src/net/codec/mpls.hpp"

#include <string>

namespace pktdrill::net {

Status write_mpls_stack(Bytes& out, MplsStack const& stack) {
    for (auto const& e : stack.entries) {
        if (e.label > MplsEntry::max_label)
            return CodecError{out.size(), "MPLS label " + std::to_string(e.label) + " does not fit in 20 bits"};
        if (e.traffic_class > 7)
            return CodecError{out.size(), "MPLS traffic class " + std::to_string(e.traffic_class) +
                                              " does not fit in 3 bits"};
        append_be32(out, e.label << 12 | std::uint32_t{e.traffic_class} << 9 |
                             (e.bottom_of_stack ? 1u << 8 : 0u) | e.ttl);
    }
    return Ok{};
}

Result<MplsStack> read_mpls_stack(ByteView data, std::size_t base) {
    MplsStack stack;
    for (std::size_t pos = 0;; pos += 4) {
        if (data.size() - pos < 4)
            return CodecError{base + pos, stack.entries.empty()
                                              ? "truncated MPLS label stack entry"
                                              : "MPLS label stack ends without a bottom-of-stack entry"};
        std::uint32_t const v = load_be32(data, pos);
        MplsEntry e{v >> 12, static_cast<std::uint8_t>(v >> 9 & 7), (v >> 8 & 1) != 0,
                    static_cast<std::uint8_t>(v)};
        stack.entries.push_back(e);
        if (e.bottom_of_stack) return stack;
    }
}

}  // namespace pktdrill::net
