// Running scripts: each in a fresh private network namespace (unless --netns=current), one after
// the other, as packetdrill runs several scripts given on one command line.

#include <iostream>

#include <boost/asio/io_context.hpp>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/base/error.hpp"
#include "src/cli/modes.hpp"
#include "src/net/netns.hpp"
#include "src/run/interrupt.hpp"
#include "src/run/runner.hpp"
#include "src/script/build.hpp"

namespace pktdrill::cli {

int run_scripts(CommandLine const& command_line) {
    // Scripts are checked before anything runs, so a typo in the last one does not cost a run of
    // the first.
    std::vector<grammar::SourceFile> files;
    std::vector<script::LoadedScript> scripts;
    for (auto const& path : command_line.scripts) {
        try {
            files.push_back(grammar::SourceFile::read(path));
        } catch (Error const& e) {
            std::cerr << "pktdrill: error: " << e.what() << "\n";
            return exit_invalid;
        }
    }
    for (auto const& file : files) {
        grammar::Diagnostics diagnostics(file);
        auto loaded = script::load_script(file, diagnostics, command_line.settings);
        diagnostics.print(std::cerr);
        if (!loaded) return exit_invalid;
        scripts.push_back(std::move(*loaded));
    }

    boost::asio::io_context io;
    std::optional<run::Interrupts> interrupts;
    int status = exit_ok;
    for (std::size_t i = 0; i < scripts.size(); ++i) {
        if (scripts[i].config.netns == script::NetnsMode::private_) {
            // Before the run creates any thread; the namespace dies with the last thing using it.
            net::enter_private_network_namespace();
        }
        if (!interrupts) interrupts.emplace(io);
        auto const result = run::run_script(files[i], scripts[i], io, *interrupts, std::cout, std::cerr);
        std::cout.flush();
        switch (result.verdict) {
        case run::RunVerdict::passed: break;
        case run::RunVerdict::failed:
            run::print_failure(std::cerr, files[i], *result.failure);
            status = exit_failed;
            break;
        case run::RunVerdict::interrupted:
            std::cerr << files[i].path() << ": interrupted by signal " << result.signal << "\n";
            return 128 + result.signal;
        }
    }
    return status;
}

}  // namespace pktdrill::cli
