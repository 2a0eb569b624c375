#include "src/net/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>

#include "src/base/error.hpp"

namespace pktdrill::net {

namespace {

constexpr std::array<std::uint8_t, 12> v4_mapped_prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> const& bytes) noexcept {
    IpAddress a;
    a.family_ = AddressFamily::ipv4;
    std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
    return a;
}

IpAddress IpAddress::v6(std::array<std::uint8_t, 16> const& bytes) noexcept {
    IpAddress a;
    a.family_ = AddressFamily::ipv6;
    a.bytes_ = bytes;
    return a;
}

IpAddress IpAddress::from(in_addr const& in) noexcept {
    std::array<std::uint8_t, 4> b;
    std::memcpy(b.data(), &in, 4);
    return v4(b);
}

IpAddress IpAddress::from(in6_addr const& in) noexcept {
    std::array<std::uint8_t, 16> b;
    std::memcpy(b.data(), &in, 16);
    return v6(b);
}

std::optional<IpAddress> IpAddress::try_parse(std::string_view text) {
    // inet_pton needs a NUL-terminated string; 45 characters is the longest IPv6 text form, so
    // anything longer is rejected before copying.
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
    std::string const s(text);
    in_addr a4{};
    if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) return from(a4);
    in6_addr a6{};
    if (::inet_pton(AF_INET6, s.c_str(), &a6) == 1) return from(a6);
    return std::nullopt;
}

IpAddress IpAddress::parse(std::string_view text) {
    if (auto a = try_parse(text)) return *a;
    throw Error("bad IP address: '" + std::string(text) + "'");
}

bool IpAddress::is_v4_mapped() const noexcept {
    return is_v6() && std::equal(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), bytes_.begin());
}

IpAddress IpAddress::unmapped() const noexcept {
    if (!is_v4_mapped()) return *this;
    return v4({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

IpAddress IpAddress::v4_mapped() const noexcept {
    if (!is_v4()) return *this;
    std::array<std::uint8_t, 16> b{};
    std::copy(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), b.begin());
    std::copy(bytes_.begin(), bytes_.begin() + 4, b.begin() + 12);
    return v6(b);
}

in_addr IpAddress::to_in_addr() const noexcept {
    in_addr a{};
    std::memcpy(&a, bytes_.data(), 4);
    return a;
}

in6_addr IpAddress::to_in6_addr() const noexcept {
    in6_addr a{};
    std::memcpy(&a, bytes_.data(), 16);
    return a;
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(af(), bytes_.data(), buf, sizeof buf);
    return buf;
}

IpPrefix::IpPrefix(IpAddress address, int length) : address_(address), length_(length) {
    if (length < 0 || length > address.bit_length())
        throw Error("bad prefix length " + std::to_string(length) + " for " + address.to_string());
}

std::optional<IpPrefix> IpPrefix::try_parse(std::string_view text) {
    auto const slash = text.find('/');
    auto const address = IpAddress::try_parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    if (slash == std::string_view::npos) return IpPrefix(*address);
    auto const digits = text.substr(slash + 1);
    int length = -1;
    auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || length < 0 ||
        length > address->bit_length())
        return std::nullopt;
    return IpPrefix(*address, length);
}

IpPrefix IpPrefix::parse(std::string_view text) {
    if (auto p = try_parse(text)) return *p;
    throw Error("bad IP prefix: '" + std::string(text) + "'");
}

IpAddress IpPrefix::network() const noexcept {
    std::array<std::uint8_t, 16> b{};
    auto const in = address_.bytes();
    std::copy(in.begin(), in.end(), b.begin());
    for (int i = 0; i < static_cast<int>(in.size()); ++i) {
        int const bits_kept = std::clamp(length_ - 8 * i, 0, 8);
        b[i] &= static_cast<std::uint8_t>(0xff00u >> bits_kept);
    }
    if (address_.is_v4()) return IpAddress::v4({b[0], b[1], b[2], b[3]});
    return IpAddress::v6(b);
}

bool IpPrefix::contains(IpAddress const& a) const noexcept {
    return a.family() == family() && IpPrefix(a, length_).network() == network();
}

std::string IpPrefix::to_string() const {
    return address_.to_string() + "/" + std::to_string(length_);
}

int netmask_to_prefix_length(IpAddress const& netmask) {
    int length = 0;
    bool seen_zero = false;
    for (std::uint8_t const byte : netmask.bytes()) {
        // A contiguous mask is, byte by byte: 0xff…, then one byte of leading ones, then zeros.
        int const ones = std::countl_one(byte);
        if (seen_zero ? byte != 0 : (byte << ones & 0xff) != 0)
            throw Error("bad netmask: '" + netmask.to_string() + "' (its one bits are not contiguous)");
        length += ones;
        if (ones < 8) seen_zero = true;
    }
    return length;
}

int netmask_to_prefix_length(std::string_view netmask_text) {
    auto const mask = IpAddress::try_parse(netmask_text);
    if (!mask) throw Error("bad netmask: '" + std::string(netmask_text) + "'");
    return netmask_to_prefix_length(*mask);
}

}  // namespace pktdrill::net
