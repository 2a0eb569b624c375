#pragma once
// Reading what one pktdrill process of a suite did: its verdict, its first error (file:line and
// message, with the path as the suite discovered it) and whether it failed only on timing (which
// --retries may retry).

#include <string>

#include "src/cli/suite_plan.hpp"
#include "src/report/suite_summary.hpp"

namespace pktdrill::cli {

// How one attempt ended, as the scheduler saw it.
struct AttemptEnd {
    bool exited = false;     // exited with `status`; otherwise a signal ended it
    int status = 0;          // exit code, or the signal
    bool timed_out = false;  // the suite stopped it after --timeout
    bool interrupted = false;  // the suite forwarded a Ctrl-C to it
    bool not_started = false;  // it could not be started: `start_error` says why
    std::string start_error;
};

struct AttemptOutcome {
    report::Verdict verdict = report::Verdict::error;  // pass, fail, timeout, error or interrupted
    int exit_status = -1;                              // 128 + signal for a signal
    bool timing_only = false;  // failed, and every error it printed is a timing error
    std::string location;      // "path:line:col" of its first error
    std::string message;
    std::string detail;        // the first error's block as printed, path replaced
};

// `log` is what the attempt printed (stdout and stderr together).
AttemptOutcome judge_attempt(PlannedRun const& run, AttemptEnd const& end, std::string const& log,
                             double timeout_secs);

}  // namespace pktdrill::cli
