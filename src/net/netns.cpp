#include "src/net/netns.hpp"

#include <sched.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include "src/base/error.hpp"
#include "src/net/rtnetlink.hpp"

namespace pktdrill::net {

namespace {

// 0 when /proc is not available: the check is a safety net, not a requirement.
std::size_t thread_count() {
    std::error_code ec;
    std::size_t count = 0;
    for (std::filesystem::directory_iterator it("/proc/self/task", ec), end; !ec && it != end; it.increment(ec))
        ++count;
    return ec ? 0 : count;
}

}  // namespace

void enter_private_network_namespace() {
    if (auto const threads = thread_count(); threads > 1)
        throw Error("cannot enter a private network namespace: the process already runs " +
                    std::to_string(threads) + " threads, which would stay in the old namespace");
    if (::unshare(CLONE_NEWNET) != 0)
        throw_system_error("unshare(CLONE_NEWNET) (creating a private network namespace needs root)", errno);

    Rtnetlink rtnl;
    rtnl.set_link_up(rtnl.link_index("lo"));
}

NetworkNamespaceId current_network_namespace() {
    struct stat st{};
    // thread-self, not self: self is the thread group leader, which may sit elsewhere.
    if (::stat("/proc/thread-self/ns/net", &st) != 0) throw_system_error("stat(/proc/thread-self/ns/net)", errno);
    return {st.st_dev, st.st_ino};
}

std::string NetworkNamespaceId::to_string() const {
    return "net:[" + std::to_string(inode) + "]";
}

}  // namespace pktdrill::net
