#pragma once
// Hex helpers for the codec tests: vectors are written as hex strings, failures print hex.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "src/net/codec/bytes.hpp"

namespace pktdrill::net::test {

inline Bytes from_hex(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw std::invalid_argument("bad hex digit");
    };
    Bytes out;
    int high = -1;
    for (char c : hex) {
        if (c == ' ' || c == '\n') continue;  // vectors are grouped by field for readability
        if (high < 0) {
            high = nibble(c);
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | nibble(c)));
            high = -1;
        }
    }
    if (high >= 0) throw std::invalid_argument("odd number of hex digits");
    return out;
}

inline std::string to_hex(ByteView bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (auto b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

}  // namespace pktdrill::net::test
