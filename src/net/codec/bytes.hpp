#pragma once
// Big-endian (network order) loads and stores over byte buffers. The codec reads fields at fixed
// offsets after checking the length once per header, so these are plain unchecked accessors with
// a debug assertion; bounds are the caller's job (the decoders check them before reading).

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace pktdrill::net {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<std::uint8_t const>;
using MutableByteView = std::span<std::uint8_t>;

inline std::uint16_t load_be16(ByteView b, std::size_t at) noexcept {
    assert(at + 2 <= b.size());
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

inline std::uint32_t load_be24(ByteView b, std::size_t at) noexcept {
    assert(at + 3 <= b.size());
    return std::uint32_t{b[at]} << 16 | std::uint32_t{b[at + 1]} << 8 | b[at + 2];
}

inline std::uint32_t load_be32(ByteView b, std::size_t at) noexcept {
    assert(at + 4 <= b.size());
    return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 |
           std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}

inline void store_be16(MutableByteView b, std::size_t at, std::uint16_t v) noexcept {
    assert(at + 2 <= b.size());
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}

inline void store_be32(MutableByteView b, std::size_t at, std::uint32_t v) noexcept {
    assert(at + 4 <= b.size());
    b[at] = static_cast<std::uint8_t>(v >> 24);
    b[at + 1] = static_cast<std::uint8_t>(v >> 16);
    b[at + 2] = static_cast<std::uint8_t>(v >> 8);
    b[at + 3] = static_cast<std::uint8_t>(v);
}

inline void append_u8(Bytes& out, std::uint8_t v) { out.push_back(v); }

inline void append_be16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

inline void append_be24(Bytes& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

inline void append_be32(Bytes& out, std::uint32_t v) {
    append_be16(out, static_cast<std::uint16_t>(v >> 16));
    append_be16(out, static_cast<std::uint16_t>(v));
}

inline void append_bytes(Bytes& out, ByteView v) { out.insert(out.end(), v.begin(), v.end()); }

}  // namespace pktdrill::net
