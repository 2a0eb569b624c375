#pragma once
// What a suite shows while it runs. On a terminal, one live line, redrawn in place:
//
//   [ 212/481] pass 150  fail 58  flaky 1  running 16 | 0:21 elapsed, ETA 0:27
//
// with every run that does not pass printed above it as it finishes. Anywhere else (a CI log, a
// pipe) one plain line per finished run, which never needs a terminal to read.

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

#include "src/report/suite_summary.hpp"

namespace pktdrill::report {

struct ProgressState {
    std::size_t total = 0;  // runs, skipped ones excluded
    std::size_t done = 0;
    std::size_t pass = 0, fail = 0, flaky = 0;  // fail: every finished run that is neither
    std::size_t running = 0;
    double elapsed_secs = 0;
    double eta_secs = -1;  // < 0: not known yet
};

// "[ 212/481] pass 150  fail 58  flaky 1  running 16 | 0:21 elapsed, ETA 0:27"
std::string progress_line(ProgressState const& state);

// "m:ss", or "h:mm:ss" from an hour on.
std::string clock_text(double seconds);

class Progress {
public:
    enum class Style {
        live,   // the redrawn line (a terminal)
        plain,  // a line per finished run
        quiet,  // nothing (KTAP owns the output)
    };
    // `width`: the terminal's columns; the live line is cut to fit (a wrapped line could not be
    // redrawn in place). 0: no limit.
    Progress(std::ostream& out, Style style, std::size_t width = 0) : out_(out), style_(style), width_(width) {}
    Progress(Progress const&) = delete;
    Progress& operator=(Progress const&) = delete;
    ~Progress() { clear(); }

    Style style() const noexcept { return style_; }
    // A run finished: its line (plain), or the line above the live one when it did not pass.
    void finished(SuiteEntry const& entry, ProgressState const& state);
    // Redraws the live line (a timer calls it a few times a second).
    void update(ProgressState const& state);
    // Prints text above the live line (or as plain lines).
    void message(std::string const& text);
    // Erases the live line, before the summary.
    void clear();

private:
    void draw(ProgressState const& state);

    std::ostream& out_;
    Style style_;
    std::size_t width_;
    bool drawn_ = false;
    std::string last_;  // what the live line shows now
};

}  // namespace pktdrill::report
