#pragma once
// Thrown when SIGINT, SIGTERM or SIGHUP ends a run: not a failure of the script, so it is not a
// pktdrill::Error. The command line catches it, cleans up and exits with 128 + the signal.

namespace pktdrill::run {

struct Interrupted {
    int signal = 0;
};

}  // namespace pktdrill::run
