#include "src/run/state_observer.hpp"

#include <sys/stat.h>
#include <netinet/in.h>

#include <algorithm>
#include <numeric>
#include <ostream>
#include <tuple>

#include "src/run/run_context.hpp"
#include "src/script/render.hpp"

namespace pktdrill::run {

namespace {

// The kernel's SYN, FIN or RST on the wire: the moments a state changes while nothing in the
// script happens. Read from the raw bytes (IPv4, or IPv6 without extension headers): decoding
// the whole packet for three bits would cost more than the rest of the observer.
bool marks_state_change(std::span<std::uint8_t const> p) {
    if (p.empty()) return false;
    std::size_t tcp = 0;
    if ((p[0] >> 4) == 4) {
        if (p.size() < 20 || p[9] != IPPROTO_TCP) return false;
        tcp = static_cast<std::size_t>(p[0] & 0x0f) * 4;
    } else if ((p[0] >> 4) == 6) {
        if (p.size() < 40 || p[6] != IPPROTO_TCP) return false;
        tcp = 40;
    } else {
        return false;
    }
    if (p.size() < tcp + 14) return false;
    std::uint8_t const flags = p[tcp + 13];
    return (flags & (0x01 | 0x02 | 0x04)) != 0;  // FIN, SYN, RST
}

auto key(net::TcpSocketInfo const& s) {
    return std::tie(s.family, s.local_ip, s.local_port, s.remote_ip, s.remote_port);
}

std::string fd_text(int fd) { return fd >= 0 ? std::to_string(fd) : "-"; }

std::string state_text(std::optional<std::uint8_t> state) {
    return state ? net::netstat_state_name(*state) : "-";
}

// The event as the timeline shows it: script syntax on one line.
std::string event_text(script::Event const& e) {
    std::string text = script::render(e.action);
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

char const* verdict_note(RunVerdict v) {
    switch (v) {
    case RunVerdict::passed: return "";
    case RunVerdict::failed: return "failed here";
    case RunVerdict::interrupted: return "interrupted here";
    }
    return "";
}

}  // namespace

void StateObserver::start() {
    diag_.emplace();
    read_states(0);
    changes_.clear();  // what the namespace held before the script is no change of the script's
}

void StateObserver::map_fds(RunContext const& ctx) {
    fd_by_inode_.clear();
    for (auto const& entry : ctx.fds.all()) {
        if (!entry.open || entry.kind != FdKind::socket || entry.live_fd < 0) continue;
        struct stat st{};
        if (::fstat(entry.live_fd, &st) == 0) fd_by_inode_[st.st_ino] = entry.script_fd;
    }
}

void StateObserver::read_states(Micros time) {
    diag_->tcp_sockets(dump_);
    std::swap(previous_, current_);
    current_.clear();
    for (auto const& info : dump_) {
        Seen s{info, -1};
        if (info.inode != 0)
            if (auto it = fd_by_inode_.find(info.inode); it != fd_by_inode_.end()) s.fd = it->second;
        // A socket that is only bound, has a file and is not the script's is pktdrill's own: the
        // packet engine keeps the ports it hands the simulated peer bound, so no one else gets
        // them. (The script's bound sockets always have an fd; orphans are never merely bound.)
        bool const bound_only = info.state == net::tcp_state::close || info.state == net::tcp_state::bound_inactive;
        if (bound_only && info.inode != 0 && s.fd < 0) continue;
        current_.push_back(s);
    }

    // Match the two reads by addresses: both sorted by key (dump order among equal keys), then
    // merged, so a read costs n log n however many sockets the script makes.
    auto sorted = [](std::vector<Seen> const& v) {
        std::vector<std::size_t> order(v.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(),
                         [&v](std::size_t a, std::size_t b) { return key(v[a].info) < key(v[b].info); });
        return order;
    };
    auto const now = sorted(current_);
    auto const before = sorted(previous_);
    std::vector<std::optional<std::size_t>> match(current_.size());
    std::vector<bool> matched_before(previous_.size(), false);
    for (std::size_t i = 0, j = 0; i < now.size() && j < before.size();) {
        auto const& a = current_[now[i]].info;
        auto const& b = previous_[before[j]].info;
        if (key(a) < key(b)) {
            ++i;
        } else if (key(b) < key(a)) {
            ++j;
        } else {
            match[now[i]] = before[j];
            matched_before[before[j]] = true;
            ++i;
            ++j;
        }
    }

    for (std::size_t i = 0; i < current_.size(); ++i) {
        auto const& s = current_[i];
        if (!match[i]) {
            changes_.push_back({time, s, std::nullopt, s.info.state});
            continue;
        }
        auto const& old = previous_[*match[i]];
        if (net::netstat_state_name(old.info.state) == std::string_view(net::netstat_state_name(s.info.state)))
            continue;  // a request socket becoming a full one is SYN_RECV either way
        Seen shown = s;
        if (shown.fd < 0) shown.fd = old.fd;  // close() orphaned it: the row names the fd it had
        changes_.push_back({time, shown, old.info.state, s.info.state});
    }
    for (std::size_t j = 0; j < previous_.size(); ++j) {
        if (matched_before[j]) continue;
        auto const& old = previous_[j];
        // Out of the kernel's tables while the script still holds it (a connect() that gave up):
        // the socket exists, unhashed, in CLOSE. Otherwise it is gone.
        std::optional<std::uint8_t> to;
        if (old.fd >= 0 && fd_by_inode_.contains(old.info.inode)) to = net::tcp_state::close;
        if (to && old.info.state == net::tcp_state::close) continue;
        changes_.push_back({time, old, old.info.state, to});
    }
}

std::vector<report::StateChange> StateObserver::take_changes() {
    std::vector<report::StateChange> out;
    out.reserve(changes_.size());
    for (auto const& c : changes_) {
        auto const& info = c.socket.info;
        out.push_back({c.time, fd_text(c.socket.fd), net::netstat_endpoint(info.local_ip, info.local_port),
                       net::netstat_endpoint(info.remote_ip, info.remote_port), state_text(c.from), state_text(c.to)});
    }
    changes_.clear();
    return out;
}

std::vector<report::StateRow> StateObserver::table() const {
    std::vector<report::StateRow> rows;
    for (auto const& s : current_) {
        auto const& info = s.info;
        report::StateRow r;
        r.proto = info.family == AF_INET6 ? "tcp6" : "tcp";
        r.recv_q = info.rqueue;
        // netstat reads /proc/net/tcp, where a listener's Send-Q is 0; sock_diag reports the
        // backlog limit there instead (what ss shows).
        r.send_q = info.state == net::tcp_state::listen ? 0 : info.wqueue;
        r.local = net::netstat_endpoint(info.local_ip, info.local_port);
        r.foreign = net::netstat_endpoint(info.remote_ip, info.remote_port);
        r.state = net::netstat_state_name(info.state);
        r.fd = fd_text(s.fd);
        rows.push_back(std::move(r));
    }
    return rows;
}

void StateObserver::disable(std::exception const& e) {
    if (enabled_) out_ << "pktdrill --states: cannot read TCP states: " << e.what() << std::endl;
    enabled_ = false;
}

void StateObserver::network_ready(RunContext& ctx) {
    if (!enabled_) return;
    try {
        std::vector<std::string> events;
        for (auto const& e : ctx.script.events) events.push_back(event_text(e));
        timeline_.emplace(events);
        start();
        out_ << ctx.file.path() << ": TCP states after each event (sock_diag; '-' = not in the kernel's tables)\n"
             << timeline_->header() << std::flush;
    } catch (std::exception const& e) {
        disable(e);
    }
}

void StateObserver::print_event(RunContext const& ctx, std::size_t index, Micros done, std::string const& note) {
    auto const changes = take_changes();
    if (index < ctx.script.events.size()) {
        auto const& e = ctx.script.events[index];
        out_ << timeline_->render(e.where.line, event_text(e), done, changes, note, shown_);
    } else if (!changes.empty() || !note.empty()) {
        out_ << timeline_->render(0, "(after the last event)", done, changes, note, shown_);
    }
    shown_ = shown_ || !changes.empty();
}

void StateObserver::event_done(RunContext& ctx, script::Event const&, EventTiming const&) {
    if (!enabled_ || !diag_) return;
    try {
        Micros const now = ctx.script_now();
        map_fds(ctx);
        read_states(now);
        print_event(ctx, next_event_, now, {});
        out_ << std::flush;
    } catch (std::exception const& e) {
        disable(e);
    }
    ++next_event_;
    shown_ = false;
}

void StateObserver::packet(RunContext& ctx, bool inbound, std::span<std::uint8_t const> ip_packet,
                           Micros script_time) {
    // The fd table is not read here: this may run while a system-call thread changes it. The fd
    // names come from the last event's map (inodes are never reused by a live socket); the
    // script itself never changes.
    if (!enabled_ || !diag_ || inbound || !marks_state_change(ip_packet)) return;
    try {
        read_states(script_time);
        // Shown at once, under the event in progress: a connect() may sit in SYN_SENT for two
        // minutes, and whoever watches should see it now.
        if (!changes_.empty()) {
            print_event(ctx, next_event_, script_time, {});
            out_ << std::flush;
        }
    } catch (std::exception const& e) {
        disable(e);
    }
}

void StateObserver::before_teardown(RunContext& ctx, RunVerdict verdict) {
    if (!enabled_) return;
    try {
        if (!diag_) {
            // The run ended before its network was ready: still show what the namespace holds.
            timeline_.emplace(std::vector<std::string>{});
            start();
        }
        Micros const now = ctx.script_now();
        map_fds(ctx);
        read_states(now);
        print_event(ctx, next_event_, now, verdict_note(verdict));
        out_ << ctx.file.path() << ": TCP sockets at the "
             << (verdict == RunVerdict::passed        ? "end of the run"
                 : verdict == RunVerdict::failed      ? "failure"
                                                      : "interruption")
             << ", as netstat -tan shows them:\n"
             << report::render_state_table(table()) << std::flush;
    } catch (std::exception const& e) {
        disable(e);
    }
    // The table is the last word: the resets that end the run are not part of the script's story.
    enabled_ = false;
}

}  // namespace pktdrill::run
