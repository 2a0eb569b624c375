#include "src/lint/lint.hpp"

#include <time.h>

#include <algorithm>
#include <memory>
#include <ostream>

#include "src/lint/script_text.hpp"
#include "src/run/symbols.hpp"
#include "src/run/syscall_call.hpp"
#include "src/script/render.hpp"

namespace pktdrill::lint {

namespace {

constexpr CheckInfo check_table[] = {
    {"ack-missing", true, "an inbound segment with the ACK flag but no `ack` value (it carries ack 0)"},
    {"ack-unsent", true, "an inbound `ack` beyond what the kernel can have sent by that line"},
    {"seq-gap", true, "an inbound segment that skips sequence numbers the peer never sends"},
    {"seq-overlap", true, "an inbound segment that lies before, or overlaps, what the peer sent already"},
    {"zero-after-blocking", true, "a `+0` line right after a blocking call: it counts from the call's start"},
    {"narrow-range", true, "a time range narrower than the tolerance, which then decides alone"},
    {"tolerance-below-tick", true, "a --tolerance_usecs below the kernel's timer tick on this machine"},
    {"unknown-syscall", true, "a system call pktdrill does not know (packetdrill finds out at run time)"},
    {"unknown-symbol", true, "a symbol or errno name pktdrill does not know (found at run time otherwise)"},
    {"unchecked-fin", true, "close() or shutdown() sends a FIN that no `>` line checks"},
    {"open-socket", false, "a socket still open at the end of the script"},
};

using Micros = std::int64_t;
using grammar::FixIt;
namespace ast = grammar::ast;
namespace flag = script::tcp_flag;

std::string secs(Micros us) { return script::format_time_value(us) + " s"; }

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t const up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// The one closest name within 2 edits (and closer than any other), for a "did you mean" fix-it.
template <typename Names>
std::optional<std::string> closest(std::string_view wrong, Names const& names) {
    std::optional<std::string> best;
    std::size_t best_distance = 3;
    bool tie = false;
    for (std::string_view name : names) {
        std::size_t const d = edit_distance(wrong, name);
        if (d < best_distance) {
            best = std::string(name);
            best_distance = d;
            tie = false;
        } else if (d == best_distance) {
            tie = true;
        }
    }
    return tie ? std::nullopt : best;
}

std::vector<std::string_view> syscall_names() {
    std::vector<std::string_view> out;
    using namespace run::syscall;
    for (auto const* group : {&socket_calls(), &io_calls(), &sockopt_calls(), &poll_calls(), &misc_calls()})
        for (auto const& e : *group) out.push_back(e.name);
    return out;
}

std::optional<std::int64_t> integer(script::Expr const& e) {
    if (auto const* i = std::get_if<script::Integer>(&e.value)) return i->value;
    if (auto const* s = std::get_if<script::Symbol>(&e.value)) return run::lookup_symbol(s->name);
    if (auto const* b = std::get_if<script::Binary>(&e.value); b && b->op == '|') {
        auto const l = integer(*b->lhs), r = integer(*b->rhs);
        if (l && r) return *l | *r;
    }
    return std::nullopt;
}

bool mentions(script::Expr const& e, std::string_view symbol) {
    if (auto const* s = std::get_if<script::Symbol>(&e.value)) return s->name == symbol;
    if (auto const* b = std::get_if<script::Binary>(&e.value)) return mentions(*b->lhs, symbol) || mentions(*b->rhs, symbol);
    return false;
}

// Sequence numbers, relative to the ISN of their side (the script's numbers for non-SYN
// segments): 64 bits, so that no test wraps.
using Seq = std::uint64_t;

struct Socket;

// One connection of the socket under test, as the script drives it.
struct Conn {
    bool passive = false;
    std::optional<int> listener_fd;
    std::optional<int> fd;
    bool established = false;
    bool reset = false;
    bool linger_zero = false;

    // The kernel's side.
    bool kernel_syn = false;      // it sends (or sent) its SYN or SYN-ACK
    std::uint32_t kernel_isn = 0; // as the script numbers it (the `>` line of the SYN says)
    bool kernel_unknown = false;  // data went out by ways the model does not count
    Seq written = 0;              // data handed to the kernel
    Seq checked_end = 0;          // how far `>` lines went
    bool fin_queued = false;
    Seq fin_seq = 0;
    std::optional<std::size_t> fin_event;  // the close() or shutdown() that sends it
    bool fin_checked = false;

    // The peer's side.
    bool peer_syn = false;
    Seq peer_next = 0;                         // the next byte the kernel expects, in order
    std::vector<std::pair<Seq, Seq>> pending;  // out-of-order ranges [begin, end)
    std::optional<Seq> peer_fin;
    std::optional<std::uint32_t> last_ack;  // the peer's last `ack`, as written
    Seq peer_bytes = 0;
    Seq read_bytes = 0;
    bool reads_unknown = false;

    struct Gap {
        std::size_t event;
        Seq from;
        Seq to;
    };
    std::vector<Gap> gaps;
    std::uint32_t peer_isn = 0;  // the peer's SYN, as written

    // Inbound acks beyond what the kernel can have sent by their line: judged when the
    // connection is left, against all the kernel sends in the script.
    struct Early {
        std::size_t event;
        std::uint32_t ack;
        std::uint32_t base;  // the kernel's ISN for a SYN-ACK, 0 otherwise
        Seq limit;           // what the kernel could have sent by then
    };
    std::vector<Early> early_acks;

    bool touched_after_fin = false;  // an event about this connection came after its FIN
    bool any_after_fin = false;      // any event did

    // The end of what the kernel can have sent so far (relative to its ISN).
    Seq kernel_limit() const {
        return std::max<Seq>(checked_end, (kernel_syn ? 1 : 0) + written + (fin_queued ? 1 : 0));
    }
};

struct Socket {
    std::size_t created = 0;  // the event that made the fd
    bool open = true;
    bool listening = false;
    Conn* conn = nullptr;     // its connection (none for a listener)
};

class Linter {
public:
    Linter(ScriptText const& st, LintOptions const& options, std::vector<Finding>& out)
        : st_(st), text_(st.file->text()), events_(st.loaded.script.events), config_(st.loaded.config),
          options_(options), out_(out), ranges_(st.events.size() == events_.size()) {}

    void run() {
        check_tolerance();
        auto const nominal = script::nominal_times(st_.loaded.script);
        for (std::size_t i = 0; i < events_.size(); ++i) {
            auto const& e = events_[i];
            if (sut_ && sut_->fin_event && i > *sut_->fin_event) {
                sut_->any_after_fin = true;
                if (concerns(e, *sut_)) sut_->touched_after_fin = true;
            }
            check_timing(i, nominal);
            if (auto const* p = std::get_if<script::Packet>(&e.action)) {
                if (auto const* tcp = std::get_if<script::TcpSegment>(&p->transport)) {
                    if (p->direction == script::Direction::inbound) inbound(i, *tcp);
                    else outbound(i, *tcp);
                } else if (std::holds_alternative<script::IcmpMessage>(p->transport) &&
                           p->direction == script::Direction::inbound && sut_) {
                    // An ICMP error may end the connection (a TFO child in SYN_RECV): what the
                    // peer sends after it is no longer judged by the sequence it had.
                    sut_->reset = true;
                }
            } else if (auto const* call = std::get_if<script::Syscall>(&e.action)) {
                syscall(i, *call);
            }
        }
        if (sut_) finish(*sut_, true);
        if (options_.enabled("open-socket")) {
            for (auto const& [fd, s] : sockets_) {
                if (!s.open) continue;
                warn("open-socket", offset(s.created), 0,
                     "fd " + std::to_string(fd) +
                         " is still open at the end of the script: pktdrill closes it and resets the "
                         "connection after the last line, so what the kernel sends then is never checked; close it "
                         "and add the `>` lines of its end, or end with a command that holds the state");
            }
        }
    }

private:
    // ---- Reporting

    std::size_t offset(std::size_t event) const {
        return ranges_ ? st_.events[event].begin : st_.file->offset_of(events_[event].where);
    }

    void warn(std::string const& check, std::size_t at, std::size_t length, std::string message,
              std::optional<FixIt> fix = std::nullopt) {
        if (!options_.enabled(check)) return;
        Finding f;
        f.check = check;
        f.diagnostic.severity = grammar::Severity::warning;
        f.diagnostic.where = st_.file->location(at);
        f.diagnostic.range_length = length;
        f.diagnostic.message = std::move(message) + " [-W" + check + "]";
        f.diagnostic.fix = std::move(fix);
        out_.push_back(std::move(f));
    }

    ast::tcp_segment const* ast_segment(std::size_t event) const {
        if (!ranges_) return nullptr;
        auto const* p = boost::get<ast::packet>(&st_.events[event].what);
        return p ? boost::get<ast::tcp_segment>(&p->body) : nullptr;
    }
    ast::syscall const* ast_call(std::size_t event) const {
        return ranges_ ? boost::get<ast::syscall>(&st_.events[event].what) : nullptr;
    }

    // A line to add after event `event`'s line, indented like it.
    FixIt add_line_after(std::size_t event, std::string const& line) const {
        auto const& a = st_.events[event];
        std::size_t const end = token_end(text_, a.begin, a.end);
        LineExtent const l = line_of(text_, end > a.begin ? end - 1 : end);
        LineExtent const first = line_of(text_, a.begin);
        std::string const indent = text_.substr(first.begin, first.indent_end - first.begin);
        bool const newline_first = l.next == text_.size() && !text_.empty() && text_.back() != '\n';
        return FixIt{l.next, l.next, (newline_first ? "\n" : "") + indent + line + "\n"};
    }

    // ---- Options and timing

    void check_tolerance() {
        std::int64_t const tick = options_.tick_usecs.value_or(kernel_tick_usecs());
        for (auto const& o : st_.options) {
            if (o.name != "tolerance_usecs" || !o.value) continue;
            std::int64_t value = 0;
            try {
                value = std::stoll(*o.value);
            } catch (...) {
                continue;
            }
            if (value >= tick) continue;
            std::size_t const at = o.begin + o.value_begin;
            warn("tolerance-below-tick", at, o.value->size(),
                 "a tolerance of " + std::to_string(value) + " us is below one tick of this kernel's timers (" +
                     std::to_string(tick) +
                     " us): retransmissions, delayed ACKs and probes fire on ticks, so packets they send miss "
                     "such a tolerance at random",
                 FixIt{at, at + o.value->size(), std::to_string(tick)});
        }
    }

    void check_timing(std::size_t i, std::vector<Micros> const& nominal) {
        using script::TimeKind;
        auto const& e = events_[i];
        auto const* packet = std::get_if<script::Packet>(&e.action);
        bool const outbound = packet && packet->direction == script::Direction::outbound;
        std::size_t const time_at = ranges_ ? st_.events[i].time.begin : offset(i);
        std::size_t const time_length =
            ranges_ ? token_end(text_, st_.events[i].time.begin, st_.events[i].time.end) - st_.events[i].time.begin : 0;

        // Ranges: the run accepts [start - tolerance, end + tolerance].
        if (outbound && (e.time.kind == TimeKind::absolute_range || e.time.kind == TimeKind::relative_range)) {
            Micros const gap = e.time.kind == TimeKind::relative_range ? e.time.start
                                                                        : e.time.start - (i ? nominal[i - 1] : 0);
            Micros const tol = std::max<Micros>(
                config_.tolerance_usecs,
                static_cast<Micros>(config_.tolerance_percent / 100.0 * static_cast<double>(std::max<Micros>(gap, 0))));
            Micros const width = e.time.end - e.time.start;
            if (width < tol)
                warn("narrow-range", time_at, time_length,
                     "this range is " + secs(width) + " wide, narrower than the tolerance here (" + secs(tol) +
                         ", the larger of --tolerance_usecs and --tolerance_percent of the " + secs(gap) +
                         " since the line before): the run accepts the packet from " + secs(tol) +
                         " before the range to " + secs(tol) + " after it, so the range hardly constrains it");
        }

        // `+0` right after a blocking call counts from the call's start: the run does not wait for it.
        if (i == 0 || e.time.kind != TimeKind::relative || e.time.start != 0) return;
        auto const* before = std::get_if<script::Syscall>(&events_[i - 1].action);
        if (!before || !before->end) return;
        Micros const duration = *before->end - events_[i - 1].time.start;
        if (duration <= 0) return;
        if (auto const* call = std::get_if<script::Syscall>(&e.action); call && !call->end) {
            std::optional<FixIt> fix;
            if (ranges_)
                fix = FixIt{time_at, time_at + time_length, "+" + script::format_time_value(duration)};
            warn("zero-after-blocking", time_at, time_length,
                 "`+0` after a blocking call counts from when " + before->name + "() started to block: this " +
                     call->name + "() is due while it still blocks (it returns " + secs(duration) +
                     " later), and waits for it; write the time it is meant to run at",
                 std::move(fix));
        }
    }

    // ---- System calls

    std::optional<int> fd_arg(script::Syscall const& call, std::size_t i) const {
        if (i >= call.args.size()) return std::nullopt;
        auto const v = integer(call.args[i]);
        return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
    }
    Conn* conn_of(std::optional<int> fd) {
        if (!fd) return nullptr;
        auto it = sockets_.find(*fd);
        return it == sockets_.end() || !it->second.open ? nullptr : it->second.conn;
    }

    Conn& new_conn() {
        conns_.push_back(std::make_unique<Conn>());
        return *conns_.back();
    }
    void make_sut(Conn* c) {
        if (sut_ && sut_ != c) finish(*sut_, false);
        sut_ = c;
    }

    // Whether an event is about the connection: a packet line (they all go to the socket under
    // test), or a call on its fd.
    bool concerns(script::Event const& e, Conn const& c) const {
        if (std::holds_alternative<script::Packet>(e.action)) return true;
        auto const* call = std::get_if<script::Syscall>(&e.action);
        return call && c.fd && fd_arg(*call, 0) == c.fd && call->name != "socket";
    }

    void syscall(std::size_t i, script::Syscall const& call) {
        check_names(i, call);
        auto const result = integer(call.result);
        bool const failed = result && *result < 0;
        std::string const& n = call.name;
        if (n == "socket") {
            if (!result || *result < 0) return;
            Socket s;
            s.created = i;
            s.conn = &new_conn();
            sockets_[static_cast<int>(*result)] = s;
            make_sut(s.conn);
        } else if (n == "listen") {
            if (auto it = sockets_.find(fd_arg(call, 0).value_or(-1)); it != sockets_.end()) it->second.listening = true;
        } else if (n == "accept") {
            if (failed || !result) return;
            auto const listener = fd_arg(call, 0);
            Conn* child = nullptr;
            for (auto& c : conns_)
                if (c->passive && c->listener_fd == listener && !c->fd) child = c.get();
            Socket s;
            s.created = i;
            s.conn = child ? child : &new_conn();
            s.conn->fd = static_cast<int>(*result);
            sockets_[static_cast<int>(*result)] = s;
        } else if (n == "connect") {
            if (Conn* c = conn_of(fd_arg(call, 0))) c->kernel_syn = true;
        } else if (n == "write" || n == "writev" || n == "send" || n == "sendto" || n == "sendmsg") {
            Conn* c = conn_of(fd_arg(call, 0));
            if (!c) return;
            bool const fast_open = std::any_of(call.args.begin(), call.args.end(),
                                               [](script::Expr const& a) { return mentions(a, "MSG_FASTOPEN"); });
            if (fast_open) c->kernel_syn = true;
            sent(*c, result);
        } else if (n == "sendfile") {
            if (Conn* c = conn_of(fd_arg(call, 0))) sent(*c, result);
        } else if (n == "splice") {
            if (Conn* c = conn_of(fd_arg(call, 2))) sent(*c, result);
        } else if (n == "read" || n == "readv" || n == "recv" || n == "recvfrom" || n == "recvmsg") {
            Conn* c = conn_of(fd_arg(call, 0));
            if (!c) return;
            if (!result) c->reads_unknown = true;
            else if (*result > 0) c->read_bytes += static_cast<Seq>(*result);
        } else if (n == "close") {
            auto const fd = fd_arg(call, 0);
            if (failed) return;
            Conn* c = conn_of(fd);
            if (c && !sockets_[*fd].listening) send_fin(i, *c);
            if (auto it = sockets_.find(fd.value_or(-1)); it != sockets_.end()) it->second.open = false;
        } else if (n == "shutdown") {
            if (failed || call.args.size() < 2) return;
            auto const how = integer(call.args[1]);
            if (how && (*how == 1 || *how == 2))  // SHUT_WR, SHUT_RDWR
                if (Conn* c = conn_of(fd_arg(call, 0))) send_fin(i, *c);
        } else if (n == "setsockopt") {
            Conn* c = conn_of(fd_arg(call, 0));
            if (!c || call.args.size() < 4) return;
            if (mentions(call.args[2], "SO_LINGER"))
                if (auto const* l = std::get_if<script::Linger>(&call.args[3].value))
                    c->linger_zero = integer(*l->onoff).value_or(0) != 0 && integer(*l->linger).value_or(1) == 0;
            if (mentions(call.args[2], "TCP_REPAIR")) c->kernel_unknown = true;
        }
    }

    void sent(Conn& c, std::optional<std::int64_t> result) {
        if (!result) c.kernel_unknown = true;
        else if (*result > 0) c.written += static_cast<Seq>(*result);
    }

    // close() or shutdown(SHUT_WR): the kernel sends a FIN, unless the connection is not (yet or
    // any more) there, unread data turns it into a RST, or SO_LINGER 0 does.
    void send_fin(std::size_t i, Conn& c) {
        if (!c.established || c.reset || c.linger_zero || c.fin_queued) return;
        if (c.reads_unknown || c.peer_bytes > c.read_bytes) return;
        c.fin_queued = true;
        c.fin_seq = (c.kernel_syn ? 1 : 0) + c.written;
        c.fin_event = i;
        c.fin_checked = false;
    }

    void check_names(std::size_t i, script::Syscall const& call) {
        ast::syscall const* a = ast_call(i);
        if (!run::syscall::find_call(call.name)) {
            std::size_t const at = a ? a->name.begin : offset(i);
            std::optional<FixIt> fix;
            auto const guess = closest(call.name, syscall_names());
            if (a && guess) fix = FixIt{a->name.begin, a->name.end, *guess};
            warn("unknown-syscall", at, call.name.size(),
                 "pktdrill knows no system call '" + call.name + "'" + (guess ? "; did you mean '" + *guess + "'?" : "") +
                     " (packetdrill fails on it only when the line runs)",
                 std::move(fix));
        }
        for (auto const& arg : call.args) check_symbols(arg);
        check_symbols(call.result);
        if (call.errno_name && !run::errno_from_name(*call.errno_name)) {
            std::size_t const at = a && a->errno_name ? a->errno_name->begin : offset(i);
            warn("unknown-symbol", at, call.errno_name->size(), "unknown errno name '" + *call.errno_name + "'");
        }
    }

    // Every symbol of an expression, as the run resolves them (check_symbols in syscall_args).
    void check_symbols(script::Expr const& e) {
        std::visit(
            [&](auto const& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, script::Symbol>) {
                    unknown_symbol(e, v.name);
                } else if constexpr (std::is_same_v<T, script::Binary>) {
                    check_symbols(*v.lhs);
                    check_symbols(*v.rhs);
                } else if constexpr (std::is_same_v<T, script::List> || std::is_same_v<T, script::Braced>) {
                    for (auto const& item : v.items) check_symbols(item);
                } else if constexpr (std::is_same_v<T, script::Iovec>) {
                    check_symbols(*v.base);
                    check_symbols(*v.length);
                } else if constexpr (std::is_same_v<T, script::Msghdr>) {
                    check_symbols(*v.iov);
                    check_symbols(*v.iov_count);
                    if (v.control) check_symbols(**v.control);
                    check_symbols(*v.flags);
                } else if constexpr (std::is_same_v<T, script::Cmsg>) {
                    check_symbols(*v.level);
                    check_symbols(*v.type);
                    check_symbols(*v.data);
                } else if constexpr (std::is_same_v<T, script::Pollfd>) {
                    check_symbols(*v.fd);
                    check_symbols(*v.events);
                    check_symbols(*v.revents);
                } else if constexpr (std::is_same_v<T, script::EpollEvent>) {
                    check_symbols(*v.events);
                    check_symbols(*v.data);
                } else if constexpr (std::is_same_v<T, script::Linger>) {
                    check_symbols(*v.onoff);
                    check_symbols(*v.linger);
                } else if constexpr (std::is_same_v<T, script::SockExtendedErr>) {
                    for (auto const* f : {&v.ee_errno, &v.origin, &v.type, &v.code, &v.info, &v.data})
                        check_symbols(**f);
                }
            },
            e.value);
    }

    void unknown_symbol(script::Expr const& e, std::string const& name) {
        if (run::lookup_symbol(name)) return;
        std::size_t const at = st_.file->offset_of(e.where);
        // A --define may have put the name there: only then is the text not the name itself.
        bool const as_written = at <= text_.size() && text_.compare(at, name.size(), name) == 0;
        std::vector<std::string_view> names;
        for (auto const& s : run::all_symbols()) names.push_back(s.name);
        auto const guess = closest(name, names);
        std::optional<FixIt> fix;
        if (as_written && guess) fix = FixIt{at, at + name.size(), *guess};
        warn("unknown-symbol", at, as_written ? name.size() : 0,
             "unknown symbol '" + name + "'" + (guess ? "; did you mean '" + *guess + "'?" : "") +
                 " (packetdrill fails on it only when the line runs)",
             std::move(fix));
    }

    // ---- Packets

    void outbound(std::size_t i, script::TcpSegment const& t) {
        if (t.ports || !sut_) return;  // explicit ports may be another flow
        Conn& c = *sut_;
        expected_too_soon(i, t, c);
        bool const syn = t.flags.bits & flag::syn;
        bool const fin = t.flags.bits & flag::fin;
        bool const rst = t.flags.bits & flag::rst;
        if (syn) {
            c.kernel_syn = true;
            c.kernel_isn = t.seq;
            c.checked_end = std::max<Seq>(c.checked_end, 1 + t.length);
            // A SYN-ACK says how much of the peer's SYN data the kernel took (none without a
            // valid Fast Open cookie).
            if ((t.flags.bits & flag::ack) && t.ack && c.peer_syn) {
                Seq const taken = static_cast<std::uint32_t>(*t.ack - c.peer_isn);
                if (taken < c.peer_next) {
                    c.peer_bytes -= std::min(c.peer_bytes, c.peer_next - taken);
                    c.peer_next = taken;
                }
            }
        } else if (!rst) {  // a RST's sequence number echoes the peer's ack, whatever it was
            c.checked_end = std::max<Seq>(c.checked_end, Seq{t.seq} + t.length + (fin ? 1 : 0));
        }
        if (fin && c.fin_queued) c.fin_checked = true;
        if (t.flags.bits & flag::rst) c.reset = true;
    }

    // A `+0` packet line right after a blocking call is due when the call starts to block. If it
    // acknowledges data the peer only sends after it (the data that wakes the call), the run
    // waits for it there, before injecting that data, and times out.
    void expected_too_soon(std::size_t i, script::TcpSegment const& t, Conn const& c) {
        auto const& e = events_[i];
        if (i == 0 || e.time.kind != script::TimeKind::relative || e.time.start != 0) return;
        auto const* before = std::get_if<script::Syscall>(&events_[i - 1].action);
        if (!before || !before->end || *before->end <= events_[i - 1].time.start) return;
        if ((t.flags.bits & flag::syn) || !(t.flags.bits & flag::ack) || !t.ack || !c.peer_syn) return;
        if (Seq{*t.ack} <= c.peer_next) return;
        std::size_t const at = ranges_ ? st_.events[i].time.begin : offset(i);
        warn("zero-after-blocking", at, 2,
             "`+0` after a blocking call counts from when " + before->name +
                 "() starts to block, not from when it returns: this packet acknowledges data up to " +
                 std::to_string(*t.ack) + " that the peer has not sent yet (it is at " + std::to_string(c.peer_next) +
                 "), so the run waits for it here, before the lines that inject that data, and times out; move it "
                 "after them");
    }

    void inbound(std::size_t i, script::TcpSegment const& t) {
        if (t.ports) return;  // explicit ports may be another flow
        std::uint16_t const bits = t.flags.bits;
        bool const syn = bits & flag::syn, ack_flag = bits & flag::ack, rst = bits & flag::rst;
        // An inbound SYN to a listening socket (or to none) makes a new connection under test.
        if (syn && !ack_flag) {
            bool listening = !sut_;
            for (auto const& [fd, s] : sockets_)
                if (s.conn == sut_ && s.listening) listening = true;
            if (listening) {
                Conn& c = new_conn();
                c.passive = true;
                for (auto const& [fd, s] : sockets_)
                    if (s.conn == sut_ && s.listening) c.listener_fd = fd;
                c.kernel_syn = true;
                make_sut(&c);
            }
        }
        Conn* c = sut_;
        ast::tcp_segment const* a = ast_segment(i);

        // A RST's ack is not looked at once the connection is synchronized.
        if (ack_flag && !t.ack && !rst) {
            std::optional<FixIt> fix;
            if (a && c && c->kernel_syn) {
                std::uint32_t const value = c->last_ack && !syn ? *c->last_ack
                                                                : static_cast<std::uint32_t>(c->kernel_limit()) +
                                                                      (syn ? c->kernel_isn : 0);
                fix = FixIt{a->seq.end, a->seq.end, " ack " + std::to_string(value)};
            }
            std::size_t const at = a ? a->seq.end : offset(i);
            warn("ack-missing", at, 0,
                 "this segment has the ACK flag but no `ack`, so it acknowledges 0, which lies before everything "
                 "the kernel sent: Linux drops it with a challenge ACK, or at best takes it for an old duplicate; "
                 "write what the peer acknowledges",
                 std::move(fix));
        }
        if (!c) return;
        bool unsent = false;  // Linux drops a segment that acknowledges what it never sent
        if (ack_flag && t.ack && c->kernel_syn && !c->kernel_unknown) {
            Seq const limit = c->kernel_limit();
            std::uint32_t const base = syn ? c->kernel_isn : 0;
            std::int64_t const relative = static_cast<std::int32_t>(*t.ack - base);
            if (relative > static_cast<std::int64_t>(limit)) {
                unsent = true;
                c->early_acks.push_back({i, *t.ack, base, limit});
            }
        }

        if (syn) {
            bool const fin = bits & flag::fin;
            c->peer_syn = true;
            c->peer_isn = t.seq;
            c->peer_next = 1 + t.length + (fin ? 1 : 0);
            c->peer_bytes += t.length;
            if (fin) c->peer_fin = 1 + t.length;
            if (ack_flag) c->established = true;
        } else if (c->peer_syn && !rst && !unsent && !c->reset) {
            sequence(i, *c, t, a);
        }
        if (ack_flag && t.ack) c->last_ack = *t.ack;
        if (ack_flag && !syn && c->passive) c->established = true;
        if (rst) c->reset = true;
    }

    void sequence(std::size_t i, Conn& c, script::TcpSegment const& t, ast::tcp_segment const* a) {
        bool const fin = t.flags.bits & flag::fin;
        Seq const seq = t.seq, len = t.length, end = seq + len + (fin ? 1 : 0);
        std::size_t const at = a ? a->seq.begin : offset(i);
        std::size_t const length = a ? a->seq.end - a->seq.begin : 0;
        auto here = [&](Seq s) {
            return std::to_string(s) + ":" + std::to_string(s + len) + "(" + std::to_string(len) + ")";
        };
        if (seq > c.peer_next) {
            c.gaps.push_back({i, c.peer_next, seq});
        } else if (seq < c.peer_next) {
            bool const retransmitted_fin = fin && len == 0 && c.peer_fin && seq == *c.peer_fin;
            if (len == 0 && !retransmitted_fin) {
                std::optional<FixIt> fix;
                if (a) fix = FixIt{a->seq.begin, a->seq.end, here(c.peer_next)};
                warn("seq-overlap", at, length,
                     "sequence number " + std::to_string(seq) + " lies before what the peer sent already (it is at " +
                         std::to_string(c.peer_next) + "): the kernel takes this " + (fin ? "FIN" : "segment") +
                         " for an old one, drops it and answers with a duplicate ACK",
                     std::move(fix));
            } else if (len > 0 && end > c.peer_next && seq + len > c.peer_next) {
                warn("seq-overlap", at, length,
                     "this segment overlaps what the peer sent already (bytes " + std::to_string(seq) + " to " +
                         std::to_string(c.peer_next) + "); the next new byte is " + std::to_string(c.peer_next));
            }
        }
        if (len > 0 || fin) {
            if (fin) c.peer_fin = seq + len;
            if (end > c.peer_next) {
                if (seq <= c.peer_next) c.peer_bytes += end - c.peer_next - (fin ? 1 : 0);
                else c.peer_bytes += len;
                c.pending.emplace_back(seq, end);
                std::sort(c.pending.begin(), c.pending.end());
                for (auto it = c.pending.begin(); it != c.pending.end();) {
                    if (it->first > c.peer_next) break;
                    c.peer_next = std::max(c.peer_next, it->second);
                    it = c.pending.erase(it);
                }
            }
        }
    }

    // A connection is left (another one is under test, or the script ends): what it never did.
    void finish(Conn& c, bool at_end) {
        // An ack beyond what the kernel can have sent by its line, but within what it sends later
        // in the script (or one more: a FIN counted that never comes), is a line in the wrong
        // place or a miscount. Far beyond everything the kernel ever sends, it is a test of how an
        // invalid ACK is handled, which is left alone.
        for (auto const& early : c.early_acks) {
            std::int64_t const relative = static_cast<std::int32_t>(early.ack - early.base);
            if (relative > static_cast<std::int64_t>(c.kernel_limit()) + 1) continue;
            ast::tcp_segment const* a = ast_segment(early.event);
            std::string const most = std::to_string(static_cast<std::uint32_t>(early.limit) + early.base);
            std::optional<FixIt> fix;
            if (a && a->ack) fix = FixIt{a->ack->begin, a->ack->end, most};
            warn("ack-unsent", a && a->ack ? a->ack->begin : offset(early.event),
                 a && a->ack ? a->ack->end - a->ack->begin : 0,
                 "ack " + std::to_string(early.ack) +
                     " acknowledges data the kernel cannot have sent by this line (the lines before it let it send "
                     "up to " + most + "): Linux drops a segment that acknowledges unsent data; is the line before "
                     "the call that sends it?",
                 std::move(fix));
        }
        c.early_acks.clear();

        for (auto const& g : c.gaps) {
            if (c.peer_next >= g.to) continue;  // filled later: reordering on purpose
            ast::tcp_segment const* a = ast_segment(g.event);
            warn("seq-gap", a ? a->seq.begin : offset(g.event), a ? a->seq.end - a->seq.begin : 0,
                 "this segment skips sequence numbers " + std::to_string(g.from) + " to " + std::to_string(g.to) +
                     ", which the peer never sends: the kernel keeps waiting for them (what follows is out of "
                     "order, a FIN after it is not taken)");
        }
        c.gaps.clear();
        // A close() the script goes on from (packets, calls on the fd, or holding the state to the
        // end) sends a FIN that belongs to the test. One that only cleans up, as the last line or
        // before the next connection, is left alone.
        bool const continued = c.touched_after_fin || (at_end && c.any_after_fin);
        if (c.fin_event && !c.fin_checked && continued) {
            std::size_t const i = *c.fin_event;
            auto const& call = std::get<script::Syscall>(events_[i].action);
            ast::syscall const* a = ast_call(i);
            std::string const fin = std::to_string(c.fin_seq);
            std::string const line = "+0 > F. " + fin + ":" + fin + "(0) ack " + std::to_string(c.peer_next) + " <...>";
            std::optional<FixIt> fix;
            // Only when every byte before the FIN was checked: otherwise it may ride on data.
            if (ranges_ && c.checked_end >= c.fin_seq && !c.kernel_unknown) fix = add_line_after(i, line);
            warn("unchecked-fin", a ? a->name.begin : offset(i), call.name.size(),
                 call.name + "() makes the kernel send a FIN that no `>` line checks, so the script passes whether "
                             "or not it is sent (and --strict fails it)" +
                     (fix ? ": add `" + line + "`" : std::string()),
                 std::move(fix));
            c.fin_event.reset();
        }
    }

    ScriptText const& st_;
    std::string const& text_;
    std::vector<script::Event> const& events_;
    script::Config const& config_;
    LintOptions const& options_;
    std::vector<Finding>& out_;
    bool ranges_;

    std::vector<std::unique_ptr<Conn>> conns_;
    std::map<int, Socket> sockets_;
    Conn* sut_ = nullptr;
};

}  // namespace

std::span<CheckInfo const> checks() { return check_table; }

bool LintOptions::enabled(std::string_view check) const {
    if (auto it = switches.find(check); it != switches.end()) return it->second;
    if (everything) return true;
    for (auto const& c : check_table)
        if (c.name == check) return c.on_by_default;
    return false;
}

std::int64_t kernel_tick_usecs() {
    timespec res{};
    if (::clock_getres(CLOCK_MONOTONIC_COARSE, &res) != 0 || (res.tv_sec == 0 && res.tv_nsec == 0)) return 4000;
    return static_cast<std::int64_t>(res.tv_sec) * 1'000'000 + res.tv_nsec / 1000;
}

LintResult lint_script(grammar::SourceFile const& file, grammar::Diagnostics& diagnostics, LintOptions const& options) {
    LintResult result;
    auto st = load_with_text(file, diagnostics, options.settings);
    if (!st) return result;
    result.loaded = true;
    Linter(*st, options, result.findings).run();
    std::stable_sort(result.findings.begin(), result.findings.end(), [](Finding const& a, Finding const& b) {
        auto const& x = a.diagnostic.where;
        auto const& y = b.diagnostic.where;
        return x.line != y.line ? x.line < y.line : x.column < y.column;
    });
    return result;
}

void print_finding(std::ostream& out, grammar::SourceFile const& file, Finding const& finding) {
    grammar::Diagnostic d = finding.diagnostic;
    if (d.fix && !d.fix->text.empty() && d.fix->text.back() == '\n') {
        // A whole line to add: shown as such rather than under the caret.
        std::string line = d.fix->text;
        while (!line.empty() && (line.back() == '\n' || line.front() == '\n')) {
            if (line.back() == '\n') line.pop_back();
            else line.erase(0, 1);
        }
        d.trailer.push_back("fix-it: add after line " + std::to_string(file.location(d.fix->begin > 0 ? d.fix->begin - 1 : 0).line) + ":");
        d.trailer.push_back(line);
        d.fix.reset();
    }
    grammar::print_diagnostic(out, file, d);
}

std::string apply_fixes(std::string const& text, std::vector<FixIt> fixes) {
    std::stable_sort(fixes.begin(), fixes.end(), [](FixIt const& a, FixIt const& b) { return a.begin < b.begin; });
    std::string out;
    std::size_t at = 0;
    for (auto const& f : fixes) {
        if (f.begin < at || f.end > text.size()) continue;  // overlaps one applied already
        out.append(text, at, f.begin - at);
        out += f.text;
        at = f.end;
    }
    out.append(text, at, std::string::npos);
    return out;
}

}  // namespace pktdrill::lint
