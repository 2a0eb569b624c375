#include "grammar/config.hpp"
#include "grammar/tcp_option_def.hpp"

namespace pktdrill::grammar::parser {

BOOST_SPIRIT_INSTANTIATE(tcp_options_type, iterator_type, context_type)

}  // namespace pktdrill::grammar::parser
