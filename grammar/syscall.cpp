#include "grammar/config.hpp"
#include "grammar/syscall_def.hpp"

namespace pktdrill::grammar::parser {

BOOST_SPIRIT_INSTANTIATE(syscall_type, iterator_type, context_type)

}  // namespace pktdrill::grammar::parser
