#pragma once
// `pktdrill run ...`, `pktdrill lint ...`, `pktdrill record ...`: each subcommand parses its own
// arguments (in its own file) and leaves the work to do in CommandLine::command.

#include <span>
#include <string_view>

#include "src/cli/command_line.hpp"

namespace pktdrill::cli {

struct Subcommand {
    std::string_view name;
    std::string_view summary;  // one line, for `pktdrill --help`
    // argv[0] is the subcommand's name. Returns like parse_command_line: an exit status to end
    // with now, or -1 with out.command set.
    int (*parse)(int argc, char** argv, CommandLine& out);
};

std::span<Subcommand const> subcommands();

}  // namespace pktdrill::cli
