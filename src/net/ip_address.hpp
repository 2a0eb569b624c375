#pragma once
// IPv4/IPv6 addresses and prefixes as plain values, independent of sockaddr plumbing, so the
// config layer, rtnetlink and the packet matcher can all share one representation.

#include <netinet/in.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pktdrill::net {

enum class AddressFamily : std::uint8_t { ipv4, ipv6 };

class IpAddress {
public:
    // The unspecified IPv4 address 0.0.0.0.
    IpAddress() = default;

    static IpAddress v4(std::array<std::uint8_t, 4> const& bytes) noexcept;
    static IpAddress v6(std::array<std::uint8_t, 16> const& bytes) noexcept;
    static IpAddress from(in_addr const& a) noexcept;
    static IpAddress from(in6_addr const& a) noexcept;

    // Dotted quad for IPv4, RFC 4291 text for IPv6 (including `::ffff:1.2.3.4`, which stays an
    // IPv6 address; see unmapped()). No host names, no surrounding whitespace, no zone ids.
    static std::optional<IpAddress> try_parse(std::string_view text);
    // As try_parse, but throws pktdrill::Error naming the offending text.
    static IpAddress parse(std::string_view text);

    AddressFamily family() const noexcept { return family_; }
    bool is_v4() const noexcept { return family_ == AddressFamily::ipv4; }
    bool is_v6() const noexcept { return family_ == AddressFamily::ipv6; }
    int af() const noexcept { return is_v4() ? AF_INET : AF_INET6; }
    // Network byte order; 4 or 16 bytes.
    std::span<std::uint8_t const> bytes() const noexcept {
        return {bytes_.data(), is_v4() ? std::size_t{4} : std::size_t{16}};
    }
    // 32 or 128.
    int bit_length() const noexcept { return is_v4() ? 32 : 128; }

    bool is_v4_mapped() const noexcept;
    // ::ffff:a.b.c.d → a.b.c.d; any other address is returned unchanged.
    IpAddress unmapped() const noexcept;
    // a.b.c.d → ::ffff:a.b.c.d; IPv6 addresses are returned unchanged.
    IpAddress v4_mapped() const noexcept;

    // Precondition: is_v4() / is_v6() respectively.
    in_addr to_in_addr() const noexcept;
    in6_addr to_in6_addr() const noexcept;

    // inet_ntop's canonical text (lower-case, `::` compression, `::ffff:1.2.3.4` for mapped).
    std::string to_string() const;

    friend bool operator==(IpAddress const&, IpAddress const&) = default;
    friend std::strong_ordering operator<=>(IpAddress const&, IpAddress const&) = default;

private:
    AddressFamily family_ = AddressFamily::ipv4;
    // Unused tail bytes of an IPv4 address stay zero, so defaulted comparison is exact.
    std::array<std::uint8_t, 16> bytes_{};
};

// An address with a prefix length: `192.0.2.1/24` keeps the host bits (it is both "the remote
// IP" and "the remote net"); network() clears them when a route needs the net alone.
class IpPrefix {
public:
    IpPrefix() = default;
    // Throws pktdrill::Error if length exceeds the family's bit length (or is negative).
    IpPrefix(IpAddress address, int length);
    // A host prefix (/32 or /128).
    explicit IpPrefix(IpAddress address) noexcept
        : address_(address), length_(address.bit_length()) {}

    // `addr/len`, or a bare `addr` meaning a host prefix.
    static std::optional<IpPrefix> try_parse(std::string_view text);
    static IpPrefix parse(std::string_view text);

    IpAddress const& address() const noexcept { return address_; }
    int length() const noexcept { return length_; }
    AddressFamily family() const noexcept { return address_.family(); }
    // The address with its host bits cleared.
    IpAddress network() const noexcept;
    // True if a has the same family and agrees on the first length() bits.
    bool contains(IpAddress const& a) const noexcept;

    // `address/length`, host bits kept.
    std::string to_string() const;

    friend bool operator==(IpPrefix const&, IpPrefix const&) = default;

private:
    IpAddress address_;
    int length_ = 0;
};

// `255.255.0.0` → 16. Works for IPv6 masks too. Throws pktdrill::Error for a mask whose one bits
// are not contiguous from the top (e.g. `255.0.255.0`) or for text that is not an address.
int netmask_to_prefix_length(IpAddress const& netmask);
int netmask_to_prefix_length(std::string_view netmask_text);

}  // namespace pktdrill::net
