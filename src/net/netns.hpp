#pragma once
// The private network namespace every run (and every kernel test) lives in. It is anonymous: it
// is not bind-mounted under /run/netns, so it disappears with the last process in it and nothing
// is left behind however pktdrill ends.

#include <sys/types.h>

#include <string>

namespace pktdrill::net {

// Moves the calling process into a new, empty network namespace (unshare(CLONE_NEWNET)) and
// brings its loopback device up, as a fresh namespace starts with `lo` down.
//
// Call it before any thread is started: namespaces belong to threads, so unshare() moves only the
// calling thread, and threads that already exist would keep sending into the old namespace. For
// that reason it throws if the process has more than one thread. Needs CAP_SYS_ADMIN.
void enter_private_network_namespace();

// Identifies a network namespace the way the kernel does: the nsfs inode of /proc/.../ns/net.
struct NetworkNamespaceId {
    dev_t device = 0;
    ino_t inode = 0;

    friend bool operator==(NetworkNamespaceId const&, NetworkNamespaceId const&) = default;
    // `net:[4026531840]`, as readlink() of the ns file shows it.
    std::string to_string() const;
};

// The namespace of the calling thread.
NetworkNamespaceId current_network_namespace();

}  // namespace pktdrill::net
