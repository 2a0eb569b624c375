// open, sendfile, pipe, splice, cap_set (and the PSP calls pktdrill does not have yet).

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "src/run/syscall_call.hpp"

namespace pktdrill::run::syscall {

using namespace script;

namespace {

auto exact(Expected const& expected) {
    return [expected](Outcome const& o) { check_result(expected, ResultCheck::exact, o); };
}

std::unique_ptr<Call> open_call(CallContext& c) {
    c.args.expect_count(2);
    Expr const& path_expr = c.args.at(0);
    check_type(path_expr, "string");
    std::string const path = std::get<String>(path_expr.value).bytes;
    int const flags = c.args.s32(1);
    return make_call([=] { return static_cast<long>(::open(path.c_str(), flags, 0644)); },
                     [ctx = &c.ctx, expected = c.expected](Outcome const& o) {
                         NewFd fd(o.result);
                         check_result(expected, ResultCheck::fd, o);
                         if (o.result < 0) return;
                         int const script_fd = expected.value();
                         check_duplicate_fd(*ctx, script_fd, fd.get(), expected.where);
                         ctx->fds.add(script_fd, fd.release(), FdKind::file);
                     });
}

std::unique_ptr<Call> sendfile_call(CallContext& c) {
    c.args.expect_count(4);
    int const out_fd = c.live_fd(0);
    int const in_fd = c.live_fd(1);
    auto offset = std::make_shared<off_t>(static_cast<off_t>(c.args.s64_bracketed(2)));
    std::int32_t const count = c.args.s32(3);
    return make_call(
        [=] { return static_cast<long>(::sendfile(out_fd, in_fd, offset.get(), static_cast<std::size_t>(count))); },
        exact(c.expected));
}

std::unique_ptr<Call> pipe_call(CallContext& c) {
    c.args.expect_count(1);
    Expr const& list = c.args.at(0);
    check_type(list, "list");
    std::vector<Expr> const& items =
        std::holds_alternative<List>(list.value) ? std::get<List>(list.value).items : std::get<Braced>(list.value).items;
    if (items.size() != 2) fail(format("%d pipe file descriptors instead of 2", static_cast<int>(items.size())), list.where);
    std::array<int, 2> script_fds{};
    for (std::size_t i = 0; i < 2; ++i) {
        check_type(items[i], "integer");
        script_fds[i] = static_cast<int>(to_s64(items[i]));
    }
    auto live = std::make_shared<std::array<int, 2>>(std::array<int, 2>{-1, -1});
    return make_call([=] { return static_cast<long>(::pipe(live->data())); },
                     [ctx = &c.ctx, expected = c.expected, script_fds, live, where = list.where](Outcome const& o) {
                         NewFd read_end(o.result >= 0 ? (*live)[0] : -1), write_end(o.result >= 0 ? (*live)[1] : -1);
                         check_result(expected, ResultCheck::exact, o);
                         if (o.result < 0) return;
                         check_duplicate_fd(*ctx, script_fds[0], read_end.get(), where);
                         check_duplicate_fd(*ctx, script_fds[1], write_end.get(), where);
                         ctx->fds.add(script_fds[0], read_end.release(), FdKind::pipe);
                         ctx->fds.add(script_fds[1], write_end.release(), FdKind::pipe);
                     });
}

std::unique_ptr<Call> splice_call(CallContext& c) {
    c.args.expect_count(6);
    int const in_fd = c.live_fd(0);
    std::int64_t const off_in = c.args.s64(1);
    int const out_fd = c.live_fd(2);
    std::int64_t const off_out = c.args.s64(3);
    std::int32_t const length = c.args.s32(4);
    unsigned const flags = static_cast<unsigned>(c.args.s32(5));
    // packetdrill passes the offsets as raw pointers, so only 0 (NULL) is of use in a script;
    // here a non-zero offset is passed as a pointer to that offset instead of a wild pointer.
    auto offsets = std::make_shared<std::array<loff_t, 2>>(std::array<loff_t, 2>{off_in, off_out});
    return make_call(
        [=] {
            return static_cast<long>(::splice(in_fd, off_in ? &(*offsets)[0] : nullptr, out_fd,
                                              off_out ? &(*offsets)[1] : nullptr, static_cast<std::size_t>(length),
                                              flags));
        },
        exact(c.expected));
}

// cap_set(CAP_EFFECTIVE|CAP_PERMITTED|CAP_INHERITABLE, CAP_xxx, CAP_SET|CAP_CLEAR): libcap's
// cap_get_proc / cap_set_flag / cap_set_proc, done with the capget/capset system calls.
// Capabilities belong to a thread: this changes those of the worker that makes the call, and the
// runner copies them to the other worker (see SyscallRunner).
std::unique_ptr<Call> cap_set_call(CallContext& c) {
    c.args.expect_count(3);
    int const flag = c.args.s32(0);
    int const value = c.args.s32(1);
    int const op = c.args.s32(2);
    // libcap's cap_set_flag rejects these; packetdrill then dies with this message.
    if (flag < 0 || flag > 2 || value < 0 || value > CAP_LAST_CAP || (op != 0 && op != 1))
        fail("Error in cap_set_flag()", c.args.call_where());
    return make_call(
        [=]() -> long {
            __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
            __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
            if (::syscall(SYS_capget, &header, data) != 0) return -1;
            auto& word = data[value / 32];
            std::uint32_t* sets[] = {&word.effective, &word.permitted, &word.inheritable};
            std::uint32_t const bit = 1u << (value % 32);
            if (op) *sets[flag] |= bit;
            else *sets[flag] &= ~bit;
            return ::syscall(SYS_capset, &header, data);
        },
        [expected = c.expected](Outcome const& o) { check_result(expected, ResultCheck::fd, o); });
}

std::unique_ptr<Call> psp_call(CallContext& c) {
    fail("PSP is not supported by pktdrill yet", c.args.call_where());
}

}  // namespace

std::unique_ptr<Call> copy_capabilities_call(pid_t from) {
    return make_call(
        [from]() -> long {
            __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, from};
            __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
            if (::syscall(SYS_capget, &header, data) != 0) return -1;
            header.pid = 0;
            return ::syscall(SYS_capset, &header, data);
        },
        [](Outcome const&) {});
}

std::vector<Entry> const& misc_calls() {
    static std::vector<Entry> const table{
        {"open", open_call},       {"sendfile", sendfile_call},   {"pipe", pipe_call},
        {"splice", splice_call},   {"cap_set", cap_set_call},     {"psp_rx_assoc", psp_call},
        {"psp_tx_assoc", psp_call},
    };
    return table;
}

}  // namespace pktdrill::run::syscall
