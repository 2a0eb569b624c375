#pragma once
// What pktdrill does with its scripts: check them, dump them, or run them.

#include "src/cli/command_line.hpp"

namespace pktdrill::cli {

int check_scripts(CommandLine const& command_line);
int dump_scripts(CommandLine const& command_line);
int run_scripts(CommandLine const& command_line);

}  // namespace pktdrill::cli
