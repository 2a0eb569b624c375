#pragma once
// Internal to src/script: the state shared by the parts of the AST -> model conversion
// (build.cpp for statements and times, build_packet.cpp, build_expression.cpp).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "grammar/ast.hpp"
#include "grammar/diagnostics.hpp"
#include "src/script/config.hpp"
#include "src/script/model.hpp"

namespace pktdrill::script::detail {

namespace ast = grammar::ast;

class Builder {
public:
    Builder(grammar::Diagnostics& diagnostics, Config const& config) : diag_(diagnostics), config_(config) {}

    grammar::Diagnostics& diagnostics() { return diag_; }
    Config const& config() const { return config_; }

    SourceLocation location(ast::located const& node) const {
        return diag_.file().location(node.begin);
    }

    // Reports an error underlining `node`; the conversion goes on so later errors show too.
    void error(ast::located const& node, std::string message) {
        diag_.error(node.begin, std::move(message), node.end > node.begin ? node.end - node.begin : 0);
    }

    // An integer literal in [min, max]; reports `what` out of range otherwise.
    std::optional<std::int64_t> integer(ast::number const& n, std::int64_t min, std::int64_t max,
                                        std::string const& out_of_range);
    // An unsigned literal of `bits` bits.
    template <typename T>
    std::optional<T> unsigned_value(ast::number const& n, std::string const& out_of_range) {
        auto v = integer(n, 0, static_cast<std::int64_t>(std::numeric_limits<T>::max()), out_of_range);
        if (!v) return std::nullopt;
        return static_cast<T>(*v);
    }
    // A time in seconds (decimal, with fraction), converted exactly to microseconds.
    std::optional<Micros> seconds(ast::number const& n);

    Packet packet(ast::packet const& p);
    Expr expression(ast::expression const& e);

private:
    IpInfo ip_info(ast::ip_info const& info, bool outbound);
    TcpSegment tcp(ast::tcp_segment const& s, Direction direction);
    UdpDatagram udp(ast::udp_datagram const& u);
    IcmpMessage icmp(ast::icmp_message const& m);
    std::optional<Ports> ports(ast::port_pair const& p);
    std::optional<TcpOption> tcp_option(ast::tcp_option const& o);
    GreHeader gre(ast::gre_header const& g);
    MplsEntry mpls(ast::mpls_entry const& m);
    ExprValue braces(ast::list_expr const& list, SourceLocation where);
    ExprValue call(ast::call const& c);

    grammar::Diagnostics& diag_;
    Config const& config_;
};

}  // namespace pktdrill::script::detail
