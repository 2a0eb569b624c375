#include "src/run/syscall_msghdr.hpp"

#include <linux/errqueue.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <time.h>

#include <cstdlib>
#include <cstring>
#include <span>

namespace pktdrill::run::syscall {

using namespace script;

namespace {

std::vector<Expr> const& list_items(Expr const& e) {
    check_type(e, "list");
    if (auto const* l = std::get_if<List>(&e.value)) return l->items;
    return std::get<Braced>(e.value).items;
}

// The attributes of SCM_TIMESTAMPING_OPT_STATS that packetdrill knows, by type (linux/tcp.h's
// TCP_NLA_* order), with the size of their values.
struct NlaInfo {
    char const* name;
    int size;
};
constexpr NlaInfo tcp_nla[] = {
    {"TCP_NLA_PAD", 4},          {"TCP_NLA_BUSY", 8},           {"TCP_NLA_RWND_LIMITED", 8},
    {"TCP_NLA_SNDBUF_LIMITED", 8}, {"TCP_NLA_DATA_SEGS_OUT", 8},  {"TCP_NLA_TOTAL_RETRANS", 8},
    {"TCP_NLA_PACING_RATE", 8},  {"TCP_NLA_DELIVERY_RATE", 8},  {"TCP_NLA_SND_CWND", 4},
    {"TCP_NLA_REORDERING", 4},   {"TCP_NLA_MIN_RTT", 4},        {"TCP_NLA_RECUR_RETRANS", 1},
    {"TCP_NLA_DELIVERY_RATE_APP_LMT", 1}, {"TCP_NLA_SNDQ_SIZE", 4}, {"TCP_NLA_CA_STATE", 1},
    {"TCP_NLA_SND_SSTHRESH", 4}, {"TCP_NLA_DELIVERED", 4},      {"TCP_NLA_DELIVERED_CE", 4},
    {"TCP_NLA_BYTES_SENT", 8},   {"TCP_NLA_BYTES_RETRANS", 8},  {"TCP_NLA_DSACK_DUPS", 4},
    {"TCP_NLA_REORD_SEEN", 4},   {"TCP_NLA_SRTT", 4},
};
constexpr int nla_count = static_cast<int>(std::size(tcp_nla));

// `...` as an attribute value: packetdrill stores ~0U in the expected attribute and skips
// values equal to it (so a real value of 0xffffffff is never checked either).
constexpr std::uint64_t nla_ignore = 0xFFFFFFFFu;

enum NlaType {
    nla_busy = 1, nla_rwnd_limited, nla_sndbuf_limited, nla_data_segs_out, nla_total_retrans, nla_pacing_rate,
    nla_delivery_rate, nla_snd_cwnd, nla_reordering, nla_min_rtt, nla_recur_retrans, nla_delivery_rate_app_lmt,
    nla_sndq_size, nla_ca_state, nla_snd_ssthresh, nla_delivered, nla_delivered_ce, nla_bytes_sent,
    nla_bytes_retrans, nla_dsack_dups, nla_reord_seen, nla_srtt,
};

// Encodes `{TCP_NLA_BUSY=..., TCP_NLA_SND_CWND=10}` as the kernel lays the attributes out.
std::vector<char> nla_list(Expr const& e) {
    std::vector<char> out;
    for (auto const& item : list_items(e)) {
        check_type(item, "binary_expression");
        auto const& b = std::get<Binary>(item.value);
        if (b.op != '=') fail("expected NAME=value in an attribute list", item.where);
        std::int64_t const key = to_s64(*b.lhs);
        Expr const& value = *b.rhs;
        if (!integer_value(value) && !is_ellipsis(value)) fail("values must be numeric or ellipsis", value.where);
        if (key < 0 || key >= nla_count) fail(format("bad NLA type %lld", static_cast<long long>(key)), b.lhs->where);
        int const size = tcp_nla[key].size;
        std::uint64_t v = nla_ignore;
        if (auto const n = integer_value(value)) {
            if (size == 1 && (*n < 0 || *n > 0xFF)) fail("out of bound u8 value specified", value.where);
            if (size == 4 && (*n < 0 || *n > 0xFFFFFFFFll)) fail("out of bound u32 value specified", value.where);
            v = static_cast<std::uint64_t>(*n);
        }
        nlattr header{};
        header.nla_type = static_cast<std::uint16_t>(key);
        header.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + size);
        std::size_t const at = out.size();
        out.resize(at + NLA_ALIGN(NLA_HDRLEN + size), '\0');
        std::memcpy(out.data() + at, &header, sizeof header);
        // The low-order bytes of the value, as a little-endian memcpy of a u64 gives them.
        std::memcpy(out.data() + at + NLA_HDRLEN, &v, static_cast<std::size_t>(size));
    }
    return out;
}

// The data of one cmsg, as packetdrill's cmsg_new() lays it out.
std::vector<char> cmsg_data(int level, Expr const& data) {
    std::vector<char> out;
    if (integer_value(data)) {
        std::int32_t const v = to_s32(data);
        out.resize(sizeof v);
        std::memcpy(out.data(), &v, sizeof v);
    } else if (auto const* ts = std::get_if<ScmTimestamping>(&data.value)) {
        scm_timestamping t{};
        t.ts[0].tv_sec = static_cast<time_t>(ts->sec);
        t.ts[0].tv_nsec = static_cast<long>(ts->nsec);
        out.resize(sizeof t);
        std::memcpy(out.data(), &t, sizeof t);
    } else if (std::holds_alternative<List>(data.value) || std::holds_alternative<Braced>(data.value)) {
        out = nla_list(data);
    } else if (auto const* ee = std::get_if<SockExtendedErr>(&data.value)) {
        // ip(v6)_recv_error() appends the offender's address to the struct.
        out.resize(sizeof(sock_extended_err) + (level == SOL_IP ? sizeof(sockaddr_in) : sizeof(sockaddr_in6)), '\0');
        sock_extended_err e{};
        e.ee_errno = static_cast<std::uint32_t>(to_s32(*ee->ee_errno));
        e.ee_origin = static_cast<std::uint8_t>(to_s8(*ee->origin));
        e.ee_type = static_cast<std::uint8_t>(to_s8(*ee->type));
        e.ee_code = static_cast<std::uint8_t>(to_s8(*ee->code));
        e.ee_info = static_cast<std::uint32_t>(to_s32(*ee->info));
        e.ee_data = static_cast<std::uint32_t>(to_s32(*ee->data));
        std::memcpy(out.data(), &e, sizeof e);
    } else {
        fail("Unrecognized type for cmsg_data", data.where);
    }
    return out;
}

void fill_control(Expr const& e, MsgBuffers& m) {
    m.control.assign(max_control_length, '\0');
    m.msg.msg_control = m.control.data();
    m.msg.msg_controllen = m.control.size();
    std::size_t used = 0;
    for (auto const& item : list_items(e)) {
        check_type(item, "cmsg");
        auto const& c = std::get<Cmsg>(item.value);
        int const level = to_s32(*c.level);
        int const type = to_s32(*c.type);
        std::vector<char> const data = cmsg_data(level, *c.data);
        if (used + CMSG_SPACE(data.size()) > max_control_length)
            fail(format("cmsgs need more than %zu bytes of msg_control", max_control_length), item.where);
        auto* h = reinterpret_cast<cmsghdr*>(m.control.data() + used);
        h->cmsg_level = level;
        h->cmsg_type = type;
        h->cmsg_len = CMSG_LEN(data.size());
        std::memcpy(CMSG_DATA(h), data.data(), data.size());
        used += CMSG_SPACE(data.size());
    }
    m.msg.msg_controllen = used;
    // Without cmsgs the kernel gets no room for any (and reports MSG_CTRUNC), as in packetdrill.
}

Micros timespec_us(timespec const& ts) { return static_cast<Micros>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000; }

Micros realtime_us() {
    timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return timespec_us(ts);
}

void check_extended_err(sock_extended_err const& want, sock_extended_err const& got, int index) {
    auto check = [&](char const* what, unsigned w, unsigned g) {
        if (w != g) fail(format("Bad %s in extended err %d: expected=%u actual=%u", what, index, w, g));
    };
    check("errno", want.ee_errno, got.ee_errno);
    check("origin", want.ee_origin, got.ee_origin);
    check("type", want.ee_type, got.ee_type);
    check("code", want.ee_code, got.ee_code);
    check("info", want.ee_info, got.ee_info);
    check("data", want.ee_data, got.ee_data);
}

void check_timestamping(RunContext const& ctx, scm_timestamping const& want, scm_timestamping const& got, int index) {
    // Kernel timestamps are CLOCK_REALTIME; script times count from the run's start on
    // CLOCK_MONOTONIC. packetdrill's clock is the realtime one, so its messages print realtime
    // microseconds; so do these.
    Micros const start = ctx.live_start + (realtime_us() - now_us());
    for (int i = 0; i < 3; ++i) {
        if (want.ts[i].tv_sec == 0 && want.ts[i].tv_nsec == 0) continue;  // 0: not checked
        Micros const expected = timespec_us(want.ts[i]) + start;
        Micros const actual = timespec_us(got.ts[i]);
        if (std::llabs(expected - actual) > ctx.config.tolerance_usecs)
            fail(format("Bad timestamp %d in scm_timestamping %d: expected=%lld (%lld) actual=%lld (%lld) start=%lld", i,
                        index, static_cast<long long>(expected), static_cast<long long>(expected - start),
                        static_cast<long long>(actual), static_cast<long long>(actual - start),
                        static_cast<long long>(start)));
    }
}

template <typename T>
T load(char const* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

void check_opt_stats(RunContext const& ctx, char const* want, char const* got, std::size_t length, int index) {
    std::int64_t const tolerance = ctx.config.tolerance_usecs;
    std::size_t offset = 0;
    while (offset + NLA_HDRLEN <= length) {
        auto const w = load<nlattr>(want + offset);
        auto const g = load<nlattr>(got + offset);
        if (w.nla_type != g.nla_type)
            fail(format("Bad nla_type %d: expected=%u actual=%u", index, w.nla_type, g.nla_type));
        if (w.nla_len != g.nla_len) fail(format("Bad nla_len %d: expected=%u actual=%u", index, w.nla_len, g.nla_len));
        if (w.nla_len < NLA_HDRLEN || offset + w.nla_len > length) fail(format("Bad nla_len %d: %u", index, w.nla_len));
        char const* wv = want + offset + NLA_HDRLEN;
        char const* gv = got + offset + NLA_HDRLEN;
        char const* name = w.nla_type < nla_count ? tcp_nla[w.nla_type].name : "?";
        switch (w.nla_type) {
        case nla_busy:
        case nla_rwnd_limited:
        case nla_sndbuf_limited: {
            // Times: within the tolerance, but an expected 0 means exactly 0.
            auto const e = load<std::uint64_t>(wv), a = load<std::uint64_t>(gv);
            bool const ok = e == nla_ignore || (e ? std::llabs(static_cast<std::int64_t>(e - a)) <= tolerance : a == 0);
            if (!ok)
                fail(format("Bad %s: expected=%llu actual=%llu", name, static_cast<unsigned long long>(e),
                            static_cast<unsigned long long>(a)));
            break;
        }
        case nla_data_segs_out:
        case nla_total_retrans:
        case nla_pacing_rate:
        case nla_delivery_rate:
        case nla_bytes_sent:
        case nla_bytes_retrans: {
            auto const e = load<std::uint64_t>(wv), a = load<std::uint64_t>(gv);
            if (e != a && e != nla_ignore)
                fail(format("Bad %s: expected=%llu actual=%llu", name, static_cast<unsigned long long>(e),
                            static_cast<unsigned long long>(a)));
            break;
        }
        case nla_snd_cwnd:
        case nla_reordering:
        case nla_min_rtt:
        case nla_sndq_size:
        case nla_snd_ssthresh:
        case nla_delivered:
        case nla_delivered_ce:
        case nla_dsack_dups:
        case nla_reord_seen:
        case nla_srtt: {
            auto const e = load<std::uint32_t>(wv), a = load<std::uint32_t>(gv);
            if (e != a && e != static_cast<std::uint32_t>(nla_ignore))
                fail(format("Bad %s: expected=%u actual=%u", name, e, a));
            break;
        }
        case nla_recur_retrans:
        case nla_delivery_rate_app_lmt:
        case nla_ca_state: {
            auto const e = load<std::uint8_t>(wv), a = load<std::uint8_t>(gv);
            if (e != a && e != static_cast<std::uint8_t>(nla_ignore))
                fail(format("Bad %s: expected=%u actual=%u", name, unsigned{e}, unsigned{a}));
            break;
        }
        default:
            fail(format("unexpected attribute type %u in cmsg %d", w.nla_type, index));
        }
        offset += NLA_ALIGN(w.nla_len);
    }
}

std::string hex(unsigned char const* p, std::size_t n) {
    std::string out = "0x";
    for (std::size_t i = 0; i < n; ++i) out += format("%02x", p[i]);
    return out;
}

}  // namespace

std::unique_ptr<IovecArray> make_iovecs(Expr const& e) {
    auto out = std::make_unique<IovecArray>();
    for (auto const& item : list_items(e)) {
        check_type(item, "iovec");
        auto const& v = std::get<Iovec>(item.value);
        std::int64_t const length = to_s64(*v.length);
        out->buffers.emplace_back(length, false, v.length->where);
    }
    for (auto& b : out->buffers) out->iov.push_back(iovec{b.data(), b.size()});
    return out;
}

std::unique_ptr<MsgBuffers> make_msghdr(Expr const& e) {
    check_type(e, "msghdr");
    auto const& m = std::get<Msghdr>(e.value);
    auto out = std::make_unique<MsgBuffers>();
    out->msg.msg_name = &out->name;
    out->msg.msg_namelen = sizeof out->name;
    out->iovecs = std::move(*make_iovecs(*m.iov));
    out->msg.msg_iov = out->iovecs.iov.data();
    std::int32_t const iovlen = to_s32(*m.iov_count);
    if (static_cast<std::size_t>(iovlen) != out->iovecs.iov.size() || iovlen < 0)
        fail(format("msg_iovlen %d does not match %d-element iovec array", iovlen,
                    static_cast<int>(out->iovecs.iov.size())),
             m.iov_count->where);
    out->msg.msg_iovlen = static_cast<std::size_t>(iovlen);
    if (m.control) {
        fill_control(**m.control, *out);
    } else {
        // packetdrill's grammar gives a msghdr without msg_control an empty cmsg list.
        fill_control(Expr{List{}, e.where}, *out);
    }
    out->msg.msg_flags = to_s32(*m.flags);
    return out;
}

void check_cmsgs(RunContext const& ctx, msghdr const& expected, msghdr const& actual) {
    std::size_t const header = CMSG_ALIGN(sizeof(cmsghdr));
    // CMSG_NXTHDR takes non-const pointers; it only reads.
    auto* want_msg = const_cast<msghdr*>(&expected);
    auto* got_msg = const_cast<msghdr*>(&actual);
    cmsghdr* want = CMSG_FIRSTHDR(want_msg);
    cmsghdr* got = CMSG_FIRSTHDR(got_msg);
    int i = 0;
    for (; want && got && want->cmsg_len && got->cmsg_len;
         want = CMSG_NXTHDR(want_msg, want), got = CMSG_NXTHDR(got_msg, got), ++i) {
        if (got->cmsg_level != want->cmsg_level)
            fail(format("Bad level in cmsg %d: expected=%d actual=%d", i, want->cmsg_level, got->cmsg_level));
        if (got->cmsg_type != want->cmsg_type)
            fail(format("Bad type in cmsg %d: expected=%d actual=%d", i, want->cmsg_type, got->cmsg_type));
        if (got->cmsg_len != want->cmsg_len)
            fail(format("Bad len in cmsg %d: expected=%zu actual=%zu", i, static_cast<std::size_t>(want->cmsg_len),
                        static_cast<std::size_t>(got->cmsg_len)));
        auto const* wd = reinterpret_cast<char const*>(CMSG_DATA(want));
        auto const* gd = reinterpret_cast<char const*>(CMSG_DATA(got));
        std::size_t const n = got->cmsg_len - header;
        if ((got->cmsg_level == SOL_IP && got->cmsg_type == IP_RECVERR) ||
            (got->cmsg_level == SOL_IPV6 && got->cmsg_type == IPV6_RECVERR)) {
            check_extended_err(load<sock_extended_err>(wd), load<sock_extended_err>(gd), i);
        } else if (got->cmsg_level == SOL_SOCKET && got->cmsg_type == SCM_TIMESTAMPING) {
            check_timestamping(ctx, load<scm_timestamping>(wd), load<scm_timestamping>(gd), i);
        } else if (got->cmsg_level == SOL_SOCKET && got->cmsg_type == SCM_TIMESTAMPING_OPT_STATS) {
            check_opt_stats(ctx, wd, gd, n, i);
        } else if (std::memcmp(wd, gd, n) != 0) {
            // packetdrill prints the data as C strings; bytes in hex say more.
            fail(format("Bad data in cmsg %d: expected=%s actual=%s", i,
                        hex(reinterpret_cast<unsigned char const*>(wd), n).c_str(),
                        hex(reinterpret_cast<unsigned char const*>(gd), n).c_str()));
        }
    }
    if (!got && !want) return;
    if (got && !want) fail(format("received more than %d cmsgs", i));
    if (!got && want) fail(format("received only %d cmsgs", i));
    fail("cmsgs do not match");
}

}  // namespace pktdrill::run::syscall
