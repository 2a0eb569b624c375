#pragma once
// The one exception type of the project. It carries the script location it is about, so the
// single place that catches it (the command line) can print `file:line:col: error: ...`.

#include <stdexcept>
#include <string>
#include <utility>

#include "src/base/source_location.hpp"

namespace pktdrill {

class Error : public std::runtime_error {
public:
    explicit Error(std::string message, SourceLocation where = {})
        : std::runtime_error(std::move(message)), where_(where) {}

    SourceLocation const& where() const noexcept { return where_; }

private:
    SourceLocation where_;
};

// A failure of the operating system, with errno's text appended the way perror does.
[[noreturn]] void throw_system_error(std::string const& what, int err);

}  // namespace pktdrill
