#include "src/report/junit.hpp"

#include <cstdio>

namespace pktdrill::report {

namespace {

// Length of the valid UTF-8 sequence at text[i] that encodes a character XML allows, or 0.
std::size_t valid_xml_char(std::string_view text, std::size_t i) {
    auto const byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char const lead = byte(i);
    std::size_t length;
    char32_t c;
    if (lead < 0x80) return lead >= 0x20 || lead == '\t' || lead == '\n' || lead == '\r' ? 1 : 0;
    if ((lead & 0xE0) == 0xC0) length = 2, c = lead & 0x1F;
    else if ((lead & 0xF0) == 0xE0) length = 3, c = lead & 0x0F;
    else if ((lead & 0xF8) == 0xF0) length = 4, c = lead & 0x07;
    else return 0;
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        c = (c << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < smallest[length]) return 0;  // overlong
    if ((c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF || c > 0x10FFFF) return 0;
    return length;
}

double rounded(double seconds) { return seconds < 0 ? 0 : seconds; }

std::string seconds_attr(double seconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", rounded(seconds));
    return buf;
}

}  // namespace

std::string xml_escape(std::string_view text, bool attribute) {
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (std::size_t i = 0; i < text.size();) {
        std::size_t const n = valid_xml_char(text, i);
        if (n == 0) {
            unsigned char const b = static_cast<unsigned char>(text[i]);
            if (b < 0x80) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", b);
                out += buf;
            } else {
                out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
            }
            ++i;
            continue;
        }
        if (n == 1) {
            switch (text[i]) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            // A parser normalises these to spaces in an attribute value, and a carriage return to
            // a line feed anywhere: references keep them as they were.
            case '\n': out += attribute ? "&#10;" : "\n"; break;
            case '\t': out += attribute ? "&#9;" : "\t"; break;
            case '\r': out += "&#13;"; break;
            default: out += text[i]; break;
            }
        } else {
            out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

void write_junit(std::ostream& out, std::vector<SuiteEntry> const& entries, JunitInfo const& info) {
    auto const t = count(entries);
    std::size_t const failures = t.fail + t.flaky + t.timeout;
    std::size_t const errors = t.error + t.interrupted;
    std::size_t const skipped = t.skip + t.pending;
    std::string const totals = " tests=\"" + std::to_string(entries.size()) + "\" failures=\"" +
                               std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
                               "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
                               seconds_attr(info.wall_seconds) + "\"";
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<testsuites name=\"" << xml_escape(info.suite_name) << "\"" << totals << ">\n";
    out << "  <testsuite name=\"" << xml_escape(info.suite_name) << "\"" << totals;
    if (!info.timestamp.empty()) out << " timestamp=\"" << xml_escape(info.timestamp) << "\"";
    if (!info.hostname.empty()) out << " hostname=\"" << xml_escape(info.hostname) << "\"";
    out << ">\n";
    for (auto const& e : entries) {
        out << "    <testcase classname=\"" << xml_escape(e.script) << "\" name=\"" << xml_escape(e.ip_version)
            << "\" time=\"" << seconds_attr(e.seconds) << "\"";
        auto const body = [&](char const* element, std::string const& type, std::string const& message,
                              std::string const& text) {
            out << "      <" << element << " type=\"" << xml_escape(type) << "\" message=\"" << xml_escape(message)
                << "\">" << xml_escape(text, false) << "</" << element << ">\n";
        };
        std::string const detail = e.detail.empty() ? e.failure_text() : e.detail;
        switch (e.verdict) {
        case Verdict::pass: out << ">\n"; break;
        case Verdict::skip:
            out << ">\n      <skipped message=\"" << xml_escape(e.skip_reason) << "\"/>\n";
            break;
        case Verdict::pending:
            out << ">\n      <skipped message=\"not run: the suite was interrupted\"/>\n";
            break;
        case Verdict::fail:
            out << ">\n";
            body("failure", "fail", e.failure_text(), detail);
            break;
        case Verdict::flaky:
            out << ">\n";
            body("failure", "flaky",
                 "flaky: failed on timing, then passed on attempt " + std::to_string(e.attempts) + ": " +
                     e.first_failure,
                 e.first_failure);
            break;
        case Verdict::timeout:
            out << ">\n";
            body("failure", "timeout", e.failure_text(), detail);
            break;
        case Verdict::error:
            out << ">\n";
            body("error", "error", e.failure_text(), detail);
            break;
        case Verdict::interrupted:
            out << ">\n";
            body("error", "interrupted", e.failure_text(), detail);
            break;
        }
        if (!e.log.empty()) out << "      <system-out>" << xml_escape(e.log, false) << "</system-out>\n";
        out << "    </testcase>\n";
    }
    out << "  </testsuite>\n</testsuites>\n";
    out.flush();
}

}  // namespace pktdrill::report
