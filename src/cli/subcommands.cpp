#include "src/cli/subcommands.hpp"

#include "src/cli/authoring.hpp"
#include "src/cli/suite_options.hpp"

namespace pktdrill::cli {

std::span<Subcommand const> subcommands() {
    static Subcommand const table[] = {
        {"run", "run scripts as a suite: many at once, each in its own namespace; KTAP, JUnit, retries, shards", parse_suite_command},
        {"lint", "warn about likely mistakes in scripts, with fix-its (--fix applies them)", parse_lint_command},
        {"record", "run a script and write its `>` lines from what the kernel sent", parse_record_command},
        {"", "", nullptr},  // the end of the table; each subcommand adds its line above
    };
    return std::span<Subcommand const>(table, std::size(table) - 1);
}

}  // namespace pktdrill::cli
