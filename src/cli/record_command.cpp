// `pktdrill record [packetdrill flags] SCRIPT [-o OUT]`: runs the script against the kernel, `>`
// lines never failing, and writes the script again with its `>` lines as the kernel's packets say
// (src/lint/record.hpp has the rules). Someone writes the inbound packets and the system calls of
// a test; record fills in the kernel's side.

#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "grammar/diagnostics.hpp"
#include "src/base/error.hpp"
#include "src/cli/authoring.hpp"
#include "src/lint/record.hpp"
#include "src/net/netns.hpp"
#include "src/run/interrupt.hpp"
#include "src/run/runner.hpp"

namespace pktdrill::cli {

namespace {

int record(std::string const& path, std::string const& output, std::vector<script::OptionValue> const& settings) {
    std::optional<grammar::SourceFile> file;
    try {
        file.emplace(grammar::SourceFile::read(path));
    } catch (Error const& e) {
        std::cerr << "pktdrill: error: " << e.what() << "\n";
        return exit_invalid;
    }
    grammar::Diagnostics diagnostics(*file);
    auto script = lint::load_with_text(*file, diagnostics, settings);
    diagnostics.print(std::cerr);
    if (!script) return exit_invalid;
    if (script->events.size() != script->loaded.script.events.size()) {
        std::cerr << "pktdrill record: error: " << path << ": cannot locate the script's lines\n";
        return exit_invalid;
    }

    if (script->loaded.config.netns == script::NetnsMode::private_) net::enter_private_network_namespace();
    boost::asio::io_context io;
    run::Interrupts interrupts(io);
    run::Recording recording;
    // The recorded script may go to standard output: --verbose goes to standard error then.
    std::ostream& verbose = output.empty() ? std::cerr : std::cout;
    auto const result = run::run_script(*file, script->loaded, io, interrupts, verbose, std::cerr, {}, &recording);
    switch (result.verdict) {
    case run::RunVerdict::passed: break;
    case run::RunVerdict::failed:
        run::print_failure(std::cerr, *file, *result.failure);
        std::cerr << "pktdrill record: " << path << ": the run failed, nothing was written\n";
        return exit_failed;
    case run::RunVerdict::interrupted:
        std::cerr << path << ": interrupted by signal " << result.signal << "\n";
        return 128 + result.signal;
    }

    lint::RecordSummary summary;
    std::string const text = lint::recorded_script(*script, recording, summary);
    if (output.empty()) {
        std::cout << text << std::flush;
    } else {
        std::ofstream out(output, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) {
            std::cerr << "pktdrill: error: cannot write " << output << "\n";
            return exit_invalid;
        }
    }
    std::cerr << "pktdrill record: " << path << ": " << summary.kept << " `>` lines kept, " << summary.rewritten
              << " rewritten, " << summary.inserted << " added, " << summary.not_sent
              << " commented out (the kernel sent no such packet)\n";
    return exit_ok;
}

}  // namespace

int parse_record_command(int argc, char** argv, CommandLine& out) {
    CLI::App app{"pktdrill record: run a script against the kernel and write it again with its `>` lines as the "
                 "kernel sent them: lines that hold are kept, others rewritten, packets the script does not "
                 "mention added where they came; every other line is kept byte for byte.",
                 "pktdrill record"};
    app.allow_windows_style_options(false);
    std::string script, output;
    add_packetdrill_options(app, out.settings);
    app.add_option("script", script, "the packetdrill script (.pkt)")->type_name("SCRIPT")->required();
    app.add_option("-o,--output", output, "write the recorded script here (may be SCRIPT itself); default: standard output")
        ->type_name("OUT");
    if (auto const status = parse_or_exit(app, argc, argv)) return *status;
    if (!validate_settings(out.settings)) return exit_invalid;
    out.command = [script, output, settings = out.settings] { return record(script, output, settings); };
    return -1;
}

}  // namespace pktdrill::cli
