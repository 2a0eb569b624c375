// pktdrill's entry point: the one place that catches pktdrill::Error and turns outcomes into exit
// statuses.

#include <iostream>

#include "src/base/error.hpp"
#include "src/cli/command_line.hpp"
#include "src/cli/modes.hpp"

int main(int argc, char** argv) {
    using namespace pktdrill;
    cli::CommandLine command_line;
    if (int const status = cli::parse_command_line(argc, argv, command_line); status >= 0) return status;
    try {
        switch (command_line.mode) {
        case cli::Mode::check: return cli::check_scripts(command_line);
        case cli::Mode::dump: return cli::dump_scripts(command_line);
        case cli::Mode::run: return cli::run_scripts(command_line);
        }
    } catch (Error const& e) {
        std::cerr << "pktdrill: error: " << e.what() << "\n";
        return cli::exit_invalid;
    }
    return cli::exit_invalid;
}
