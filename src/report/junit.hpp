#pragma once
// JUnit XML as CI systems read it (Jenkins, GitLab, GitHub actions' reporters): one <testcase>
// per script × ip version, classname = the script's path as discovered, name = the ip version,
// time = the run's seconds. A run that did not pass carries <failure> (or <error> when pktdrill
// could not run the script at all) with the first error, and every run its log in <system-out>.
// Flaky runs are failures whose type says "flaky": JUnit has no flaky state that is not a pass.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "src/report/suite_summary.hpp"

namespace pktdrill::report {

struct JunitInfo {
    std::string suite_name = "pktdrill";
    std::string timestamp;  // ISO 8601, when the suite started
    std::string hostname;
    double wall_seconds = 0;
    double timeout_secs = 0;
};

void write_junit(std::ostream& out, std::vector<SuiteEntry> const& entries, JunitInfo const& info);

// Text made safe for XML 1.0 character data and attribute values: markup escaped, invalid UTF-8
// replaced by U+FFFD, and control characters XML cannot carry (even escaped) shown as "\x07".
// In an attribute value, line breaks and tabs are escaped too (a parser would turn them into spaces).
std::string xml_escape(std::string_view text, bool attribute = true);

}  // namespace pktdrill::report
