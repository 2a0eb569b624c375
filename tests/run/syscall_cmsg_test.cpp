// Control messages without a kernel: the expected cmsgs a recvmsg() line builds, compared with
// received ones made by hand, with packetdrill's messages (sock_extended_err fields, netlink
// attributes of SCM_TIMESTAMPING_OPT_STATS with `...` and the time tolerance, cmsg counts).

#include <catch2/catch.hpp>

#include <linux/errqueue.h>
#include <linux/netlink.h>
#include <netinet/in.h>

#include <boost/asio/io_context.hpp>

#include <cstring>
#include <sstream>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/run/interrupt.hpp"
#include "src/run/run_context.hpp"
#include "src/run/syscall_msghdr.hpp"
#include "src/script/build.hpp"

using namespace pktdrill;
using namespace pktdrill::run;
using namespace pktdrill::run::syscall;

namespace {

// A recvmsg() line's msghdr argument, as the executor builds it.
struct Expected {
    explicit Expected(std::string const& control)
        : file("cmsg.pkt", "--tolerance_usecs=1000\n0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 10}], "
                           "msg_flags=0, msg_control=[" + control + "]}, 0) = 10\n") {
        grammar::Diagnostics diagnostics(file);
        auto l = script::load_script(file, diagnostics, {});
        if (!l) {
            std::ostringstream out;
            diagnostics.print(out);
            FAIL("does not load:\n" << out.str());
        }
        loaded = std::move(*l);
        auto const& call = std::get<script::Syscall>(loaded.script.events.at(0).action);
        check_symbols(call.args);
        msg = make_msghdr(call.args.at(1));
    }
    grammar::SourceFile file;
    script::LoadedScript loaded;
    std::unique_ptr<MsgBuffers> msg;
};

// Received control messages, laid out as the kernel does.
class Received {
public:
    Received& add(int level, int type, void const* data, std::size_t n) {
        std::size_t const at = bytes_.size();
        // insert, not resize: g++ 12 warns falsely (-Warray-bounds) about resize's memmove here.
        bytes_.insert(bytes_.end(), CMSG_SPACE(n), '\0');
        auto* h = reinterpret_cast<cmsghdr*>(bytes_.data() + at);
        h->cmsg_level = level;
        h->cmsg_type = type;
        h->cmsg_len = CMSG_LEN(n);
        std::memcpy(CMSG_DATA(h), data, n);
        return *this;
    }
    msghdr const& msg() {
        msg_.msg_control = bytes_.empty() ? nullptr : bytes_.data();
        msg_.msg_controllen = bytes_.size();
        return msg_;
    }

private:
    std::vector<char> bytes_;
    msghdr msg_{};
};

struct Nla {
    std::vector<char> bytes;
    template <typename T>
    Nla& add(int type, T value) {
        nlattr h{};
        h.nla_type = static_cast<std::uint16_t>(type);
        h.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + sizeof(T));
        std::size_t const at = bytes.size();
        bytes.resize(at + NLA_ALIGN(NLA_HDRLEN + sizeof(T)), '\0');
        std::memcpy(bytes.data() + at, &h, sizeof h);
        std::memcpy(bytes.data() + at + NLA_HDRLEN, &value, sizeof value);
        return *this;
    }
};

// TCP_NLA_* numbers (linux/tcp.h).
constexpr int nla_busy = 1, nla_snd_cwnd = 8, nla_ca_state = 14;

struct Context {
    explicit Context(Expected const& e) : interrupts(io), ctx(e.file, e.loaded.script, e.loaded.config, io, interrupts, out) {}
    boost::asio::io_context io;
    Interrupts interrupts;
    std::ostringstream out;
    RunContext ctx;
};

std::string failure(Expected const& e, Received& r) {
    Context c(e);
    try {
        check_cmsgs(c.ctx, e.msg->msg, r.msg());
    } catch (CallError const& error) {
        return error.message;
    }
    return "";
}

}  // namespace

TEST_CASE("IP_RECVERR cmsgs are compared field by field as sock_extended_err") {
    Expected e("{cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data={ee_errno=0, ee_origin=SO_EE_ORIGIN_ZEROCOPY, "
               "ee_type=0, ee_code=SO_EE_CODE_ZEROCOPY_COPIED, ee_info=2, ee_data=5}}");
    struct {
        sock_extended_err ee;
        sockaddr_in offender;
    } data{};
    data.ee.ee_origin = SO_EE_ORIGIN_ZEROCOPY;
    data.ee.ee_code = SO_EE_CODE_ZEROCOPY_COPIED;
    data.ee.ee_info = 2;
    data.ee.ee_data = 5;
    Received ok;
    ok.add(SOL_IP, IP_RECVERR, &data, sizeof data);
    CHECK(failure(e, ok) == "");
    data.ee.ee_data = 7;
    Received wrong;
    wrong.add(SOL_IP, IP_RECVERR, &data, sizeof data);
    CHECK(failure(e, wrong) == "Bad data in extended err 0: expected=5 actual=7");
}

TEST_CASE("OPT_STATS attributes are compared by type and length, `...` skips a value, times use the tolerance") {
    Expected e("{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING_OPT_STATS, "
               "cmsg_data={TCP_NLA_BUSY=5000, TCP_NLA_SND_CWND=10, TCP_NLA_CA_STATE=...}}");
    auto received = [](std::uint64_t busy, std::uint32_t cwnd, std::uint8_t ca, int third_type = nla_ca_state) {
        Nla n;
        n.add(nla_busy, busy).add(nla_snd_cwnd, cwnd).add(third_type, ca);
        auto r = std::make_unique<Received>();
        r->add(SOL_SOCKET, SCM_TIMESTAMPING_OPT_STATS, n.bytes.data(), n.bytes.size());
        return r;
    };
    CHECK(failure(e, *received(5000, 10, 3)) == "");
    CHECK(failure(e, *received(5900, 10, 1)) == "");  // within --tolerance_usecs=1000
    CHECK(failure(e, *received(6001, 10, 1)) == "Bad TCP_NLA_BUSY: expected=5000 actual=6001");
    CHECK(failure(e, *received(5000, 11, 1)) == "Bad TCP_NLA_SND_CWND: expected=10 actual=11");
    CHECK(failure(e, *received(5000, 10, 1, 12)) == "Bad nla_type 0: expected=14 actual=12");
}

TEST_CASE("an expected busy time of 0 means exactly 0") {
    Expected e("{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING_OPT_STATS, cmsg_data={TCP_NLA_BUSY=0}}");
    Nla n;
    n.add(nla_busy, std::uint64_t{1});
    Received r;
    r.add(SOL_SOCKET, SCM_TIMESTAMPING_OPT_STATS, n.bytes.data(), n.bytes.size());
    CHECK(failure(e, r) == "Bad TCP_NLA_BUSY: expected=0 actual=1");
}

TEST_CASE("cmsgs are counted, and their level, type and length compared in order") {
    Expected e("{cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=64}, {cmsg_level=SOL_IP, cmsg_type=IP_TOS, cmsg_data=0}");
    int const ttl = 64, tos = 0;
    Received both;
    both.add(SOL_IP, IP_TTL, &ttl, sizeof ttl).add(SOL_IP, IP_TOS, &tos, sizeof tos);
    CHECK(failure(e, both) == "");
    Received one;
    one.add(SOL_IP, IP_TTL, &ttl, sizeof ttl);
    CHECK(failure(e, one) == "received only 1 cmsgs");
    Received three;
    three.add(SOL_IP, IP_TTL, &ttl, sizeof ttl).add(SOL_IP, IP_TOS, &tos, sizeof tos).add(SOL_IP, IP_TTL, &ttl, sizeof ttl);
    // The expected buffer ends after two; a third received one is more than expected.
    CHECK(failure(e, three) == "received more than 2 cmsgs");
    Received swapped;
    swapped.add(SOL_IP, IP_TOS, &tos, sizeof tos).add(SOL_IP, IP_TTL, &ttl, sizeof ttl);
    CHECK(failure(e, swapped) == "Bad type in cmsg 0: expected=2 actual=1");
    std::uint8_t const short_tos = 0;
    Received short_one;
    short_one.add(SOL_IP, IP_TTL, &ttl, sizeof ttl).add(SOL_IP, IP_TOS, &short_tos, sizeof short_tos);
    CHECK(failure(e, short_one) == "Bad len in cmsg 1: expected=20 actual=17");
}

TEST_CASE("cmsg data of unknown forms and out-of-range attribute values are refused") {
    auto error = [](std::string const& control) {
        try {
            Expected e(control);
        } catch (CallError const& error) {
            return error.message;
        }
        return std::string();
    };
    CHECK(error("{cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=\"x\"}") == "Unrecognized type for cmsg_data");
    CHECK(error("{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING_OPT_STATS, cmsg_data={TCP_NLA_CA_STATE=256}}") ==
          "out of bound u8 value specified");
    CHECK(error("{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING_OPT_STATS, cmsg_data={99=1}}") == "bad NLA type 99");
}
