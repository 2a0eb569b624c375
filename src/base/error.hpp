#pragma once
// The one exception type of the project. It carries the script location it is about, so the
// single place that catches it (the command line) can print `file:line:col: error: ...`.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "src/base/source_location.hpp"

namespace pktdrill {

class Error : public std::runtime_error {
public:
    explicit Error(std::string message, SourceLocation where = {}, std::vector<std::string> details = {})
        : std::runtime_error(std::move(message)), where_(where), details_(std::move(details)) {}

    SourceLocation const& where() const noexcept { return where_; }
    // Lines printed after the source line and its caret (the script and actual packets).
    std::vector<std::string> const& details() const noexcept { return details_; }

private:
    SourceLocation where_;
    std::vector<std::string> details_;
};

// A failure of the operating system, with errno's text appended the way perror does.
[[noreturn]] void throw_system_error(std::string const& what, int err);

}  // namespace pktdrill
