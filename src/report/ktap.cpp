#include "src/report/ktap.hpp"

#include <cmath>
#include <sstream>

namespace pktdrill::report {

namespace {

// A description or directive text on one line, without the '#' that would start a directive.
std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
        else if (c == '#') c = '_';
    return text;
}

std::string explanation(SuiteEntry const& entry) {
    return entry.detail.empty() ? entry.failure_text() : entry.detail;
}

}  // namespace

void KtapWriter::header(std::size_t planned) {
    out_ << "TAP version 13\n1.." << planned << "\n";
    out_.flush();
}

void KtapWriter::diagnostic(std::string const& text) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) out_ << (line.empty() ? "#" : "# " + line) << "\n";
}

void KtapWriter::result(SuiteEntry const& entry, double timeout_secs) {
    ++number_;
    std::string const description = one_line(entry.name());
    switch (entry.verdict) {
    case Verdict::pass: out_ << "ok " << number_ << " " << description << "\n"; break;
    case Verdict::skip:
        out_ << "ok " << number_ << " " << description << " # SKIP " << one_line(entry.skip_reason) << "\n";
        break;
    case Verdict::pending:
        out_ << "ok " << number_ << " " << description << " # SKIP not run: the suite was interrupted\n";
        break;
    case Verdict::flaky:
        diagnostic("flaky: failed on timing, then passed on attempt " + std::to_string(entry.attempts) +
                   "; not counted as a pass");
        diagnostic(entry.first_failure);
        out_ << "not ok " << number_ << " " << description << "\n";
        break;
    case Verdict::timeout:
        diagnostic(explanation(entry));
        out_ << "not ok " << number_ << " " << description << " # TIMEOUT "
             << static_cast<long>(std::lround(timeout_secs)) << " seconds\n";
        break;
    case Verdict::fail:
        diagnostic(explanation(entry));
        out_ << "not ok " << number_ << " " << description << "\n";
        break;
    case Verdict::error:
    case Verdict::interrupted:
        diagnostic(explanation(entry));
        out_ << "not ok " << number_ << " " << description << " # ERROR "
             << (entry.verdict == Verdict::interrupted ? "interrupted" : "pktdrill could not run the script") << "\n";
        break;
    }
    out_.flush();
}

void KtapWriter::totals(std::vector<SuiteEntry> const& entries) {
    auto const t = count(entries);
    out_ << "# Totals: pass:" << t.pass << " fail:" << t.fail + t.flaky + t.timeout << " xfail:0 xpass:0 skip:"
         << t.skip + t.pending << " error:" << t.error + t.interrupted << "\n";
    out_.flush();
}

}  // namespace pktdrill::report
