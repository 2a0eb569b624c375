// Thousands of random and mutated byte strings: decode must never crash (run this under
// -DPKTDRILL_SANITIZE=ON too), and whatever it accepts must re-encode to exactly the same bytes.

#include <random>

#include <catch2/catch.hpp>

#include "src/net/codec/packet.hpp"
#include "tests/net/codec/hex.hpp"
#include "tests/net/codec/vectors.hpp"

using namespace pktdrill::net;
using pktdrill::net::test::from_hex;
using pktdrill::net::test::to_hex;
namespace vectors = pktdrill::net::test::vectors;

namespace {

struct Tally {
    int accepted = 0;
    int rejected = 0;
};

// The decode → encode identity, checksum verification and layout must all hold for any input
// decode accepts; for rejected input the error must point inside the input.
void exercise(Bytes const& wire, Tally& tally) {
    for (bool truncated_ok : {false, true}) {
        auto p = decode(wire, {.allow_truncated = truncated_ok});
        if (!p) {
            ++tally.rejected;
            if (p.error().offset > wire.size()) FAIL("error offset past the input: " << to_hex(wire));
            continue;
        }
        ++tally.accepted;
        auto again = encode(*p);
        if (!again) FAIL("decoded packet does not encode: " << again.error().describe() << " " << to_hex(wire));
        if (*again != wire) FAIL("re-encode differs: " << to_hex(wire) << " -> " << to_hex(*again));
        (void)verify_checksums(*p);
        if (layout(*p).size != wire.size()) FAIL("layout size differs: " << to_hex(wire));
    }
}

Bytes mutate(Bytes b, std::mt19937& rng) {
    std::uniform_int_distribution<int> what(0, 6);
    int const edits = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int i = 0; i < edits; ++i) {
        if (b.empty()) b.push_back(0x45);
        std::uniform_int_distribution<std::size_t> pos(0, b.size() - 1);
        switch (what(rng)) {
            case 0: b[pos(rng)] = static_cast<std::uint8_t>(rng()); break;
            case 1: b[pos(rng)] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
            case 2: b.resize(pos(rng)); break;
            case 3: b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos(rng)), static_cast<std::uint8_t>(rng())); break;
            case 4: b.erase(b.begin() + static_cast<std::ptrdiff_t>(pos(rng))); break;
            case 5: {  // length-like fields: small values and boundaries
                std::size_t const at = pos(rng);
                static constexpr std::uint8_t interesting[] = {0, 1, 2, 3, 4, 5, 0x0F, 0x10, 0x40, 0x7F, 0x80, 0xFF};
                b[at] = interesting[rng() % std::size(interesting)];
                break;
            }
            default: {  // duplicate a slice, e.g. an option or a header
                std::size_t const from = pos(rng);
                std::size_t const len = std::min<std::size_t>(b.size() - from, rng() % 24);
                Bytes const slice(b.begin() + static_cast<std::ptrdiff_t>(from),
                                  b.begin() + static_cast<std::ptrdiff_t>(from + len));
                b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos(rng)), slice.begin(), slice.end());
            }
        }
    }
    return b;
}

}  // namespace

TEST_CASE("decode survives random bytes that start like IP headers", "[codec][random]") {
    std::mt19937 rng(20240601);
    Tally tally;
    for (int i = 0; i < 100000; ++i) {
        Bytes b(rng() % 120);
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        if (!b.empty() && rng() % 4 != 0) b[0] = rng() % 2 ? 0x45 : 0x60 | (b[0] & 0x0F);
        if (rng() % 2) {  // a matching IP length sends the decoder further in
            if (b.size() >= 20 && b[0] >> 4 == 4) store_be16(b, 2, static_cast<std::uint16_t>(b.size()));
            if (b.size() >= 40 && b[0] >> 4 == 6) store_be16(b, 4, static_cast<std::uint16_t>(b.size() - 40));
        }
        exercise(b, tally);
    }
    CHECK(tally.accepted > 10000);
    CHECK(tally.rejected > 10000);
}

TEST_CASE("decode survives mutations of valid packets of every layer type", "[codec][random]") {
    std::string_view const seeds[] = {vectors::syn4,       vectors::synack6, vectors::udp4, vectors::icmp4_frag,
                                      vectors::icmp6_ptb, vectors::gre4,    vectors::gre6, vectors::mpls4};
    std::mt19937 rng(7);
    Tally tally;
    for (auto hex : seeds) {
        Bytes const seed = from_hex(hex);
        for (int i = 0; i < 20000; ++i) {
            Bytes b = mutate(seed, rng);
            // Keep the outer length honest half the time, so mutations reach the inner layers.
            if (rng() % 2 && b.size() >= 6) {
                if (b[0] >> 4 == 4) store_be16(b, 2, static_cast<std::uint16_t>(b.size()));
                if (b[0] >> 4 == 6 && b.size() >= 40) store_be16(b, 4, static_cast<std::uint16_t>(b.size() - 40));
            }
            exercise(b, tally);
        }
    }
    // Both outcomes must be common, or the mutations are not reaching the decoder's paths.
    CHECK(tally.accepted > 20000);
    CHECK(tally.rejected > 20000);
}
