#pragma once
// The outcome of a suite (`pktdrill run`): one entry per script × ip version, what each run said,
// and the summary printed at the end. The KTAP, JUnit and progress writers read the same entries.

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pktdrill::report {

enum class Verdict {
    pending,      // not finished: not started yet, or never (the suite was interrupted first)
    pass,
    fail,         // the script failed (pktdrill exited 1)
    flaky,        // failed only on timing, then passed on a retry: reported, never a pass
    timeout,      // still running after --timeout
    error,        // invalid script, or pktdrill ended some other way (a signal, an odd status)
    skip,         // not run: pinned by its own --ip_version line to a version not asked for
    interrupted,  // cut short by Ctrl-C
};

// "pass", "fail", ...: the word the plain progress lines and the summary use.
char const* verdict_word(Verdict verdict);

struct SuiteEntry {
    std::string script;      // the path as discovered (PATH joined with what was found under it)
    std::string ip_version;  // packetdrill's name: ipv4, ipv4-mapped-ipv6, ipv6
    std::string skip_reason;
    Verdict verdict = Verdict::pending;
    double seconds = 0;      // wall time of the last attempt
    int attempts = 0;
    int exit_status = -1;    // of the last attempt; 128 + signal when a signal ended it
    std::string location;    // "path:line:col" of the first error the last attempt printed
    std::string message;     // that error's message, or what went wrong ("timed out after 5 s")
    std::string detail;      // that error as pktdrill printed it: its line, the source line, the
                             // caret, the packets (the path as discovered)
    std::string first_failure;  // flaky runs: the timing failure that was retried
    std::string log;         // what every attempt printed (stdout and stderr, as they came)

    // "SCRIPT VERSION": what --list prints, --filter searches and the reports name.
    std::string name() const { return script + " " + ip_version; }
    // "path:line:col: message", or the message alone when there is no location.
    std::string failure_text() const;
};

struct SuiteTotals {
    std::size_t runs = 0;  // entries that are not skipped
    std::size_t pass = 0, fail = 0, flaky = 0, timeout = 0, error = 0, skip = 0, interrupted = 0, pending = 0;

    std::size_t done() const { return pass + fail + flaky + timeout + error + interrupted; }
    // Every run passed (skipped entries do not count against it; pending ones do).
    bool all_passed() const { return pass == runs; }
};

SuiteTotals count(std::vector<SuiteEntry> const& entries);

struct SummaryInfo {
    double wall_seconds = 0;
    int jobs = 1;
    int interrupted_by = 0;    // the signal that stopped the suite, 0 if it ran to the end
    std::size_t slowest = 5;   // how many of the slowest runs to list
};

// One line for a finished run: "fail  3.21 s  tcp/x.pkt ipv4  tcp/x.pkt:12:3: error: ...".
std::string result_line(SuiteEntry const& entry);

// The closing summary: counts and wall time, every run that did not pass with its first error,
// the flaky ones with the failure that was retried, and the slowest runs.
void print_summary(std::ostream& out, std::vector<SuiteEntry> const& entries, SummaryInfo const& info);

// Seconds as the reports show them: "0.42 s", "12.3 s", "1 min 05 s".
std::string format_seconds(double seconds);

}  // namespace pktdrill::report
