#include "src/cli/subcommands.hpp"

namespace pktdrill::cli {

std::span<Subcommand const> subcommands() {
    static Subcommand const table[] = {
        {"", "", nullptr},  // the end of the table; each subcommand adds its line above
    };
    return std::span<Subcommand const>(table, std::size(table) - 1);
}

}  // namespace pktdrill::cli
