#include <catch2/catch.hpp>

#include "src/net/codec/tcp_options.hpp"
#include "tests/net/codec/hex.hpp"

using namespace pktdrill::net;
using pktdrill::net::test::from_hex;
using pktdrill::net::test::to_hex;

namespace {

std::string wire_of(TcpOptions const& options) {
    Bytes out;
    REQUIRE(write_tcp_options(out, options));
    CHECK(out.size() == tcp_options_length(options));
    return to_hex(out);
}

}  // namespace

TEST_CASE("typed TCP option constructors write the RFC wire format", "[codec][tcp_options]") {
    CHECK(wire_of({TcpOption::eol()}) == "00");
    CHECK(wire_of({TcpOption::nop()}) == "01");
    CHECK(wire_of({TcpOption::mss(1460)}) == "020405b4");
    CHECK(wire_of({TcpOption::window_scale(7)}) == "030307");
    CHECK(wire_of({TcpOption::sack_permitted()}) == "0402");
    CHECK(wire_of({TcpOption::sack({{1, 2}, {0xFFFFFFFF, 0x80000000}})}) ==
          "0512" "0000000100000002" "ffffffff80000000");
    CHECK(wire_of({TcpOption::timestamp(1, 0)}) == "080a" "00000001" "00000000");
    auto const digest = from_hex("000102030405060708090a0b0c0d0e0f");
    CHECK(wire_of({TcpOption::md5(digest)}) == "1312000102030405060708090a0b0c0d0e0f");
    CHECK(wire_of({TcpOption::fast_open({})}) == "2202");
    CHECK(wire_of({TcpOption::fast_open(from_hex("abcd1234"))}) == "2206abcd1234");
    CHECK(wire_of({TcpOption::fast_open_exp({})}) == "fe04f989");
    CHECK(wire_of({TcpOption::fast_open_exp(from_hex("0102030405060708"))}) == "fe0cf9890102030405060708");
    CHECK(wire_of({TcpOption::raw(30, from_hex("0102"))}) == "1e040102");
    CHECK(wire_of({TcpOption::raw(99, {})}) == "6302");
}

TEST_CASE("AccECN options write their counters in the order of their kind", "[codec][tcp_options]") {
    AccEcnCounters const all{.e0b = 0x010203, .ceb = 0x040506, .e1b = 0x070809};
    CHECK(wire_of({TcpOption::accecn(tcp_option_kind::accecn0, all)}) == "ac0b" "010203" "040506" "070809");
    CHECK(wire_of({TcpOption::accecn(tcp_option_kind::accecn1, all)}) == "ae0b" "070809" "040506" "010203");
    // Shorter options carry a prefix of the order; a counter above 24 bits keeps its low 24.
    CHECK(wire_of({TcpOption::accecn(tcp_option_kind::accecn0, {.e0b = 0x1ABCDEF})}) == "ac05" "abcdef");
    CHECK(wire_of({TcpOption::accecn(tcp_option_kind::accecn1, {.ceb = 5, .e1b = 6})}) == "ae08" "000006" "000005");
    CHECK(wire_of({TcpOption::accecn(tcp_option_kind::accecn0, {})}) == "ac02");
}

TEST_CASE("typed TCP option accessors read back what the constructors wrote", "[codec][tcp_options]") {
    CHECK(TcpOption::mss(1460).as_mss() == 1460);
    CHECK(TcpOption::window_scale(14).as_window_scale() == 14);
    CHECK(TcpOption::sack_permitted().is_sack_permitted());
    CHECK(TcpOption::sack({{5, 10}, {20, 30}}).as_sack() == std::vector<SackBlock>{{5, 10}, {20, 30}});
    CHECK(TcpOption::sack({}).as_sack() == std::vector<SackBlock>{});
    CHECK(TcpOption::timestamp(100, 7).as_timestamp() == TcpTimestamp{100, 7});
    CHECK(TcpOption::md5(from_hex("aabb")).as_md5() == from_hex("aabb"));
    CHECK(TcpOption::fast_open({}).as_fast_open() == Bytes{});
    CHECK(TcpOption::fast_open(from_hex("0102")).as_fast_open() == from_hex("0102"));
    CHECK(TcpOption::fast_open_exp(from_hex("0102")).as_fast_open_exp() == from_hex("0102"));
    CHECK(TcpOption::eol().is_eol());
    CHECK(TcpOption::nop().is_nop());

    AccEcnCounters const all{.e0b = 1, .ceb = 2, .e1b = 3};
    CHECK(TcpOption::accecn(tcp_option_kind::accecn0, all).as_accecn() == all);
    CHECK(TcpOption::accecn(tcp_option_kind::accecn1, all).as_accecn() == all);
    CHECK(TcpOption::accecn(tcp_option_kind::accecn1, {.ceb = 2, .e1b = 3}).as_accecn() ==
          AccEcnCounters{.ceb = 2, .e1b = 3});
    CHECK(TcpOption::accecn(tcp_option_kind::accecn0, {}).as_accecn() == AccEcnCounters{});
}

TEST_CASE("typed TCP option accessors refuse another kind or a length the kind does not allow",
          "[codec][tcp_options]") {
    CHECK_FALSE(TcpOption::window_scale(7).as_mss());
    CHECK_FALSE(TcpOption::raw(tcp_option_kind::mss, from_hex("05")).as_mss());
    CHECK_FALSE(TcpOption::raw(tcp_option_kind::window_scale, from_hex("0102")).as_window_scale());
    CHECK_FALSE(TcpOption::raw(tcp_option_kind::sack_permitted, from_hex("00")).is_sack_permitted());
    CHECK_FALSE(TcpOption::raw(tcp_option_kind::sack, from_hex("00000001")).as_sack());
    CHECK_FALSE(TcpOption::raw(tcp_option_kind::timestamp, from_hex("00000001")).as_timestamp());
    CHECK_FALSE(TcpOption::mss(1).as_md5());
    CHECK_FALSE(TcpOption::mss(1).as_fast_open());
    CHECK_FALSE(TcpOption::raw(tcp_option_kind::experimental, from_hex("f98a01")).as_fast_open_exp());
    CHECK_FALSE(TcpOption::raw(tcp_option_kind::experimental, from_hex("f9")).as_fast_open_exp());
    CHECK_FALSE(TcpOption::raw(tcp_option_kind::accecn0, from_hex("01020304")).as_accecn());
    CHECK_FALSE(TcpOption::raw(tcp_option_kind::accecn0, Bytes(12, 0)).as_accecn());
    CHECK_FALSE(TcpOption::raw(173, Bytes(3, 0)).as_accecn());
}

TEST_CASE("TCP options decode in wire order into kind and data", "[codec][tcp_options]") {
    auto const area = from_hex("020405b4 0402 080a0000000100000000 01 030307");
    auto options = read_tcp_options(area);
    REQUIRE(options);
    REQUIRE(options->size() == 5);
    CHECK((*options)[0] == TcpOption::mss(1460));
    CHECK((*options)[1] == TcpOption::sack_permitted());
    CHECK((*options)[2] == TcpOption::timestamp(1, 0));
    CHECK((*options)[3] == TcpOption::nop());
    CHECK((*options)[4] == TcpOption::window_scale(7));
    CHECK(wire_of(*options) == to_hex(area));
}

TEST_CASE("TCP options of unknown kinds are kept raw and written back unchanged", "[codec][tcp_options]") {
    auto const area = from_hex("1e06deadbeef fd02 ac05000001 01");
    auto options = read_tcp_options(area);
    REQUIRE(options);
    REQUIRE(options->size() == 4);
    CHECK((*options)[0] == TcpOption::raw(30, from_hex("deadbeef")));
    CHECK((*options)[1] == TcpOption::raw(253, {}));
    CHECK((*options)[2].as_accecn() == AccEcnCounters{.e0b = 1});
    CHECK(wire_of(*options) == to_hex(area));
}

TEST_CASE("EOL ends the TCP options and keeps the bytes after it for a byte-exact re-encode",
          "[codec][tcp_options]") {
    SECTION("zero padding") {
        auto const area = from_hex("020405b4 01 00 0000");
        auto options = read_tcp_options(area);
        REQUIRE(options);
        REQUIRE(options->size() == 3);
        CHECK((*options)[2].is_eol());
        CHECK((*options)[2] == TcpOption::eol(2));
        CHECK(wire_of(*options) == to_hex(area));
    }
    SECTION("what follows EOL is not parsed, even if it looks like options") {
        auto const area = from_hex("00 0204ffff 01 01 ff");
        auto options = read_tcp_options(area);
        REQUIRE(options);
        REQUIRE(options->size() == 1);
        CHECK((*options)[0].data == from_hex("0204ffff0101ff"));
        CHECK(wire_of(*options) == to_hex(area));
    }
    SECTION("an EOL as the last byte") {
        auto options = read_tcp_options(from_hex("01 01 01 00"));
        REQUIRE(options);
        REQUIRE(options->size() == 4);
        CHECK((*options)[3] == TcpOption::eol());
    }
}

TEST_CASE("an empty TCP options area decodes to no options", "[codec][tcp_options]") {
    auto options = read_tcp_options(ByteView{});
    REQUIRE(options);
    CHECK(options->empty());
}

TEST_CASE("TCP option whose length byte is missing is an error at its offset", "[codec][tcp_options]") {
    auto options = read_tcp_options(from_hex("01 01 01 02"), 40);
    REQUIRE_FALSE(options);
    CHECK(options.error().offset == 43);
    CHECK_THAT(options.error().message, Catch::Contains("kind 2") && Catch::Contains("no length byte"));
}

TEST_CASE("TCP option with length 0 or 1 is an error, not a loop or a skip", "[codec][tcp_options]") {
    for (std::uint8_t len : {0, 1}) {
        Bytes area = from_hex("01 08 00 01 01 01 01 01");
        area[2] = len;
        auto options = read_tcp_options(area, 20);
        REQUIRE_FALSE(options);
        CHECK(options.error().offset == 21);
        CHECK_THAT(options.error().message,
                   Catch::Contains("kind 8 has length " + std::to_string(len)) && Catch::Contains("less than"));
    }
}

TEST_CASE("TCP option whose length runs past the options area is an error", "[codec][tcp_options]") {
    SECTION("by one byte") {
        auto options = read_tcp_options(from_hex("020405b4 080b 0000000100000000"), 20);
        REQUIRE_FALSE(options);
        CHECK(options.error().offset == 24);
        CHECK_THAT(options.error().message, Catch::Contains("length 11 but only 10 bytes remain"));
    }
    SECTION("far past") {
        auto options = read_tcp_options(from_hex("fe ff 0000"));
        REQUIRE_FALSE(options);
        CHECK(options.error().offset == 0);
        CHECK_THAT(options.error().message, Catch::Contains("length 255"));
    }
}

TEST_CASE("TCP options are written in list order and never padded", "[codec][tcp_options]") {
    TcpOptions const options{TcpOption::nop(), TcpOption::window_scale(7), TcpOption::mss(536)};
    CHECK(wire_of(options) == "01" "030307" "02040218");
    CHECK(tcp_options_length(options) == 8);
    CHECK(tcp_options_length({TcpOption::mss(1), TcpOption::window_scale(1)}) == 7);  // caller must pad
    CHECK(tcp_options_length({}) == 0);
}

TEST_CASE("TCP options that cannot be written are refused", "[codec][tcp_options]") {
    Bytes out{0xAA};
    SECTION("a NOP with data") {
        auto st = write_tcp_options(out, {TcpOption::mss(1), TcpOption::raw(tcp_option_kind::nop, {1})});
        REQUIRE_FALSE(st);
        CHECK(st.error().offset == 5);
        CHECK_THAT(st.error().message, Catch::Contains("NOP"));
    }
    SECTION("data too long for a length byte") {
        CHECK(write_tcp_options(out, {TcpOption::raw(30, Bytes(253, 0))}));
        auto st = write_tcp_options(out, {TcpOption::raw(30, Bytes(254, 0))});
        REQUIRE_FALSE(st);
        CHECK_THAT(st.error().message, Catch::Contains("at most 253"));
    }
}
