// Running scripts against the kernel (issue 3 fills this in).

#include <iostream>

#include "src/cli/modes.hpp"

namespace pktdrill::cli {

int run_scripts(CommandLine const&) {
    std::cerr << "pktdrill: error: running scripts is not available in this build yet; use --check or --dump\n";
    return exit_invalid;
}

}  // namespace pktdrill::cli
