#pragma once
// KTAP as the kernel's selftests print it (tools/testing/selftests/kselftest/ktap_helpers.sh):
//
//   TAP version 13
//   1..N
//   # <diagnostic lines of a run>
//   ok 1 <description>
//   not ok 2 <description>
//   ok 3 <description> # SKIP <reason>
//   not ok 4 <description> # TIMEOUT 120 seconds
//   # Totals: pass:1 fail:2 xfail:0 xpass:0 skip:1 error:0
//
// Results are streamed as runs finish, numbered in that order. The description is the run's
// "SCRIPT VERSION" (with '#' replaced, which would start a directive).

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "src/report/suite_summary.hpp"

namespace pktdrill::report {

class KtapWriter {
public:
    explicit KtapWriter(std::ostream& out) : out_(out) {}

    // The version line and the plan: how many result lines will follow.
    void header(std::size_t planned);
    // One result line, preceded by diagnostic lines that say why a run did not pass. `timeout` is
    // the --timeout in seconds, for the TIMEOUT directive.
    void result(SuiteEntry const& entry, double timeout_secs = 0);
    // Free text as diagnostic lines ("# " before each line).
    void diagnostic(std::string const& text);
    // The closing "# Totals: ..." line. Flaky and timed-out runs count as fail, invalid scripts
    // and interrupted runs as error.
    void totals(std::vector<SuiteEntry> const& entries);

    std::size_t written() const noexcept { return number_; }

private:
    std::ostream& out_;
    std::size_t number_ = 0;
};

}  // namespace pktdrill::report
