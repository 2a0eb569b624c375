#include "src/report/suite_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pktdrill::report {

char const* verdict_word(Verdict verdict) {
    switch (verdict) {
    case Verdict::pending: return "pending";
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::flaky: return "flaky";
    case Verdict::timeout: return "timeout";
    case Verdict::error: return "error";
    case Verdict::skip: return "skip";
    case Verdict::interrupted: return "interrupted";
    }
    return "?";
}

std::string SuiteEntry::failure_text() const {
    if (location.empty()) return message;
    return location + ": " + message;
}

SuiteTotals count(std::vector<SuiteEntry> const& entries) {
    SuiteTotals t;
    for (auto const& e : entries) {
        if (e.verdict != Verdict::skip) ++t.runs;
        switch (e.verdict) {
        case Verdict::pending: ++t.pending; break;
        case Verdict::pass: ++t.pass; break;
        case Verdict::fail: ++t.fail; break;
        case Verdict::flaky: ++t.flaky; break;
        case Verdict::timeout: ++t.timeout; break;
        case Verdict::error: ++t.error; break;
        case Verdict::skip: ++t.skip; break;
        case Verdict::interrupted: ++t.interrupted; break;
        }
    }
    return t;
}

std::string format_seconds(double seconds) {
    char buf[64];
    if (seconds < 10) std::snprintf(buf, sizeof buf, "%.2f s", seconds);
    else if (seconds < 100) std::snprintf(buf, sizeof buf, "%.1f s", seconds);
    else {
        auto const whole = static_cast<long>(std::lround(seconds));
        std::snprintf(buf, sizeof buf, "%ld min %02ld s", whole / 60, whole % 60);
    }
    return buf;
}

std::string result_line(SuiteEntry const& entry) {
    char head[48];
    std::snprintf(head, sizeof head, "%-7s %10s  ", verdict_word(entry.verdict),
                  entry.verdict == Verdict::skip || entry.verdict == Verdict::pending
                      ? ""
                      : format_seconds(entry.seconds).c_str());
    std::string line = head + entry.name();
    switch (entry.verdict) {
    case Verdict::pass:
    case Verdict::pending: break;
    case Verdict::skip: line += "  (" + entry.skip_reason + ")"; break;
    case Verdict::flaky:
        line += "  passed on attempt " + std::to_string(entry.attempts) + " after: " + entry.first_failure;
        break;
    default:
        if (std::string const text = entry.failure_text(); !text.empty()) line += "  " + text;
        break;
    }
    return line;
}

void print_summary(std::ostream& out, std::vector<SuiteEntry> const& entries, SummaryInfo const& info) {
    auto const t = count(entries);
    out << "\n";
    if (info.interrupted_by != 0)
        out << "Interrupted by signal " << info.interrupted_by << ": " << t.done() - t.interrupted << " of "
            << t.runs << " runs finished.\n";

    std::vector<SuiteEntry const*> bad, flaky;
    for (auto const& e : entries) {
        if (e.verdict == Verdict::fail || e.verdict == Verdict::timeout || e.verdict == Verdict::error)
            bad.push_back(&e);
        else if (e.verdict == Verdict::flaky)
            flaky.push_back(&e);
    }
    if (!bad.empty()) {
        out << "Failed runs (" << bad.size() << "):\n";
        for (auto const* e : bad) {
            out << "  " << e->name() << "\n";
            if (std::string const text = e->failure_text(); !text.empty()) out << "    " << text << "\n";
        }
    }
    if (!flaky.empty()) {
        out << "Flaky runs (" << flaky.size() << "): failed on timing, then passed on a retry; not counted as passes\n";
        for (auto const* e : flaky)
            out << "  " << e->name() << " (passed on attempt " << e->attempts << ")\n    " << e->first_failure << "\n";
    }

    std::vector<SuiteEntry const*> finished;
    for (auto const& e : entries)
        if (e.verdict != Verdict::skip && e.verdict != Verdict::pending && e.verdict != Verdict::interrupted)
            finished.push_back(&e);
    std::stable_sort(finished.begin(), finished.end(),
                     [](SuiteEntry const* a, SuiteEntry const* b) { return a->seconds > b->seconds; });
    if (finished.size() > info.slowest) finished.resize(info.slowest);
    if (!finished.empty()) {
        out << "Slowest runs:\n";
        for (auto const* e : finished) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "  %10s  ", format_seconds(e->seconds).c_str());
            out << buf << e->name() << "\n";
        }
    }

    out << t.runs << " runs: " << t.pass << " passed, " << t.fail << " failed, " << t.flaky << " flaky, "
        << t.timeout << " timed out, " << t.error << " errors";
    if (t.skip) out << ", " << t.skip << " skipped";
    if (t.interrupted) out << ", " << t.interrupted << " interrupted";
    if (t.pending) out << ", " << t.pending << " not run";
    out << " in " << format_seconds(info.wall_seconds) << " (-j " << info.jobs << ")\n";
    out.flush();
}

}  // namespace pktdrill::report
