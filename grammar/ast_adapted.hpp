#pragma once
// Fusion adaptations, apart from ast.hpp so that code walking the tree does not pay for Fusion.
// Only nodes whose rules rely on X3's automatic attribute propagation are adapted.

#include <boost/fusion/include/adapt_struct.hpp>

#include "grammar/ast.hpp"

BOOST_FUSION_ADAPT_STRUCT(pktdrill::grammar::ast::port_pair, src, dst)
BOOST_FUSION_ADAPT_STRUCT(pktdrill::grammar::ast::seq_range, start, stop, length)
BOOST_FUSION_ADAPT_STRUCT(pktdrill::grammar::ast::mpls_entry, label, traffic_class, bottom_of_stack, ttl)
BOOST_FUSION_ADAPT_STRUCT(pktdrill::grammar::ast::time_point, relative, value)
