// Data calls: read, readv, recv, recvfrom, recvmsg, write, writev, send, sendto, sendmsg. Data is
// never compared: sent data is zeros, received data is only counted (reference C).

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "src/run/syscall_call.hpp"
#include "src/run/syscall_msghdr.hpp"

namespace pktdrill::run::syscall {

namespace {

// A buffer shared by the kernel call and finish(), so --send_omit_free can keep it.
using SharedBuffer = std::shared_ptr<Buffer>;

SharedBuffer buffer_arg(CallContext const& c, std::size_t buffer_index, std::int32_t count, std::size_t count_index) {
    bool const null = c.args.null_buffer(buffer_index);
    return std::make_shared<Buffer>(count, null, c.args.at(count_index).where);
}

auto exact(Expected const& expected) {
    return [expected](Outcome const& o) { check_result(expected, ResultCheck::exact, o); };
}

// Sends keep their buffers until the run ends with --send_omit_free (packetdrill's
// sendcall_free), so MSG_ZEROCOPY pages stay what the kernel was given.
auto send_finish(CallContext const& c, std::shared_ptr<void const> buffer) {
    return [expected = c.expected, keep = c.ctx.config.send_omit_free, kept = c.kept,
            buffer = std::move(buffer)](Outcome const& o) {
        if (keep) kept->push_back(buffer);
        check_result(expected, ResultCheck::exact, o);
    };
}

std::unique_ptr<Call> read_call(CallContext& c) {
    c.args.expect_count(3);
    int const fd = c.live_fd(0);
    c.args.null_buffer(1);
    std::int32_t const count = c.args.s32(2);
    auto buf = buffer_arg(c, 1, count, 2);
    return make_call([=] { return static_cast<long>(::read(fd, buf->data(), static_cast<std::size_t>(count))); },
                     exact(c.expected));
}

std::unique_ptr<Call> recv_call(CallContext& c) {
    c.args.expect_count(4);
    int const fd = c.live_fd(0);
    c.args.null_buffer(1);
    std::int32_t const count = c.args.s32(2);
    int const flags = c.args.s32(3);
    auto buf = buffer_arg(c, 1, count, 2);
    return make_call(
        [=] { return static_cast<long>(::recv(fd, buf->data(), static_cast<std::size_t>(count), flags)); },
        exact(c.expected));
}

std::unique_ptr<Call> recvfrom_call(CallContext& c) {
    c.args.expect_count(6);
    int const fd = c.live_fd(0);
    c.args.null_buffer(1);
    std::int32_t const count = c.args.s32(2);
    int const flags = c.args.s32(3);
    c.args.ellipsis(4);
    c.args.ellipsis(5);
    auto buf = buffer_arg(c, 1, count, 2);
    auto from = std::make_shared<SockAddr>();
    return make_call(
        [=] {
            return static_cast<long>(::recvfrom(fd, buf->data(), static_cast<std::size_t>(count), flags,
                                                reinterpret_cast<sockaddr*>(&from->storage), &from->length));
        },
        exact(c.expected));
}

// readv/writev: the iovec array and its count, which must agree.
std::shared_ptr<IovecArray> iovec_args(CallContext const& c) {
    c.args.expect_count(3);
    std::shared_ptr<IovecArray> iov = make_iovecs(c.args.at(1));
    std::int32_t const count = c.args.s32(2);
    if (count < 0 || static_cast<std::size_t>(count) != iov->iov.size())
        fail(format("iov_count %d does not match %d-element iovec array", count, static_cast<int>(iov->iov.size())),
             c.args.at(2).where);
    return iov;
}

std::unique_ptr<Call> readv_call(CallContext& c) {
    c.args.expect_count(3);
    int const fd = c.live_fd(0);
    auto iov = iovec_args(c);
    return make_call([=] { return static_cast<long>(::readv(fd, iov->iov.data(), static_cast<int>(iov->iov.size()))); },
                     exact(c.expected));
}

std::unique_ptr<Call> recvmsg_call(CallContext& c) {
    c.args.expect_count(3);
    int const fd = c.live_fd(0);
    std::shared_ptr<MsgBuffers> live = make_msghdr(c.args.at(1));
    std::shared_ptr<MsgBuffers> expected_msg = make_msghdr(c.args.at(1));
    int const flags = c.args.s32(2);
    return make_call([=] { return static_cast<long>(::recvmsg(fd, &live->msg, flags)); },
                     [ctx = &c.ctx, expected = c.expected, live, expected_msg](Outcome const& o) {
                         check_result(expected, ResultCheck::exact, o);
                         if (live->msg.msg_flags != expected_msg->msg.msg_flags)
                             fail(format("Expected msg_flags 0x%08X but got 0x%08X",
                                         static_cast<unsigned>(expected_msg->msg.msg_flags),
                                         static_cast<unsigned>(live->msg.msg_flags)));
                         check_cmsgs(*ctx, expected_msg->msg, live->msg);
                     });
}

std::unique_ptr<Call> write_call(CallContext& c) {
    c.args.expect_count(3);
    int const fd = c.live_fd(0);
    c.args.null_buffer(1);
    std::int32_t const count = c.args.s32(2);
    auto buf = buffer_arg(c, 1, count, 2);
    return make_call([=] { return static_cast<long>(::write(fd, buf->data(), static_cast<std::size_t>(count))); },
                     exact(c.expected));
}

std::unique_ptr<Call> writev_call(CallContext& c) {
    c.args.expect_count(3);
    int const fd = c.live_fd(0);
    auto iov = iovec_args(c);
    return make_call(
        [=] { return static_cast<long>(::writev(fd, iov->iov.data(), static_cast<int>(iov->iov.size()))); },
        exact(c.expected));
}

std::unique_ptr<Call> send_call(CallContext& c) {
    c.args.expect_count(4);
    int const fd = c.live_fd(0);
    c.args.null_buffer(1);
    std::int32_t const count = c.args.s32(2);
    int const flags = c.args.s32(3);
    auto buf = buffer_arg(c, 1, count, 2);
    return make_call(
        [=] { return static_cast<long>(::send(fd, buf->data(), static_cast<std::size_t>(count), flags)); },
        send_finish(c, buf));
}

bool is_icmp_datagram(Socket const* s) {
    return s && s->type == SOCK_DGRAM &&
           ((s->domain == AF_INET && s->protocol == IPPROTO_ICMP) ||
            (s->domain == AF_INET6 && s->protocol == IPPROTO_ICMPV6));
}

std::unique_ptr<Call> sendto_call(CallContext& c) {
    c.args.expect_count(6);
    int const script_fd = c.args.s32(0);
    int const fd = c.live_fd(0);
    c.args.null_buffer(1);
    std::int32_t const count = c.args.s32(2);
    int const flags = c.args.s32(3);
    std::optional<int> family;
    if (!c.args.is_ellipsis(4)) family = c.args.s32(4);
    c.args.ellipsis(5);
    bool const icmp = is_icmp_datagram(find_socket(c.ctx, script_fd));
    // An ICMP datagram socket sends echo requests to the remote address; it takes no family.
    if (icmp) c.args.ellipsis(4);
    // packetdrill treats every sendto() as a possible connect (TCP Fast Open's MSG_FASTOPEN, or
    // a UDP socket's first datagram): a new socket starts connecting to the remote address.
    SockAddr const to = prepare_connect(c.ctx, script_fd, family, c.args.at(0).where);
    auto buf = buffer_arg(c, 1, count, 2);
    if (icmp && count >= 8 && buf->data()) {
        // The kernel accepts only echo requests, type first (ICMP_ECHO, ICMPV6_ECHO_REQUEST).
        buf->data()[0] = static_cast<char>(c.ctx.addresses.wire_ipv6 ? 128 : 8);
    }
    auto invoke = [=] {
        return static_cast<long>(::sendto(fd, buf->data(), static_cast<std::size_t>(count), flags,
                                          reinterpret_cast<sockaddr const*>(&to.storage), to.length));
    };
    if (icmp) return make_call(invoke, exact(c.expected));
    return make_call(invoke, send_finish(c, buf));
}

std::unique_ptr<Call> sendmsg_call(CallContext& c) {
    c.args.expect_count(3);
    int const script_fd = c.args.s32(0);
    int const fd = c.live_fd(0);
    std::shared_ptr<MsgBuffers> m = make_msghdr(c.args.at(1));
    int const flags = c.args.s32(2);
    // packetdrill's msghdr always has a msg_name: the connect address, as for sendto().
    SockAddr const to = prepare_connect(c.ctx, script_fd, std::nullopt, c.args.at(0).where);
    m->name = to.storage;
    m->msg.msg_namelen = to.length;
    if (m->msg.msg_flags != 0) fail("sendmsg ignores msg_flags field in msghdr", c.args.at(1).where);
    return make_call([=] { return static_cast<long>(::sendmsg(fd, &m->msg, flags)); }, send_finish(c, m));
}

}  // namespace

std::vector<Entry> const& io_calls() {
    static std::vector<Entry> const table{
        {"read", read_call},       {"readv", readv_call},     {"recv", recv_call},   {"recvfrom", recvfrom_call},
        {"recvmsg", recvmsg_call}, {"write", write_call},     {"writev", writev_call}, {"send", send_call},
        {"sendto", sendto_call},   {"sendmsg", sendmsg_call},
    };
    return table;
}

}  // namespace pktdrill::run::syscall
