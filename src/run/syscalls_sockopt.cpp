// setsockopt, getsockopt, fcntl, ioctl: calls that set or read one value, with packetdrill's
// value forms ([int], "string", {onoff=..,linger=..}, inet6_addr(...)) and its mismatch messages.

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "src/run/syscall_call.hpp"

namespace pktdrill::run::syscall {

using namespace script;

namespace {

// Bytes as text for messages: printable ASCII as is, anything else as \xNN.
std::string printable(char const* p, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        auto const c = static_cast<unsigned char>(p[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') out += static_cast<char>(c);
        else out += format("\\x%02x", c);
    }
    return out;
}

std::string in6_text(void const* bytes) {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET6, bytes, buf, sizeof buf);
    return buf;
}

std::unique_ptr<Call> getsockopt_call(CallContext& c) {
    c.args.expect_count(5);
    int const fd = c.live_fd(0);
    int const level = c.args.s32(1);
    int const name = c.args.s32(2);
    Expr const value = c.args.at(3);
    std::int32_t const optlen = c.args.s32_bracketed(4);
    struct Out {
        std::vector<char> bytes;
        socklen_t length = 0;
    };
    auto out = std::make_shared<Out>();
    // One byte more than asked, as packetdrill allocates, so a string compare never reads past.
    out->bytes.assign(static_cast<std::size_t>(std::max(optlen, 0)) + 1, '\0');
    out->length = static_cast<socklen_t>(optlen);
    Args const args = c.args;
    return make_call(
        [=] { return static_cast<long>(::getsockopt(fd, level, name, out->bytes.data(), &out->length)); },
        [expected = c.expected, value, out, optlen, args](Outcome const& o) {
            check_result(expected, ResultCheck::exact, o);
            int const actual_len = static_cast<int>(out->length);
            if (actual_len != optlen)
                fail(format("Bad getsockopt optlen: expected: %d actual: %d", optlen, actual_len));
            char const* live = out->bytes.data();
            if (auto const* s = std::get_if<String>(&value.value)) {
                std::string const want = printable(s->bytes.data(), s->bytes.size());
                if (static_cast<std::size_t>(optlen) != s->bytes.size())
                    fail(format("Bad getsockopt optval: expected optlen (%d bytes) does not match length of "
                                "expected optval string '%s' (%d bytes)",
                                optlen, want.c_str(), static_cast<int>(s->bytes.size())),
                         value.where);
                if (std::memcmp(live, s->bytes.data(), s->bytes.size()) != 0)
                    fail(format("Bad getsockopt optval: expected: '%s' actual: '%s'", want.c_str(),
                                printable(live, static_cast<std::size_t>(std::max(actual_len, 0))).c_str()),
                         value.where);
            } else if (std::holds_alternative<List>(value.value) || std::holds_alternative<Braced>(value.value)) {
                if (optlen != 4) fail(format("Unsupported getsockopt optlen: %d", optlen));
                std::int32_t const want = args.s32_bracketed(3);
                std::int32_t got;
                std::memcpy(&got, live, sizeof got);
                if (got != want) fail(format("Bad getsockopt optval: expected: %d actual: %d", want, got), value.where);
            } else if (auto const* a = std::get_if<In6Addr>(&value.value)) {
                if (optlen != 16) fail(format("Unsupported getsockopt optlen: %d", optlen));
                if (std::memcmp(live, a->bytes.data(), 16) != 0)
                    fail(format("Bad getsockopt optval: expected: %s actual: %s ", in6_text(a->bytes.data()).c_str(),
                                in6_text(live).c_str()),
                         value.where);
            } else if (std::holds_alternative<GreHeader>(value.value)) {
                fail("getsockopt with a GRE header value is not supported by pktdrill yet", value.where);
            } else {
                fail(std::string("unsupported getsockopt value type: ") + type_name(value), value.where);
            }
        });
}

std::unique_ptr<Call> setsockopt_call(CallContext& c) {
    c.args.expect_count(5);
    int const fd = c.live_fd(0);
    int const level = c.args.s32(1);
    int const name = c.args.s32(2);
    std::int32_t const optlen = c.args.s32(4);
    Expr const& value = c.args.at(3);
    std::vector<char> bytes;
    auto put = [&bytes](void const* p, std::size_t n) {
        bytes.assign(static_cast<char const*>(p), static_cast<char const*>(p) + n);
    };
    if (auto const* l = std::get_if<Linger>(&value.value)) {
        struct linger v {};
        v.l_onoff = to_s32(*l->onoff);
        v.l_linger = to_s32(*l->linger);
        put(&v, sizeof v);
    } else if (auto const* a = std::get_if<In6Addr>(&value.value)) {
        put(a->bytes.data(), a->bytes.size());
    } else if (auto const* s = std::get_if<String>(&value.value)) {
        // With its terminating NUL, as packetdrill passes the C string.
        put(s->bytes.c_str(), s->bytes.size() + 1);
    } else if (std::holds_alternative<List>(value.value) || std::holds_alternative<Braced>(value.value)) {
        std::int32_t const v = c.args.s32_bracketed(3);
        put(&v, sizeof v);
    } else if (std::holds_alternative<GreHeader>(value.value) || std::holds_alternative<MplsStack>(value.value)) {
        fail(std::string("setsockopt with a ") + type_name(value) + " value is not supported by pktdrill yet",
             value.where);
    } else {
        fail(std::string("unsupported setsockopt value type: ") + type_name(value), value.where);
    }
    // The kernel reads optlen bytes: a longer optlen than the value reads zeros, never past it.
    if (optlen > 0 && bytes.size() < static_cast<std::size_t>(optlen)) bytes.resize(static_cast<std::size_t>(optlen), '\0');
    auto buf = std::make_shared<std::vector<char>>(std::move(bytes));
    return make_call(
        [=] {
            return static_cast<long>(::setsockopt(fd, level, name, buf->data(), static_cast<socklen_t>(optlen)));
        },
        [expected = c.expected](Outcome const& o) { check_result(expected, ResultCheck::exact, o); });
}

std::unique_ptr<Call> fcntl_call(CallContext& c) {
    std::size_t const n = c.args.size();
    // fcntl takes 2 or 3 arguments.
    if (n != 2 && n != 3) fail(format("fcntl expected 2-3 args but got %d", static_cast<int>(n)), c.args.call_where());
    int const fd = c.live_fd(0);
    int const command = c.args.s32(1);
    std::optional<int> arg;
    if (n == 3) arg = c.args.s32(2);
    return make_call(
        [=] { return static_cast<long>(arg ? ::fcntl(fd, command, *arg) : ::fcntl(fd, command)); },
        [expected = c.expected](Outcome const& o) { check_result(expected, ResultCheck::exact, o); });
}

std::unique_ptr<Call> ioctl_call(CallContext& c) {
    std::size_t const n = c.args.size();
    if (n != 2 && n != 3) fail(format("ioctl expected 2-3 args but got %d", static_cast<int>(n)), c.args.call_where());
    int const fd = c.live_fd(0);
    auto const command = static_cast<unsigned int>(c.args.s32(1));
    if (n == 2)
        return make_call([=] { return static_cast<long>(::ioctl(fd, command)); },
                         [expected = c.expected](Outcome const& o) { check_result(expected, ResultCheck::exact, o); });
    // The third argument is what the call is expected to write, e.g. ioctl(4, SIOCINQ, [1000]).
    std::int32_t const want = c.args.s32_bracketed(2);
    SourceLocation const where = c.args.at(2).where;
    auto got = std::make_shared<int>(0);
    return make_call([=] { return static_cast<long>(::ioctl(fd, command, got.get())); },
                     [expected = c.expected, want, got, where](Outcome const& o) {
                         check_result(expected, ResultCheck::exact, o);
                         if (*got != want) fail(format("Bad ioctl optval: expected: %d actual: %d", want, *got), where);
                     });
}

}  // namespace

std::vector<Entry> const& sockopt_calls() {
    static std::vector<Entry> const table{
        {"getsockopt", getsockopt_call},
        {"setsockopt", setsockopt_call},
        {"fcntl", fcntl_call},
        {"ioctl", ioctl_call},
    };
    return table;
}

}  // namespace pktdrill::run::syscall
