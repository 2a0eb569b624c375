// poll, epoll_create, epoll_ctl, epoll_wait: readiness calls, whose outputs (revents, the first
// epoll_event) are compared with the script's.

#include <poll.h>
#include <sys/epoll.h>

#include "src/run/symbols.hpp"
#include "src/run/syscall_call.hpp"

namespace pktdrill::run::syscall {

using namespace script;

namespace {

std::unique_ptr<Call> poll_call(CallContext& c) {
    c.args.expect_count(3);
    Expr const& list = c.args.at(0);
    check_type(list, "list");
    std::vector<Expr> const& items =
        std::holds_alternative<List>(list.value) ? std::get<List>(list.value).items : std::get<Braced>(list.value).items;
    struct State {
        std::vector<pollfd> fds;
        std::vector<short> expected;
        std::vector<SourceLocation> where;
    };
    auto state = std::make_shared<State>();
    for (auto const& item : items) {
        check_type(item, "pollfd");
        auto const& p = std::get<Pollfd>(item.value);
        check_type(*p.fd, "integer");
        check_type(*p.events, "integer");
        check_type(*p.revents, "integer");
        pollfd fd{};
        fd.fd = find_fd(c.ctx, static_cast<int>(to_s64(*p.fd)), p.fd->where).live_fd;
        fd.events = static_cast<short>(to_s64(*p.events));
        fd.revents = static_cast<short>(to_s64(*p.revents));
        state->fds.push_back(fd);
        state->expected.push_back(fd.revents);
        state->where.push_back(p.revents->where);
    }
    std::int32_t const nfds = c.args.s32(1);
    int const timeout = c.args.s32(2);
    if (nfds < 0 || static_cast<std::size_t>(nfds) != state->fds.size())
        fail(format("nfds %d does not match %d-element pollfd array", nfds, static_cast<int>(state->fds.size())),
             c.args.at(1).where);
    return make_call([=] { return static_cast<long>(::poll(state->fds.data(), state->fds.size(), timeout)); },
                     [expected = c.expected, state](Outcome const& o) {
                         check_result(expected, ResultCheck::exact, o);
                         for (std::size_t i = 0; i < state->fds.size(); ++i) {
                             // revents is a short; compare the bits, not sign-extended values.
                             auto const want = static_cast<std::uint16_t>(state->expected[i]);
                             auto const got = static_cast<std::uint16_t>(state->fds[i].revents);
                             if (want != got)
                                 fail(format("Expected revents of %s but got %s for pollfd %d",
                                             render_flags(want, FlagSet::poll).c_str(),
                                             render_flags(got, FlagSet::poll).c_str(), static_cast<int>(i)),
                                      state->where[i]);
                         }
                     });
}

std::unique_ptr<Call> epoll_create_call(CallContext& c) {
    c.args.expect_count(1);
    int const size = c.args.s32(0);
    return make_call([=] { return static_cast<long>(::epoll_create(size)); },
                     [ctx = &c.ctx, expected = c.expected](Outcome const& o) {
                         NewFd fd(o.result);
                         check_result(expected, ResultCheck::fd, o);
                         if (o.result < 0) return;
                         int const script_fd = expected.value();
                         check_duplicate_fd(*ctx, script_fd, fd.get(), expected.where);
                         ctx->fds.add(script_fd, fd.release(), FdKind::epoll);
                     });
}

enum class EpollData { ptr, fd, u32, u64 };

struct ScriptEvent {
    epoll_event event{};
    EpollData data = EpollData::fd;
};

// `{events=EPOLLIN, fd=4}` (or ptr=, u32=, u64=). For epoll_ctl the fd must be the call's fd
// (`script_fd`); for epoll_wait (`script_fd` empty) it is any open script fd. Either way the
// event carries the live fd, which is what the kernel hands back.
ScriptEvent script_event(RunContext& ctx, Expr const& e, std::optional<std::pair<int, int>> fd_pair) {
    check_type(e, "epollev");
    auto const& ev = std::get<EpollEvent>(e.value);
    ScriptEvent out;
    check_type(*ev.events, "integer");
    out.event.events = static_cast<std::uint32_t>(to_s64(*ev.events));
    check_type(*ev.data, "integer");
    std::int64_t const v = to_s64(*ev.data);
    if (ev.data_field == "ptr") {
        out.data = EpollData::ptr;
        out.event.data.u64 = static_cast<std::uint64_t>(v);
    } else if (ev.data_field == "u32") {
        out.data = EpollData::u32;
        out.event.data.u32 = static_cast<std::uint32_t>(v);
    } else if (ev.data_field == "u64") {
        out.data = EpollData::u64;
        out.event.data.u64 = static_cast<std::uint64_t>(v);
    } else {
        out.data = EpollData::fd;
        if (fd_pair) {
            if (v != fd_pair->first) fail("wrong fd specified in epoll_event", ev.data->where);
            out.event.data.fd = fd_pair->second;
        } else {
            out.event.data.fd = find_fd(ctx, static_cast<int>(v), ev.data->where).live_fd;
        }
    }
    return out;
}

std::unique_ptr<Call> epoll_ctl_call(CallContext& c) {
    c.args.expect_count(4);
    int const epfd = c.live_fd(0);
    int const op = c.args.s32(1);
    int const script_fd = c.args.s32(2);
    int const fd = c.live_fd(2);
    auto ev = std::make_shared<ScriptEvent>(script_event(c.ctx, c.args.at(3), std::pair{script_fd, fd}));
    return make_call([=] { return static_cast<long>(::epoll_ctl(epfd, op, fd, &ev->event)); },
                     [expected = c.expected](Outcome const& o) { check_result(expected, ResultCheck::exact, o); });
}

std::unique_ptr<Call> epoll_wait_call(CallContext& c) {
    c.args.expect_count(4);
    int const epfd = c.live_fd(0);
    ScriptEvent const want = script_event(c.ctx, c.args.at(1), std::nullopt);
    int const max_events = c.args.s32(2);
    int const timeout = c.args.s32(3);
    auto got = std::make_shared<std::vector<epoll_event>>(static_cast<std::size_t>(std::max(max_events, 1)));
    SourceLocation const where = c.args.at(1).where;
    return make_call(
        [=] { return static_cast<long>(::epoll_wait(epfd, got->data(), max_events, timeout)); },
        [expected = c.expected, want, got, where](Outcome const& o) {
            check_result(expected, ResultCheck::exact, o);
            // Only the first event is compared, as in packetdrill.
            epoll_event const& g = got->front();
            if (want.event.events != g.events)
                fail(format("epoll_event->events does not match script: expected: 0x%x actual: 0x%x",
                            want.event.events, g.events),
                     where);
            switch (want.data) {
            case EpollData::ptr:
                if (want.event.data.u64 != g.data.u64)
                    fail(format("epoll_event->data does not match script: expected: %p actual: %p", want.event.data.ptr,
                                g.data.ptr),
                         where);
                break;
            case EpollData::fd:
                if (want.event.data.fd != g.data.fd)
                    fail(format("epoll_event->data does not match script: expected: %d actual: %d", want.event.data.fd,
                                g.data.fd),
                         where);
                break;
            case EpollData::u32:
                if (want.event.data.u32 != g.data.u32)
                    fail(format("epoll_event->data does not match script: expected: %u actual: %u",
                                want.event.data.u32, g.data.u32),
                         where);
                break;
            case EpollData::u64:
                if (want.event.data.u64 != g.data.u64)
                    fail(format("epoll_event->data does not match script: expected: %llu actual: %llu",
                                static_cast<unsigned long long>(want.event.data.u64),
                                static_cast<unsigned long long>(g.data.u64)),
                         where);
                break;
            }
        });
}

}  // namespace

std::vector<Entry> const& poll_calls() {
    static std::vector<Entry> const table{
        {"poll", poll_call},
        {"epoll_create", epoll_create_call},
        {"epoll_ctl", epoll_ctl_call},
        {"epoll_wait", epoll_wait_call},
    };
    return table;
}

}  // namespace pktdrill::run::syscall
