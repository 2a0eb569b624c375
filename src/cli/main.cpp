// pktdrill's entry point: the one place that catches pktdrill::Error and turns outcomes into exit
// statuses.
//
// Invoked as `packetdrill` (through the symlink the build and `make install` create), pktdrill is
// a drop-in replacement: packetdrill's exit statuses, 0 for success and 1 for any failure, so
// runners written for packetdrill (the kernel's ksft_runner.sh, run_all.py) read it unchanged.

#include <filesystem>
#include <iostream>

#include "src/base/error.hpp"
#include "src/cli/command_line.hpp"
#include "src/cli/modes.hpp"

namespace {

int run(int argc, char** argv) {
    using namespace pktdrill;
    cli::CommandLine command_line;
    if (int const status = cli::parse_command_line(argc, argv, command_line); status >= 0) return status;
    try {
        if (command_line.command) return command_line.command();
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

}  // namespace

int main(int argc, char** argv) {
    int const status = run(argc, argv);
    bool const as_packetdrill = argc > 0 && std::filesystem::path(argv[0]).filename() == "packetdrill";
    return as_packetdrill && status != 0 ? 1 : status;
}
