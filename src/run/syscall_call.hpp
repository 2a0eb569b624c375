#pragma once
// One system call of a script, prepared to run: the arguments are converted and checked, the
// buffers allocated, and what is left is the kernel call itself (invoke) and what follows it
// (finish): the result and errno checks, the checks of outputs (getsockopt values, poll revents,
// cmsgs ...) and the socket and fd bookkeeping.
//
// invoke() runs on a worker thread without ctx.mutex, so it must touch nothing but the call's own
// buffers; finish() runs with ctx.mutex held (on the main thread for a non-blocking call, on the
// worker for a blocking one, as packetdrill's helper thread does).

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/unique_fd.hpp"
#include "src/run/clock.hpp"
#include "src/run/run_context.hpp"
#include "src/run/syscall_args.hpp"

namespace pktdrill::run::syscall {

struct Outcome {
    long result = 0;
    int err = 0;             // errno as the call left it; it is cleared before the call
    Micros returned_at = 0;  // now_us() right after the call returned
};

class Call {
public:
    virtual ~Call() = default;
    // The kernel call. Returns its result; errno is read right after.
    virtual long invoke() = 0;
    // With ctx.mutex held. Throws CallError.
    virtual void finish(Outcome const& outcome) = 0;
};

template <typename Invoke, typename Finish>
class LambdaCall final : public Call {
public:
    LambdaCall(Invoke invoke, Finish finish) : invoke_(std::move(invoke)), finish_(std::move(finish)) {}
    long invoke() override { return invoke_(); }
    void finish(Outcome const& outcome) override { finish_(outcome); }

private:
    Invoke invoke_;
    Finish finish_;
};

// The lambdas own everything the call needs (buffers, copies of expressions): a blocking call's
// finish() runs after run() has returned.
template <typename Invoke, typename Finish>
std::unique_ptr<Call> make_call(Invoke invoke, Finish finish) {
    return std::make_unique<LambdaCall<Invoke, Finish>>(std::move(invoke), std::move(finish));
}

// How a result is compared: exactly, or for calls returning a new fd, any fd for any
// non-negative expectation (the script's number becomes the script fd).
enum class ResultCheck { exact, fd };

// What the script expects the call to return, copied out of the script line.
struct Expected {
    script::Expr result;
    std::optional<std::string> errno_name;
    SourceLocation where;  // the call's line

    // The expected result as packetdrill reads it (a 32-bit integer).
    std::int32_t value() const { return to_s32(result); }
};

// packetdrill's end_syscall(): "Expected result %d but got %d ...", "Expected non-negative result
// but got ...", "Expected errno %d (%s) but got %d (%s)".
void check_result(Expected const& expected, ResultCheck mode, Outcome const& outcome);

// Send buffers kept until the run ends (--send_omit_free: MSG_ZEROCOPY tests keep the pages the
// kernel may still read). Guarded by ctx.mutex, like everything finish() touches.
using KeptBuffers = std::vector<std::shared_ptr<void const>>;

struct CallContext {
    RunContext& ctx;
    script::Syscall const& call;
    Args args;
    Expected expected;
    std::shared_ptr<KeptBuffers> kept;

    // The live fd of the script fd in argument `i` ("unable to find fd with script fd %d").
    int live_fd(std::size_t i) const;
};

// The live fd of an open script fd; fails at `where` when there is none.
FdEntry& find_fd(RunContext& ctx, int script_fd, SourceLocation where);
// packetdrill's check before it records a new fd: "duplicate fd %d in script", "duplicate live fd %d".
void check_duplicate_fd(RunContext const& ctx, int script_fd, int live_fd, SourceLocation where);
// The socket behind a script fd, or nullptr.
Socket* find_socket(RunContext& ctx, int script_fd);

// A live fd a call returned, closed again unless the call records it: a failed check must not
// leak it into the rest of the run.
class NewFd {
public:
    explicit NewFd(long result) : fd_(result >= 0 ? static_cast<int>(result) : -1) {}
    int get() const noexcept { return fd_.get(); }
    int release() noexcept { return fd_.release(); }

private:
    UniqueFd fd_;
};

// The connect address packetdrill fills in for `...` (remote ip : connect_port, v4-mapped for
// ipv4-mapped-ipv6), or an address of only a family (`connect(3, AF_UNSPEC, ...)`).
struct SockAddr {
    sockaddr_storage storage{};
    socklen_t length = sizeof(sockaddr_storage);
};
SockAddr make_sockaddr(net::IpAddress const& ip, std::uint16_t port);
// The address a call returned (accept, recvfrom), unmapped from ::ffff:a.b.c.d; nullopt when it
// holds no IPv4/IPv6 address.
std::optional<Endpoint> endpoint_of(sockaddr_storage const& s);

// packetdrill's run_syscall_connect(): before connect(), sendto() or sendmsg() runs, fills the
// address and marks a new socket as actively connecting (or back to new for AF_UNSPEC).
// `family` is the script's explicit sa_family, if any.
SockAddr prepare_connect(RunContext& ctx, int script_fd, std::optional<int> family, SourceLocation where);

using Prepare = std::unique_ptr<Call> (*)(CallContext&);

struct Entry {
    std::string_view name;
    Prepare prepare;
};

// The calls of each group, defined next to their code.
std::vector<Entry> const& socket_calls();
std::vector<Entry> const& io_calls();
std::vector<Entry> const& sockopt_calls();
std::vector<Entry> const& poll_calls();
std::vector<Entry> const& misc_calls();

// nullptr for a name packetdrill does not know.
Prepare find_call(std::string_view name);

// A call that gives the calling thread the capabilities of thread `from` (capabilities are per
// thread; cap_set changes one worker's, and the other worker follows with this).
std::unique_ptr<Call> copy_capabilities_call(pid_t from);

}  // namespace pktdrill::run::syscall
