#pragma once
// What a suite will run: the scripts found under the PATHs, each under the ip versions asked for
// (or the one its own --ip_version line pins), narrowed by --filter and --shard.

#include <optional>
#include <string>
#include <vector>

#include "src/cli/suite_options.hpp"
#include "src/script/config.hpp"

namespace pktdrill::cli {

struct PlannedRun {
    std::string script;       // the path as discovered (PATH joined with what was found under it)
    std::string directory;    // absolute: the run's working directory, the script's folder
    std::string file_name;    // the script, as the run is given it (relative to `directory`)
    std::string ip_version;   // packetdrill's name
    bool set_ip_version = false;  // give the run --ip_version (not when it runs as the script says)
    std::string skip_reason;      // not empty: listed in the reports, never run
    double estimate_secs = 0;     // the script's scripted time: to start long runs first, ETA, shards

    std::string name() const { return script + " " + ip_version; }
    bool skipped() const { return !skip_reason.empty(); }
};

// "ipv4-mapped-v6" (run_all.py's name) is accepted for packetdrill's "ipv4-mapped-ipv6".
std::optional<std::string> canonical_ip_version(std::string const& name);

// Every script under the PATHs: a file is taken as it is, a folder is searched recursively for
// *.pkt (sorted, so every machine finds the same order). A file reached twice counts once. Throws
// pktdrill::Error for a PATH that does not exist or a folder without scripts.
std::vector<std::string> discover_scripts(std::vector<std::string> const& paths);

// Each script under each version of `ip_versions` (or once, under its own version, when the list
// is empty). A script whose --ip_version line pins a version that is not listed becomes a skipped
// entry. Scripts are read here (not run) for that line and their scripted time.
std::vector<PlannedRun> plan_runs(std::vector<std::string> const& scripts, std::vector<std::string> const& ip_versions,
                                  std::vector<script::OptionValue> const& child_settings);

// The runs whose name `filter` matches (std::regex ECMAScript, searched anywhere in the name).
std::vector<PlannedRun> filter_runs(std::vector<PlannedRun> runs, std::string const& filter);

// Part `shard.index` of `shard.count`: every run lands in exactly one part, the same on every
// machine. Parts are balanced by scripted time (the longest runs first, each to the part with
// the least so far; ties to the lower part), so CI machines finish at about the same time.
std::vector<PlannedRun> shard_runs(std::vector<PlannedRun> const& runs, Shard shard);

}  // namespace pktdrill::cli
