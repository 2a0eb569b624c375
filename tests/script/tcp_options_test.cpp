// Every TCP option and what it loads as, `<...>`, and the sizes the padding rule counts.

#include <catch2/catch.hpp>

#include "tests/script/access.hpp"

namespace {

using namespace pktdrill::test;
namespace opt = pktdrill::script::tcp_option;
using Options = std::vector<model::TcpOption>;

// The options of "> S 0:0(0) <written>".
Options options(std::string const& written, std::vector<std::string> const& args = {}) {
    auto const e = only("> S 0:0(0) <" + written + ">", args);
    REQUIRE(tcp(e).options.has_value());
    return *tcp(e).options;
}

}  // namespace

TEST_CASE("nop and eol", "[tcp-options]") {
    CHECK(options("nop,nop,eol,eol") == Options{opt::Nop{}, opt::Nop{}, opt::Eol{}, opt::Eol{}});
}

TEST_CASE("mss and wscale keep their values", "[tcp-options]") {
    CHECK(options("mss 1460,nop,wscale 7") == Options{opt::Mss{1460}, opt::Nop{}, opt::WindowScale{7}});
    CHECK(options("mss 65535") == Options{opt::Mss{65535}});
    CHECK(options("wscale 255,nop") == Options{opt::WindowScale{255}, opt::Nop{}});
}

TEST_CASE("sackOK", "[tcp-options]") {
    CHECK(options("sackOK,nop,nop") == Options{opt::SackPermitted{}, opt::Nop{}, opt::Nop{}});
}

TEST_CASE("sack blocks, space separated", "[tcp-options]") {
    CHECK(options("nop,nop,sack 2001:3001") == Options{opt::Nop{}, opt::Nop{}, opt::Sack{{{2001, 3001}}}});
    CHECK(options("nop,nop,sack 1:2 3:4 4294967295:0") ==
          Options{opt::Nop{}, opt::Nop{}, opt::Sack{{{1, 2}, {3, 4}, {4294967295u, 0}}}});
}

TEST_CASE("TS val and ecr", "[tcp-options]") {
    CHECK(options("nop,nop,TS val 100 ecr 4294967295") == Options{opt::Nop{}, opt::Nop{}, opt::Timestamp{100, 4294967295u}});
}

TEST_CASE("FO with and without a cookie", "[tcp-options]") {
    CHECK(options("FO,nop,nop") == Options{opt::FastOpen{false, {}}, opt::Nop{}, opt::Nop{}});
    CHECK(options("FO 3021b9d889017eeb,nop,nop") ==
          Options{opt::FastOpen{false, {0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb}}, opt::Nop{}, opt::Nop{}});
    CHECK(options("FO 0102") == Options{opt::FastOpen{false, {1, 2}}});
}

TEST_CASE("FOEXP with and without a cookie", "[tcp-options]") {
    CHECK(options("FOEXP") == Options{opt::FastOpen{true, {}}});
    CHECK(options("FOEXP aabb,nop,nop") == Options{opt::FastOpen{true, {0xaa, 0xbb}}, opt::Nop{}, opt::Nop{}});
}

TEST_CASE("md5 digest bytes", "[tcp-options]") {
    CHECK(options("md5 000102030405060708090a0b0c0d0e0f,nop,nop") ==
          Options{opt::Md5{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}}, opt::Nop{}, opt::Nop{}});
}

TEST_CASE("the AccECN option: e0b first is kind 172, e1b first kind 174, fields in order", "[tcp-options]") {
    using Fields = std::vector<std::pair<std::string, std::uint32_t>>;
    CHECK(options("ECN e0b 1 ceb 2 e1b 3,nop") ==
          Options{opt::AccEcn{false, Fields{{"e0b", 1}, {"ceb", 2}, {"e1b", 3}}}, opt::Nop{}});
    CHECK(options("ECN e1b 16777215 ceb 0 e0b 5,nop") ==
          Options{opt::AccEcn{true, Fields{{"e1b", 16777215}, {"ceb", 0}, {"e0b", 5}}}, opt::Nop{}});
    CHECK(options("ECN e0b 1,nop,nop,nop") == Options{opt::AccEcn{false, Fields{{"e0b", 1}}}, opt::Nop{}, opt::Nop{}, opt::Nop{}});
    CHECK(options("ECN,nop,nop") == Options{opt::AccEcn{false, {}}, opt::Nop{}, opt::Nop{}});
}

TEST_CASE("<...> on an outbound packet leaves the options unchecked", "[tcp-options]") {
    auto const e = only("> S. 0:0(0) ack 1 <...>");
    CHECK_FALSE(tcp(e).options.has_value());
}

TEST_CASE("a packet without '<...>' has no options (an empty list, which is checked)", "[tcp-options]") {
    auto const e = only("> . 1:1(0)");
    REQUIRE(tcp(e).options.has_value());
    CHECK(tcp(e).options->empty());
}

TEST_CASE("a typical SYN's options, in wire order", "[tcp-options]") {
    CHECK(options("mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8") ==
          Options{opt::Mss{1460}, opt::SackPermitted{}, opt::Timestamp{100, 0}, opt::Nop{}, opt::WindowScale{8}});
}

TEST_CASE("option sizes are their sizes on the wire", "[tcp-options]") {
    using pktdrill::script::wire_size;
    CHECK(wire_size(opt::Nop{}) == 1);
    CHECK(wire_size(opt::Eol{}) == 1);
    CHECK(wire_size(opt::Mss{1}) == 4);
    CHECK(wire_size(opt::WindowScale{1}) == 3);
    CHECK(wire_size(opt::SackPermitted{}) == 2);
    CHECK(wire_size(opt::Sack{{{1, 2}, {3, 4}}}) == 18);
    CHECK(wire_size(opt::Timestamp{}) == 10);
    CHECK(wire_size(opt::FastOpen{false, {1, 2, 3, 4, 5, 6, 7, 8}}) == 10);
    CHECK(wire_size(opt::FastOpen{true, {1, 2}}) == 6);
    CHECK(wire_size(opt::Md5{std::vector<std::uint8_t>(16)}) == 18);
    CHECK(wire_size(opt::AccEcn{false, {{"e0b", 1}, {"ceb", 2}, {"e1b", 3}}}) == 11);
}

TEST_CASE("a cookie from a -D define", "[tcp-options][define]") {
    CHECK(options("FO TFO_COOKIE,nop,nop", {"-D", "TFO_COOKIE=c1d1e9742a47a9bc"}) ==
          Options{opt::FastOpen{false, {0xc1, 0xd1, 0xe9, 0x74, 0x2a, 0x47, 0xa9, 0xbc}}, opt::Nop{}, opt::Nop{}});
}
