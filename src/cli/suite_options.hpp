#pragma once
// `pktdrill run [options] PATH... [-- ARGS...]`: many scripts as one suite, each run a separate
// pktdrill process in its own network namespace, several at once. What the command line asked for.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "src/cli/command_line.hpp"
#include "src/script/config.hpp"

namespace pktdrill::cli {

// The default -j: the highest parallelism at which the packetdrill corpus kept the verdicts of -j1
// on the project's 2-core VM (docs/suites.md has the measurements). Runs mostly wait on scripted
// time, so it is far above the number of cores.
inline constexpr int default_suite_jobs = 16;

enum class ProgressMode { automatic, live, plain };

struct Shard {
    int index = 1;  // 1-based: --shard 1/4 .. 4/4
    int count = 1;
};

struct SuiteOptions {
    std::vector<std::string> paths;
    std::vector<std::string> child_args;              // after --, passed to every run as given
    std::vector<script::OptionValue> child_settings;  // the same, parsed (to read scripts as runs will)
    int jobs = default_suite_jobs;
    std::vector<std::string> ip_versions;  // packetdrill's names; empty: each script once, as it says
    // --version-args: arguments for the runs of one version only (before ARGS), e.g. the kernel
    // selftests' --mtu=1520 and -D CMSG_LEVEL_IP=SOL_IPV6 for ipv6.
    std::map<std::string, std::vector<std::string>> version_args;
    std::map<std::string, std::vector<script::OptionValue>> version_settings;  // the same, parsed
    double timeout_secs = 120;             // per run; 0: none
    int retries = 0;
    std::optional<Shard> shard;
    std::optional<std::string> filter;
    bool list = false;
    bool tap = false;
    std::string junit_file;
    std::string pcap_dir;
    ProgressMode progress = ProgressMode::automatic;
};

// The subcommand's entry in the table of subcommands.cpp (argv[0] is "run").
int parse_suite_command(int argc, char** argv, CommandLine& out);

// Runs the suite; returns the exit status: 0 only if every run passed.
int run_suite(SuiteOptions const& options);

// The settings a run under `ip_version` gets: that version's --version-args, then ARGS.
std::vector<script::OptionValue> settings_for(SuiteOptions const& options, std::string const& ip_version);

}  // namespace pktdrill::cli
