#include "src/base/error.hpp"

#include <cstring>

namespace pktdrill {

void throw_system_error(std::string const& what, int err) {
    throw Error(what + ": " + std::strerror(err));
}

}  // namespace pktdrill
