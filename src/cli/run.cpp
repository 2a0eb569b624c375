// Running scripts: each in a fresh private network namespace (unless --netns=current), one after
// the other, as packetdrill runs several scripts given on one command line. Here the run's
// observers are made from its configuration (--states, --pcap) and its namespace is named
// (--netns-name), because both must happen in the run's namespace and outlive the run.

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include <boost/asio/io_context.hpp>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/base/error.hpp"
#include "src/cli/modes.hpp"
#include "src/net/named_netns.hpp"
#include "src/net/netns.hpp"
#include "src/run/interrupt.hpp"
#include "src/run/pcap_observer.hpp"
#include "src/run/runner.hpp"
#include "src/run/state_observer.hpp"
#include "src/script/build.hpp"

namespace pktdrill::cli {

namespace {

// One capture file per run: FILE itself for a single script; for several, the script's name goes
// before FILE's extension (capture.pcap → capture.closing.pcap), with a number if names repeat.
std::vector<std::string> pcap_paths(std::string const& file, std::vector<grammar::SourceFile> const& files) {
    if (files.size() == 1) return {file};
    std::filesystem::path const base(file);
    std::vector<std::string> out;
    std::set<std::string> used;
    for (std::size_t i = 0; i < files.size(); ++i) {
        std::string name = std::filesystem::path(files[i].path()).stem().string();
        if (!used.insert(name).second) {
            name += '.';
            name += std::to_string(i + 1);
        }
        std::filesystem::path p = base;
        p.replace_filename(base.stem().string() + "." + name + base.extension().string());
        out.push_back(p.string());
    }
    return out;
}

// How to look inside the run's namespace while it runs (--states, -v).
void print_how_to_look(std::ostream& out, std::string const& script, net::NamedNetns const* named) {
    out << script << ": the run's network namespace: look inside with `";
    if (named)
        out << "ip netns exec " << named->name() << " ss -tan";
    else
        out << "nsenter --net=/proc/" << ::getpid() << "/ns/net ss -tan";
    out << "`" << std::endl;
}

}  // namespace

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
        // packetdrill's remote mode is not built yet: running the script locally instead would
        // test another machine than the one asked for.
        if (loaded->config.wire_client || loaded->config.wire_server) {
            std::cerr << file.path()
                      << ": error: remote mode (--wire_client, --wire_server, --wire_server_ip, --wire_server_at) is "
                         "not supported by pktdrill yet; scripts run on this machine only, without these flags\n";
            return exit_invalid;
        }
        scripts.push_back(std::move(*loaded));
    }

    boost::asio::io_context io;
    std::optional<run::Interrupts> interrupts;
    int status = exit_ok;
    for (std::size_t i = 0; i < scripts.size(); ++i) {
        auto const& config = scripts[i].config;
        if (config.netns == script::NetnsMode::private_) {
            // Before the run creates any thread; the namespace dies with the last thing using it.
            net::enter_private_network_namespace();
        }
        // Named from inside, and before any thread exists: the guardian process it forks must
        // find one thread to follow (see named_netns.hpp). Unnamed when this scope ends.
        std::optional<net::NamedNetns> named;
        std::unique_ptr<run::StateObserver> states;
        std::unique_ptr<run::PcapObserver> pcap;
        std::vector<run::RunObserver*> observers;
        try {
            if (config.netns_name) named.emplace(*config.netns_name);
            if (config.states) observers.push_back((states = std::make_unique<run::StateObserver>(std::cout)).get());
            if (config.pcap_file)
                observers.push_back(
                    (pcap = std::make_unique<run::PcapObserver>(pcap_paths(*config.pcap_file, files)[i])).get());
        } catch (Error const& e) {
            std::cerr << files[i].path() << ": error: " << e.what() << "\n";
            status = exit_failed;
            continue;
        }
        if (config.states || config.verbose) print_how_to_look(std::cout, files[i].path(), named ? &*named : nullptr);
        if (!interrupts) interrupts.emplace(io);
        auto const result = run::run_script(files[i], scripts[i], io, *interrupts, std::cout, std::cerr, observers);
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
