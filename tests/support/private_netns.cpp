// Linked into every test executable that touches the kernel's network stack. It moves the test
// process into a fresh network namespace before main() runs, so no test can ever configure or
// send into the namespace it was started in (this machine's real interface sits on 192.0.2.0/24).

#include <sched.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cerrno>

namespace {

bool enter_private_netns() {
    if (::unshare(CLONE_NEWNET) != 0) {
        std::fprintf(stderr, "kernel tests need root (CAP_SYS_ADMIN) for unshare(CLONE_NEWNET): %s\n",
                     std::strerror(errno));
        std::exit(2);
    }
    return true;
}

[[maybe_unused]] bool const entered = enter_private_netns();

}  // namespace
