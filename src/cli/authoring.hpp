#pragma once
// The authoring subcommands: `pktdrill lint` (lint_command.cpp) and `pktdrill record`
// (record_command.cpp). They parse their arguments like every subcommand (subcommands.hpp).

#include "src/cli/command_line.hpp"

namespace pktdrill::cli {

int parse_lint_command(int argc, char** argv, CommandLine& out);
int parse_record_command(int argc, char** argv, CommandLine& out);

}  // namespace pktdrill::cli
