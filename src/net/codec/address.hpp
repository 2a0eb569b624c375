#pragma once
// IP addresses as small value types: comparable, hashable by bytes, convertible to and from the
// socket API's in_addr / in6_addr, so headers stay plain aggregates with no alignment surprises.

#include <netinet/in.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pktdrill::net {

struct Ipv4Address {
    std::array<std::uint8_t, 4> bytes{};

    static Ipv4Address from_in_addr(in_addr a) noexcept;
    in_addr to_in_addr() const noexcept;
    // Dotted quad only ("192.0.2.1"); nullopt on anything else.
    static std::optional<Ipv4Address> parse(std::string_view text);
    std::string to_string() const;

    friend auto operator<=>(Ipv4Address const&, Ipv4Address const&) = default;
};

struct Ipv6Address {
    std::array<std::uint8_t, 16> bytes{};

    static Ipv6Address from_in6_addr(in6_addr const& a) noexcept;
    in6_addr to_in6_addr() const noexcept;
    // Any form inet_pton accepts ("fd3d::1", "::ffff:192.0.2.1"); nullopt otherwise.
    static std::optional<Ipv6Address> parse(std::string_view text);
    std::string to_string() const;

    friend auto operator<=>(Ipv6Address const&, Ipv6Address const&) = default;
};

}  // namespace pktdrill::net
