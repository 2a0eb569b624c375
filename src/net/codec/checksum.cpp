#include "src/net/codec/checksum.hpp"

namespace pktdrill::net {

void ChecksumAccumulator::add(ByteView data) noexcept {
    std::size_t i = 0;
    if (odd_ && !data.empty()) {
        sum_ += data[0];
        i = 1;
        odd_ = false;
    }
    for (; i + 1 < data.size(); i += 2) sum_ += std::uint32_t{data[i]} << 8 | data[i + 1];
    if (i < data.size()) {
        sum_ += std::uint32_t{data[i]} << 8;
        odd_ = true;
    }
}

void ChecksumAccumulator::add_be16(std::uint16_t v) noexcept {
    std::uint8_t const b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    add(b);
}

void ChecksumAccumulator::add_be32(std::uint32_t v) noexcept {
    add_be16(static_cast<std::uint16_t>(v >> 16));
    add_be16(static_cast<std::uint16_t>(v));
}

std::uint16_t ChecksumAccumulator::folded_sum() const noexcept {
    std::uint64_t s = sum_;
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

std::uint16_t internet_checksum(ByteView data) noexcept {
    ChecksumAccumulator acc;
    acc.add(data);
    return acc.checksum();
}

ChecksumAccumulator ipv4_pseudo_header(Ipv4Address src, Ipv4Address dst, std::uint8_t protocol,
                                       std::uint32_t length) noexcept {
    ChecksumAccumulator acc;
    acc.add(src.bytes);
    acc.add(dst.bytes);
    acc.add_be16(protocol);  // zero byte, then the protocol
    // The field is 16 bits; a BIG TCP super-segment beyond that has no defined checksum, and
    // adding the length as 32 bits at least keeps the result deterministic.
    acc.add_be32(length);
    return acc;
}

ChecksumAccumulator ipv6_pseudo_header(Ipv6Address const& src, Ipv6Address const& dst,
                                       std::uint8_t next_header, std::uint32_t length) noexcept {
    ChecksumAccumulator acc;
    acc.add(src.bytes);
    acc.add(dst.bytes);
    acc.add_be32(length);
    acc.add_be32(next_header);  // three zero bytes, then the next header
    return acc;
}

bool ipv4_header_checksum_ok(ByteView header) noexcept {
    if (header.empty()) return false;
    std::size_t const len = std::size_t{header[0] & 0x0Fu} * 4;
    if (len < 20 || header.size() < len) return false;
    ChecksumAccumulator acc;
    acc.add(header.first(len));
    return acc.folded_sum() == 0xFFFF;
}

}  // namespace pktdrill::net
