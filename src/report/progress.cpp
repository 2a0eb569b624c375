#include "src/report/progress.hpp"

#include <cmath>
#include <cstdio>

namespace pktdrill::report {

namespace {

// Back to the start of the line and erase it (VT100, which every terminal emulator speaks).
constexpr char erase_line[] = "\r\033[K";

}  // namespace

std::string clock_text(double seconds) {
    auto const s = static_cast<long>(std::lround(seconds < 0 ? 0 : seconds));
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

std::string progress_line(ProgressState const& state) {
    int const width = static_cast<int>(std::to_string(state.total).size());
    char buf[160];
    std::snprintf(buf, sizeof buf, "[%*zu/%zu] pass %zu  fail %zu  flaky %zu  running %zu | %s elapsed, ETA %s", width,
                  state.done, state.total, state.pass, state.fail, state.flaky, state.running,
                  clock_text(state.elapsed_secs).c_str(),
                  state.eta_secs < 0 ? "?" : clock_text(state.eta_secs).c_str());
    return buf;
}

void Progress::draw(ProgressState const& state) {
    std::string line = progress_line(state);
    if (width_ > 1 && line.size() > width_ - 1) line.resize(width_ - 1);
    if (drawn_ && line == last_) return;
    out_ << erase_line << line;
    out_.flush();
    drawn_ = true;
    last_ = line;
}

void Progress::clear() {
    if (style_ != Style::live || !drawn_) return;
    out_ << erase_line;
    out_.flush();
    drawn_ = false;
}

void Progress::message(std::string const& text) {
    if (style_ == Style::quiet) return;
    bool const redraw = drawn_;
    clear();
    out_ << text << "\n";
    if (redraw) {
        out_ << last_;
        drawn_ = true;
    }
    out_.flush();
}

void Progress::finished(SuiteEntry const& entry, ProgressState const& state) {
    switch (style_) {
    case Style::quiet: return;
    case Style::plain:
        out_ << result_line(entry) << "\n";
        out_.flush();
        return;
    case Style::live:
        if (entry.verdict != Verdict::pass) {
            clear();
            out_ << result_line(entry) << "\n";
        }
        draw(state);
        return;
    }
}

void Progress::update(ProgressState const& state) {
    if (style_ == Style::live) draw(state);
}

}  // namespace pktdrill::report
