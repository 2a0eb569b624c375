#include "grammar/config.hpp"
#include "grammar/statement_def.hpp"

namespace pktdrill::grammar::parser {

BOOST_SPIRIT_INSTANTIATE(statement_type, iterator_type, context_type)

}  // namespace pktdrill::grammar::parser
