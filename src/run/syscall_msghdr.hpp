#pragma once
// iovec arrays, msghdrs and their control messages, built from the script's expressions, and the
// comparison of received control messages with the expected ones (recvmsg), with packetdrill's
// messages ("Bad type in cmsg 0: expected=... actual=...", "received only 1 cmsgs", ...).

#include <sys/socket.h>
#include <sys/uio.h>

#include <memory>
#include <vector>

#include "src/run/run_context.hpp"
#include "src/run/syscall_args.hpp"

namespace pktdrill::run::syscall {

// `[{..., 100}, {..., 200}]`: zero-filled buffers and the iovecs pointing at them.
struct IovecArray {
    std::vector<Buffer> buffers;
    std::vector<iovec> iov;
};
std::unique_ptr<IovecArray> make_iovecs(script::Expr const& e);

// packetdrill's fixed msg_control size; msg_controllen is what the script's cmsgs take.
inline constexpr std::size_t max_control_length = 2000;

// A msghdr and everything it points into (so it does not move once built).
struct MsgBuffers {
    sockaddr_storage name{};
    IovecArray iovecs;
    std::vector<char> control;
    msghdr msg{};
};
// Builds `{msg_name(...)=..., msg_iov(N)=[...], msg_flags=F[, msg_control=[...]]}`: the name is
// a sockaddr_storage, the iovecs zero-filled buffers, the control buffer holds the script's
// cmsgs (for recvmsg: what is expected; its length bounds what the kernel may write).
std::unique_ptr<MsgBuffers> make_msghdr(script::Expr const& e);

// Compares received control messages with the expected ones (packetdrill's cmsg_expect_eq):
// level, type, length and data, where IP_RECVERR/IPV6_RECVERR data is a sock_extended_err,
// SCM_TIMESTAMPING data is checked within --tolerance_usecs of the script time (0 = not checked),
// and SCM_TIMESTAMPING_OPT_STATS data is a list of netlink attributes (`...` = not checked).
void check_cmsgs(RunContext const& ctx, msghdr const& expected, msghdr const& actual);

}  // namespace pktdrill::run::syscall
