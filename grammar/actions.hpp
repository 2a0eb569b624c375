#pragma once
// Semantic-action helpers shared by the rule groups. The rules build their nodes explicitly
// (rather than through Fusion adaptation): explicit is easier to read next to the grammar and
// sidesteps X3's attribute-collapsing rules for optional and single-member sequences.

#include <type_traits>
#include <utility>

#include <boost/spirit/home/x3.hpp>

#include "grammar/ast.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;

// _val = _attr
inline auto const assign = [](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); };

// _val.*Member = _attr
template <auto Member>
inline auto const set = [](auto& ctx) { x3::_val(ctx).*Member = std::move(x3::_attr(ctx)); };

// (_val.*Member).push_back(_attr)
template <auto Member>
inline auto const push = [](auto& ctx) { (x3::_val(ctx).*Member).push_back(std::move(x3::_attr(ctx))); };

// _val.*Member = value
template <auto Member, typename Value>
auto constant(Value value) {
    return [value](auto& ctx) { x3::_val(ctx).*Member = value; };
}

// The byte range a node was parsed from, whatever alternative an expression holds.
inline ast::located const& where(ast::expression const& e) {
    return boost::apply_visitor(
        [](auto const& node) -> ast::located const& {
            using Node = std::decay_t<decltype(node)>;
            if constexpr (std::is_base_of_v<ast::located, Node>) return node;
            else return node.get();
        },
        e.get());
}

}  // namespace pktdrill::grammar::parser
