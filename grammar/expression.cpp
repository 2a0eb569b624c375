#include "grammar/config.hpp"
#include "grammar/expression_def.hpp"

namespace pktdrill::grammar::parser {

BOOST_SPIRIT_INSTANTIATE(expression_type, iterator_type, context_type)
BOOST_SPIRIT_INSTANTIATE(gre_header_type, iterator_type, context_type)
BOOST_SPIRIT_INSTANTIATE(mpls_entry_type, iterator_type, context_type)

}  // namespace pktdrill::grammar::parser
