#pragma once
// Reaching into the script model in tests, building expected values, and printing model values
// in Catch's failure messages (in script syntax, through the renderer).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "src/script/model.hpp"
#include "src/script/render.hpp"
#include "tests/support/scripts.hpp"

namespace pktdrill::test {

namespace model = pktdrill::script;

// The events of a script that must load.
inline std::vector<model::Event> events(std::string const& text, std::vector<std::string> const& args = {}) {
    return load_ok(text, args).events;
}

// The one event of "0 <action>".
inline model::Event only(std::string const& action, std::vector<std::string> const& args = {}) {
    auto e = events("0 " + action + "\n", args);
    REQUIRE(e.size() == 1);
    return e[0];
}

inline model::Packet const& packet(model::Event const& e) { return std::get<model::Packet>(e.action); }
inline model::TcpSegment const& tcp(model::Event const& e) { return std::get<model::TcpSegment>(packet(e).transport); }
inline model::UdpDatagram const& udp(model::Event const& e) { return std::get<model::UdpDatagram>(packet(e).transport); }
inline model::IcmpMessage const& icmp(model::Event const& e) { return std::get<model::IcmpMessage>(packet(e).transport); }
inline model::Syscall const& syscall(model::Event const& e) { return std::get<model::Syscall>(e.action); }
inline model::Expr const& arg(model::Event const& e, std::size_t i) { return syscall(e).args.at(i); }

template <typename T>
T const& as(model::Expr const& e) {
    return std::get<T>(e.value);
}

// Expected expressions (equality ignores source locations).
inline model::Expr integer(std::int64_t v) { return {model::Integer{v, false}, {}}; }
inline model::Expr hex(std::int64_t v) { return {model::Integer{v, true}, {}}; }
inline model::Expr symbol(std::string name) { return {model::Symbol{std::move(name)}, {}}; }
inline model::Expr string(std::string bytes, bool ellipsis = false) {
    return {model::String{std::move(bytes), ellipsis}, {}};
}
inline model::Expr ellipsis() { return {model::Ellipsis{}, {}}; }
inline model::Expr list(std::initializer_list<model::Expr> items) { return {model::List{items}, {}}; }
inline model::Expr braced(std::initializer_list<model::Expr> items) { return {model::Braced{items}, {}}; }
inline model::Expr binary(char op, model::Expr lhs, model::Expr rhs) {
    return {model::Binary{op, std::move(lhs), std::move(rhs)}, {}};
}

}  // namespace pktdrill::test

namespace Catch {

template <>
struct StringMaker<pktdrill::script::Expr> {
    static std::string convert(pktdrill::script::Expr const& e) { return pktdrill::script::render(e); }
};

template <>
struct StringMaker<pktdrill::script::Event> {
    static std::string convert(pktdrill::script::Event const& e) { return pktdrill::script::render(e); }
};

template <>
struct StringMaker<pktdrill::script::Packet> {
    static std::string convert(pktdrill::script::Packet const& p) { return pktdrill::script::render(p); }
};

template <>
struct StringMaker<pktdrill::script::TcpOption> {
    static std::string convert(pktdrill::script::TcpOption const& o) { return pktdrill::script::render(o); }
};

template <>
struct StringMaker<pktdrill::script::TimeSpec> {
    static std::string convert(pktdrill::script::TimeSpec const& t) { return pktdrill::script::render(t); }
};

template <>
struct StringMaker<pktdrill::script::IpInfo> {
    // Appended piece by piece: `"'" + std::string` trips g++ 12's false -Wrestrict (GCC bug 105329).
    static std::string convert(pktdrill::script::IpInfo const& i) {
        std::string out(1, '\'');
        out += pktdrill::script::render(i);
        out += '\'';
        return out;
    }
};

}  // namespace Catch
