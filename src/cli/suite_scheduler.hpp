#pragma once
// The scheduler of a suite: up to -j pktdrill processes at once, each one run of one script in
// its own network namespace (pktdrill makes it), watched from one Boost.Asio event loop: their
// exits, their output, --timeout, the progress timer and Ctrl-C.

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "src/cli/suite_plan.hpp"
#include "src/report/suite_summary.hpp"

namespace pktdrill::cli {

struct SchedulerSettings {
    std::string binary;                   // the pktdrill to run (absolute)
    std::vector<std::string> child_args;  // after -- on the suite's command line
    std::map<std::string, std::vector<std::string>> version_args;  // --version-args, by version
    int jobs = 1;
    double timeout_secs = 0;  // 0: none
    int retries = 0;
    std::string pcap_dir;     // absolute; empty: no captures
};

// What the scheduler tells its caller, on the event loop's thread.
struct SchedulerEvents {
    std::function<void(std::size_t run)> finished;                                     // entry is final
    std::function<void(std::size_t run, std::string const& failure)> retrying;        // failed on timing
    std::function<void()> tick;  // a few times a second while runs go on (progress line)
};

// The command line one run is started with (argv, without the binary): also what its log shows.
std::vector<std::string> run_arguments(PlannedRun const& run, SchedulerSettings const& settings);

// The file --pcap-dir gives a run: its path as discovered, '/' made '_', then ".VERSION.pcap".
std::string pcap_file_name(PlannedRun const& run);

// Runs every run of `runs` that is not skipped, longest scripted time first, filling `entries`
// (same indices; skipped runs are left as the caller made them). Returns 0 when all ran, or the
// signal (SIGINT, SIGTERM) that stopped the suite: then every run that was going on has been
// told to stop and waited for, and runs that had not started are left pending.
int run_all(boost::asio::io_context& io, std::vector<PlannedRun> const& runs, std::vector<report::SuiteEntry>& entries,
            SchedulerSettings const& settings, SchedulerEvents const& events, std::size_t& running_now);

}  // namespace pktdrill::cli
