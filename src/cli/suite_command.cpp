// `pktdrill run`: discover, plan, run and report a suite.

#include <boost/asio/io_context.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "src/base/error.hpp"
#include "src/cli/suite_options.hpp"
#include "src/cli/suite_plan.hpp"
#include "src/cli/suite_scheduler.hpp"
#include "src/report/junit.hpp"
#include "src/report/ktap.hpp"
#include "src/report/progress.hpp"
#include "src/report/suite_summary.hpp"

namespace pktdrill::cli {

namespace fs = std::filesystem;
using report::Verdict;

namespace {

// The pktdrill that runs the suite runs its scripts too (by its real path: invoked through the
// `packetdrill` link it would fold every failure into exit status 1).
std::string own_binary() {
    std::error_code ec;
    fs::path const self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw Error("pktdrill run: cannot find its own binary (/proc/self/exe): " + ec.message());
    return self.string();
}

std::string iso_timestamp(std::chrono::system_clock::time_point when) {
    std::time_t const t = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    ::localtime_r(&t, &local);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &local);
    return buf;
}

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

// The suite's state for the progress line: counts, and an ETA from scripted times (the share of
// the suite's scripted time done so far, at the pace it took).
report::ProgressState progress_state(std::vector<PlannedRun> const& runs, std::vector<report::SuiteEntry> const& entries,
                                     std::size_t running, double elapsed) {
    report::ProgressState s;
    double work_done = 0, work_left = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        auto const& e = entries[i];
        if (e.verdict == Verdict::skip) continue;
        ++s.total;
        if (e.verdict == Verdict::pending) {
            work_left += runs[i].estimate_secs;
            continue;
        }
        ++s.done;
        work_done += runs[i].estimate_secs;
        if (e.verdict == Verdict::pass) ++s.pass;
        else if (e.verdict == Verdict::flaky) ++s.flaky;
        else ++s.fail;
    }
    s.running = running;
    s.elapsed_secs = elapsed;
    if (s.done == s.total) s.eta_secs = 0;
    else if (work_done > 0 && elapsed > 0) s.eta_secs = work_left / (work_done / elapsed);
    return s;
}

}  // namespace

int run_suite(SuiteOptions const& options) {
    std::vector<PlannedRun> runs;
    std::string binary;
    try {
        binary = own_binary();
        // Scripts are read with the first version's settings: its -D names, as a run will see them.
        runs = plan_runs(discover_scripts(options.paths), options.ip_versions,
                         settings_for(options, options.ip_versions.empty() ? "" : options.ip_versions.front()));
    } catch (Error const& e) {
        std::cerr << e.what() << "\n";
        return exit_invalid;
    }
    if (options.filter) {
        runs = filter_runs(std::move(runs), *options.filter);
        if (runs.empty()) {
            // A typo in a CI job's filter must not look like a green suite.
            std::cerr << "pktdrill run: error: --filter '" << *options.filter << "' matches no run\n";
            return exit_invalid;
        }
    }
    if (options.shard) runs = shard_runs(runs, *options.shard);

    if (options.list) {
        for (auto const& r : runs)
            if (!r.skipped()) std::cout << r.name() << "\n";
        return exit_ok;
    }

    std::vector<report::SuiteEntry> entries(runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i) {
        entries[i].script = runs[i].script;
        entries[i].ip_version = runs[i].ip_version;
        if (runs[i].skipped()) {
            entries[i].verdict = Verdict::skip;
            entries[i].skip_reason = runs[i].skip_reason;
        }
    }

    SchedulerSettings settings;
    settings.binary = binary;
    settings.child_args = options.child_args;
    settings.version_args = options.version_args;
    settings.jobs = options.jobs;
    settings.timeout_secs = options.timeout_secs;
    settings.retries = options.retries;
    if (!options.pcap_dir.empty()) {
        std::error_code ec;
        fs::create_directories(options.pcap_dir, ec);
        if (ec) {
            std::cerr << "pktdrill run: error: --pcap-dir " << options.pcap_dir << ": " << ec.message() << "\n";
            return exit_invalid;
        }
        settings.pcap_dir = fs::absolute(options.pcap_dir).lexically_normal().string();
    }
    // Opened before anything runs: a path that cannot be written fails now, not after the suite.
    std::ofstream junit;
    if (!options.junit_file.empty()) {
        junit.open(options.junit_file, std::ios::binary | std::ios::trunc);
        if (!junit) {
            std::cerr << "pktdrill run: error: --junit: cannot write " << options.junit_file << "\n";
            return exit_invalid;
        }
    }

    using Style = report::Progress::Style;
    Style const style = options.tap                                   ? Style::quiet
                        : options.progress == ProgressMode::live      ? Style::live
                        : options.progress == ProgressMode::plain     ? Style::plain
                        : ::isatty(STDOUT_FILENO)                     ? Style::live
                                                                      : Style::plain;
    winsize size{};
    std::size_t const columns = ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
    report::Progress progress(std::cout, style, columns);
    report::KtapWriter ktap(std::cout);
    std::vector<bool> reported(entries.size(), false);

    auto const counts = report::count(entries);
    if (options.tap) {
        ktap.header(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i)
            if (entries[i].verdict == Verdict::skip) {
                ktap.result(entries[i]);
                reported[i] = true;
            }
    } else {
        std::cout << "pktdrill run: " << counts.runs << " runs";
        if (counts.skip) std::cout << " (and " << counts.skip << " skipped)";
        std::cout << ", " << options.jobs << " at a time\n";
        std::cout.flush();
    }

    auto const start = std::chrono::steady_clock::now();
    auto const started_at = std::chrono::system_clock::now();
    auto const elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    std::size_t running = 0;

    SchedulerEvents events;
    events.finished = [&](std::size_t i) {
        reported[i] = true;
        if (options.tap) ktap.result(entries[i], options.timeout_secs);
        else progress.finished(entries[i], progress_state(runs, entries, running, elapsed()));
    };
    events.retrying = [&](std::size_t i, std::string const& failure) {
        std::string const text = "retry   " + entries[i].name() + " (attempt " + std::to_string(entries[i].attempts) +
                                 " failed on timing: " + failure + ")";
        if (options.tap) ktap.diagnostic(text);
        else progress.message(text);
    };
    if (style == Style::live)
        events.tick = [&] { progress.update(progress_state(runs, entries, running, elapsed())); };

    boost::asio::io_context io;
    int const interrupted_by = run_all(io, runs, entries, settings, events, running);
    double const wall = elapsed();

    report::SummaryInfo info;
    info.wall_seconds = wall;
    info.jobs = options.jobs;
    info.interrupted_by = interrupted_by;
    if (options.tap) {
        for (std::size_t i = 0; i < entries.size(); ++i)
            if (!reported[i]) ktap.result(entries[i], options.timeout_secs);
        std::ostringstream summary;
        report::print_summary(summary, entries, info);
        ktap.diagnostic(summary.str().substr(1));  // without the blank line that opens it
        ktap.totals(entries);
    } else {
        progress.clear();
        report::print_summary(std::cout, entries, info);
    }

    if (junit.is_open()) {
        report::JunitInfo junit_info;
        junit_info.timestamp = iso_timestamp(started_at);
        junit_info.hostname = host_name();
        junit_info.wall_seconds = wall;
        junit_info.timeout_secs = options.timeout_secs;
        report::write_junit(junit, entries, junit_info);
        junit.close();
        if (!junit) std::cerr << "pktdrill run: error: --junit: writing " << options.junit_file << " failed\n";
    }

    if (interrupted_by != 0) return 128 + interrupted_by;
    return report::count(entries).all_passed() ? exit_ok : exit_failed;
}

}  // namespace pktdrill::cli
