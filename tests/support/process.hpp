#pragma once
// Runs a program to completion and captures what it printed, for tests of the command line.

#include <string>
#include <vector>

namespace pktdrill::test {

struct ProcessResult {
    int exit_status = -1;  // the exit code, or 128 + the signal that ended it
    std::string out;       // standard output
    std::string err;       // standard error
};

// Runs argv[0] with the arguments argv[1...] (no shell: each argument is passed as it is), from
// `directory` when it is not empty, with standard input from /dev/null.
ProcessResult run_process(std::vector<std::string> const& argv, std::string const& directory = {});

}  // namespace pktdrill::test
