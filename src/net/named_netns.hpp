#pragma once
// Gives the calling thread's network namespace a name, as `ip netns add` does: a bind mount of
// /proc/self/ns/net on /run/netns/NAME, so `ip netns exec NAME ss -tan` looks inside a run.
//
// The name must disappear when the run ends, however it ends. A destructor cannot promise that
// (SIGKILL runs none), so the mount belongs to a guardian: a child process forked here that
// creates the mount, then waits on a pipe whose only write end pktdrill holds. When pktdrill
// lets go of the name, exits, or is killed, the pipe reports end-of-file and the guardian
// unmounts the name, removes the file and exits. PR_SET_PDEATHSIG (SIGTERM, which the guardian
// reads through a signalfd) is the second line of defence, and `kill <guardian>` with SIGTERM
// cleans up early. The guardian ignores SIGINT, SIGHUP and SIGQUIT: a Ctrl-C reaches the whole
// process group, and pktdrill, not the guardian, decides when the run is over.
//
// The guardian removes only what it made: the file is created exclusively (a name that exists is
// refused, as `ip netns add` refuses it), and at the end it is unmounted only while it still
// refers to this namespace (someone may have run `ip netns delete NAME` and reused the name).
//
// Construct it after entering the namespace and, preferably, before starting threads (the
// guardian itself only makes async-signal-safe calls after fork, so it is correct either way).
// PR_SET_PDEATHSIG fires when the forking thread ends: construct it on a thread that outlives it.

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "src/base/unique_fd.hpp"

namespace pktdrill::net {

class NamedNetns {
public:
    // Names the calling thread's network namespace `name` under `directory` (created if missing).
    // Throws Error if the name is taken or the mount fails (it needs CAP_SYS_ADMIN).
    explicit NamedNetns(std::string name, std::filesystem::path directory = "/run/netns");
    // Removes the name and waits for the guardian to finish.
    ~NamedNetns();
    NamedNetns(NamedNetns const&) = delete;
    NamedNetns& operator=(NamedNetns const&) = delete;

    std::string const& name() const noexcept { return name_; }
    std::filesystem::path const& path() const noexcept { return path_; }
    pid_t guardian() const noexcept { return guardian_; }

private:
    std::string name_;
    std::filesystem::path path_;
    pid_t guardian_ = -1;
    UniqueFd lifeline_;  // the write end the guardian waits on
};

}  // namespace pktdrill::net
