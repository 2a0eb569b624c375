#include "src/net/codec/tcp_options.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace pktdrill::net {

namespace {

std::string kind_name(std::uint8_t kind) { return "TCP option kind " + std::to_string(kind); }

}  // namespace

TcpOption TcpOption::mss(std::uint16_t mss) {
    TcpOption o{tcp_option_kind::mss, {}};
    append_be16(o.data, mss);
    return o;
}

TcpOption TcpOption::window_scale(std::uint8_t shift) { return {tcp_option_kind::window_scale, {shift}}; }

TcpOption TcpOption::sack(std::vector<SackBlock> const& blocks) {
    TcpOption o{tcp_option_kind::sack, {}};
    o.data.reserve(blocks.size() * 8);
    for (auto const& b : blocks) {
        append_be32(o.data, b.left);
        append_be32(o.data, b.right);
    }
    return o;
}

TcpOption TcpOption::timestamp(std::uint32_t val, std::uint32_t ecr) {
    TcpOption o{tcp_option_kind::timestamp, {}};
    append_be32(o.data, val);
    append_be32(o.data, ecr);
    return o;
}

TcpOption TcpOption::md5(ByteView digest) { return {tcp_option_kind::md5, Bytes(digest.begin(), digest.end())}; }

TcpOption TcpOption::fast_open(ByteView cookie) {
    return {tcp_option_kind::fast_open, Bytes(cookie.begin(), cookie.end())};
}

TcpOption TcpOption::fast_open_exp(ByteView cookie) {
    // Built in one piece: appending to the 2-byte vector trips a false -Warray-bounds in g++ 12.
    TcpOption o{tcp_option_kind::experimental, Bytes(2 + cookie.size())};
    store_be16(o.data, 0, fast_open_exp_magic);
    std::copy(cookie.begin(), cookie.end(), o.data.begin() + 2);
    return o;
}

TcpOption TcpOption::accecn(std::uint8_t kind, AccEcnCounters const& c) {
    TcpOption o{kind, {}};
    auto const order = kind == tcp_option_kind::accecn1
                            ? std::array{&c.e1b, &c.ceb, &c.e0b}
                            : std::array{&c.e0b, &c.ceb, &c.e1b};
    for (auto const* field : order) {
        if (!*field) break;
        append_be24(o.data, **field & 0xFFFFFF);
    }
    return o;
}

std::optional<std::uint16_t> TcpOption::as_mss() const {
    if (kind != tcp_option_kind::mss || data.size() != 2) return std::nullopt;
    return load_be16(data, 0);
}

std::optional<std::uint8_t> TcpOption::as_window_scale() const {
    if (kind != tcp_option_kind::window_scale || data.size() != 1) return std::nullopt;
    return data[0];
}

std::optional<std::vector<SackBlock>> TcpOption::as_sack() const {
    if (kind != tcp_option_kind::sack || data.size() % 8 != 0) return std::nullopt;
    std::vector<SackBlock> blocks;
    for (std::size_t i = 0; i < data.size(); i += 8) blocks.push_back({load_be32(data, i), load_be32(data, i + 4)});
    return blocks;
}

std::optional<TcpTimestamp> TcpOption::as_timestamp() const {
    if (kind != tcp_option_kind::timestamp || data.size() != 8) return std::nullopt;
    return TcpTimestamp{load_be32(data, 0), load_be32(data, 4)};
}

std::optional<Bytes> TcpOption::as_md5() const {
    if (kind != tcp_option_kind::md5) return std::nullopt;
    return data;
}

std::optional<Bytes> TcpOption::as_fast_open() const {
    if (kind != tcp_option_kind::fast_open) return std::nullopt;
    return data;
}

std::optional<Bytes> TcpOption::as_fast_open_exp() const {
    if (kind != tcp_option_kind::experimental || data.size() < 2 || load_be16(data, 0) != fast_open_exp_magic)
        return std::nullopt;
    return Bytes(data.begin() + 2, data.end());
}

std::optional<AccEcnCounters> TcpOption::as_accecn() const {
    if ((kind != tcp_option_kind::accecn0 && kind != tcp_option_kind::accecn1) || data.size() % 3 != 0 ||
        data.size() > 9)
        return std::nullopt;
    AccEcnCounters c;
    auto const order = kind == tcp_option_kind::accecn1 ? std::array{&c.e1b, &c.ceb, &c.e0b}
                                                        : std::array{&c.e0b, &c.ceb, &c.e1b};
    for (std::size_t i = 0; i * 3 < data.size(); ++i) *order[i] = load_be24(data, i * 3);
    return c;
}

std::size_t tcp_options_length(TcpOptions const& options) noexcept {
    std::size_t n = 0;
    for (auto const& o : options) n += o.encoded_length();
    return n;
}

Status write_tcp_options(Bytes& out, TcpOptions const& options) {
    for (auto const& o : options) {
        switch (o.kind) {
            case tcp_option_kind::eol:
                append_u8(out, o.kind);
                append_bytes(out, o.data);
                break;
            case tcp_option_kind::nop:
                if (!o.data.empty())
                    return CodecError{out.size(), "TCP NOP option carries " + std::to_string(o.data.size()) +
                                                      " data bytes; it has none"};
                append_u8(out, o.kind);
                break;
            default:
                if (o.data.size() > 253)
                    return CodecError{out.size(), kind_name(o.kind) + " has " + std::to_string(o.data.size()) +
                                                      " data bytes; a length byte allows at most 253"};
                append_u8(out, o.kind);
                append_u8(out, static_cast<std::uint8_t>(o.data.size() + 2));
                append_bytes(out, o.data);
        }
    }
    return Ok{};
}

Result<TcpOptions> read_tcp_options(ByteView area, std::size_t base) {
    TcpOptions options;
    std::size_t pos = 0;
    while (pos < area.size()) {
        std::uint8_t const kind = area[pos];
        if (kind == tcp_option_kind::eol) {
            options.push_back({kind, Bytes(area.begin() + static_cast<std::ptrdiff_t>(pos) + 1, area.end())});
            return options;
        }
        if (kind == tcp_option_kind::nop) {
            options.push_back(TcpOption::nop());
            ++pos;
            continue;
        }
        if (area.size() - pos < 2)
            return CodecError{base + pos, kind_name(kind) + " has no length byte: it is the last byte of the options"};
        std::size_t const len = area[pos + 1];
        if (len < 2)
            return CodecError{base + pos, kind_name(kind) + " has length " + std::to_string(len) +
                                              ", less than the 2 bytes of kind and length"};
        if (len > area.size() - pos)
            return CodecError{base + pos, kind_name(kind) + " has length " + std::to_string(len) + " but only " +
                                              std::to_string(area.size() - pos) +
                                              " bytes remain in the options"};
        auto const first = area.begin() + static_cast<std::ptrdiff_t>(pos);
        options.push_back({kind, Bytes(first + 2, first + static_cast<std::ptrdiff_t>(len))});
        pos += len;
    }
    return options;
}

}  // namespace pktdrill::net
