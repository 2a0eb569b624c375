#pragma once
// TCP options (RFC 9293 3.2 and the RFCs of each kind), kept as an ordered list of
// (kind, data) so that what was on the wire, or what a script listed, survives byte for byte.
// Typed constructors and accessors sit on top for the kinds packetdrill scripts use.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "src/net/codec/bytes.hpp"
#include "src/net/codec/result.hpp"

namespace pktdrill::net {

namespace tcp_option_kind {
inline constexpr std::uint8_t eol = 0;
inline constexpr std::uint8_t nop = 1;
inline constexpr std::uint8_t mss = 2;
inline constexpr std::uint8_t window_scale = 3;
inline constexpr std::uint8_t sack_permitted = 4;
inline constexpr std::uint8_t sack = 5;
inline constexpr std::uint8_t timestamp = 8;
inline constexpr std::uint8_t md5 = 19;
inline constexpr std::uint8_t fast_open = 34;
inline constexpr std::uint8_t accecn0 = 172;
inline constexpr std::uint8_t accecn1 = 174;
inline constexpr std::uint8_t experimental = 254;  // RFC 6994, with a 16-bit ExID first
}  // namespace tcp_option_kind

// The ExID of the experimental TCP Fast Open option used before kind 34 was assigned.
inline constexpr std::uint16_t fast_open_exp_magic = 0xF989;

struct SackBlock {
    std::uint32_t left = 0;
    std::uint32_t right = 0;
    friend bool operator==(SackBlock const&, SackBlock const&) = default;
};

struct TcpTimestamp {
    std::uint32_t val = 0;
    std::uint32_t ecr = 0;
    friend bool operator==(TcpTimestamp const&, TcpTimestamp const&) = default;
};

// The AccECN option's byte counters (draft-ietf-tcpm-accurate-ecn). Each is 24 bits. The wire
// order depends on the kind: AccECN0 (172) carries e0b, ceb, e1b; AccECN1 (174) e1b, ceb, e0b.
// A shorter option carries only a prefix of that order; the missing counters are nullopt.
struct AccEcnCounters {
    std::optional<std::uint32_t> e0b{};
    std::optional<std::uint32_t> ceb{};
    std::optional<std::uint32_t> e1b{};
    friend bool operator==(AccEcnCounters const&, AccEcnCounters const&) = default;
};

struct TcpOption {
    std::uint8_t kind = 0;
    // The bytes after kind and length. EOL and NOP have no length byte; for EOL, `data` holds the
    // bytes that follow it up to the end of the options area (normally zero padding), written
    // back verbatim so that decode → encode is byte-exact. NOP's data must be empty.
    Bytes data{};

    static TcpOption eol(std::size_t padding = 0) { return {tcp_option_kind::eol, Bytes(padding, 0)}; }
    static TcpOption nop() { return {tcp_option_kind::nop, {}}; }
    static TcpOption mss(std::uint16_t mss);
    static TcpOption window_scale(std::uint8_t shift);
    static TcpOption sack_permitted() { return {tcp_option_kind::sack_permitted, {}}; }
    static TcpOption sack(std::vector<SackBlock> const& blocks);
    static TcpOption timestamp(std::uint32_t val, std::uint32_t ecr);
    static TcpOption md5(ByteView digest);
    static TcpOption fast_open(ByteView cookie);  // kind 34; an empty cookie requests one
    static TcpOption fast_open_exp(ByteView cookie);  // kind 254, ExID 0xF989, then the cookie
    // `kind` is accecn0 or accecn1. Counters are written in that kind's wire order up to the
    // first missing one; counters above 24 bits are truncated to 24 bits.
    static TcpOption accecn(std::uint8_t kind, AccEcnCounters const& counters);
    static TcpOption raw(std::uint8_t kind, Bytes data) { return {kind, std::move(data)}; }

    // Typed views. Each returns nullopt when the kind differs or the data has a length that the
    // kind does not allow, so a malformed option seen on the wire is still visible, raw.
    bool is_eol() const noexcept { return kind == tcp_option_kind::eol; }
    bool is_nop() const noexcept { return kind == tcp_option_kind::nop; }
    bool is_sack_permitted() const noexcept { return kind == tcp_option_kind::sack_permitted && data.empty(); }
    std::optional<std::uint16_t> as_mss() const;
    std::optional<std::uint8_t> as_window_scale() const;
    std::optional<std::vector<SackBlock>> as_sack() const;
    std::optional<TcpTimestamp> as_timestamp() const;
    std::optional<Bytes> as_md5() const;       // the digest bytes, any length
    std::optional<Bytes> as_fast_open() const;  // the cookie, possibly empty
    std::optional<Bytes> as_fast_open_exp() const;
    std::optional<AccEcnCounters> as_accecn() const;  // data of 0, 3, 6 or 9 bytes

    // Bytes this option takes on the wire.
    std::size_t encoded_length() const noexcept {
        return kind == tcp_option_kind::eol || kind == tcp_option_kind::nop ? 1 + data.size()
                                                                          : 2 + data.size();
    }

    friend bool operator==(TcpOption const&, TcpOption const&) = default;
};

using TcpOptions = std::vector<TcpOption>;

// Bytes the list takes on the wire. Encoding never pads: the caller checks that this is a
// multiple of 4 (and at most 40) before putting the list in a header with a derived data offset.
std::size_t tcp_options_length(TcpOptions const& options) noexcept;

// Appends the options in list order. Fails for a NOP with data or an option whose data exceeds
// the 253 bytes a length byte can describe (the error's offset is the option's place in `out`).
Status write_tcp_options(Bytes& out, TcpOptions const& options);

// Parses an options area exactly as on the wire. EOL ends the list (the rest of the area becomes
// its data); a length byte that is missing, below 2 or past the end of the area is an error.
// `base_offset` is where the area starts in the packet, for error messages.
Result<TcpOptions> read_tcp_options(ByteView area, std::size_t base_offset = 0);

}  // namespace pktdrill::net
