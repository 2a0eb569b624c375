#include "grammar/config.hpp"
#include "grammar/packet_def.hpp"

namespace pktdrill::grammar::parser {

BOOST_SPIRIT_INSTANTIATE(packet_type, iterator_type, context_type)

}  // namespace pktdrill::grammar::parser
