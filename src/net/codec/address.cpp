#include "src/net/codec/address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace pktdrill::net {

Ipv4Address Ipv4Address::from_in_addr(in_addr a) noexcept {
    Ipv4Address r;
    std::memcpy(r.bytes.data(), &a.s_addr, 4);  // s_addr is already in network order
    return r;
}

in_addr Ipv4Address::to_in_addr() const noexcept {
    in_addr a{};
    std::memcpy(&a.s_addr, bytes.data(), 4);
    return a;
}

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    in_addr a{};
    // inet_pton needs a NUL-terminated string, and string_view has none.
    if (::inet_pton(AF_INET, std::string(text).c_str(), &a) != 1) return std::nullopt;
    return from_in_addr(a);
}

std::string Ipv4Address::to_string() const {
    char buf[INET_ADDRSTRLEN];
    in_addr a = to_in_addr();
    return ::inet_ntop(AF_INET, &a, buf, sizeof buf);
}

Ipv6Address Ipv6Address::from_in6_addr(in6_addr const& a) noexcept {
    Ipv6Address r;
    std::memcpy(r.bytes.data(), a.s6_addr, 16);
    return r;
}

in6_addr Ipv6Address::to_in6_addr() const noexcept {
    in6_addr a{};
    std::memcpy(a.s6_addr, bytes.data(), 16);
    return a;
}

std::optional<Ipv6Address> Ipv6Address::parse(std::string_view text) {
    in6_addr a{};
    if (::inet_pton(AF_INET6, std::string(text).c_str(), &a) != 1) return std::nullopt;
    return from_in6_addr(a);
}

std::string Ipv6Address::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    in6_addr a = to_in6_addr();
    return ::inet_ntop(AF_INET6, &a, buf, sizeof buf);
}

}  // namespace pktdrill::net
