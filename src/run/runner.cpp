#include "src/run/runner.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <ostream>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "grammar/diagnostics.hpp"
#include "src/net/netns.hpp"
#include "src/net/network_setup.hpp"
#include "src/net/rtnetlink.hpp"
#include "src/net/sniffer.hpp"
#include "src/net/tun.hpp"
#include "src/run/code_runner.hpp"
#include "src/run/command.hpp"
#include "src/run/interrupted.hpp"
#include "src/run/packet_engine.hpp"
#include "src/run/run_context.hpp"
#include "src/run/syscall_runner.hpp"
#include "src/script/render.hpp"

namespace pktdrill::run {

namespace {

using script::TimeKind;

char const* description(script::Event const& e) {
    if (auto const* p = std::get_if<script::Packet>(&e.action))
        return p->direction == script::Direction::inbound ? "inbound packet" : "outbound packet";
    if (std::holds_alternative<script::Syscall>(e.action)) return "system call start";
    if (std::holds_alternative<script::Command>(e.action)) return "command";
    return "data collection for code";
}

bool is_inbound_packet(script::Event const& e) {
    auto const* p = std::get_if<script::Packet>(&e.action);
    return p && p->direction == script::Direction::inbound;
}

bool is_outbound_packet(script::Event const& e) {
    auto const* p = std::get_if<script::Packet>(&e.action);
    return p && p->direction == script::Direction::outbound;
}

net::NetworkConfig network_config(LiveAddresses const& a, script::Config const& c) {
    net::NetworkConfig n;
    n.ip_version = a.ip_version == script::IpVersion::ipv4               ? net::IpVersion::ipv4
                   : a.ip_version == script::IpVersion::ipv4_mapped_ipv6 ? net::IpVersion::ipv4_mapped_ipv6
                                                                          : net::IpVersion::ipv6;
    n.local_ip = a.local_ip;
    n.local_prefix_length = a.local_prefix_length;
    n.remote = net::IpPrefix(a.remote_ip, a.remote_prefix_length);
    n.gateway_ip = a.gateway_ip;
    n.mtu = static_cast<std::uint32_t>(c.mtu);
    n.speed_mbps = static_cast<std::uint32_t>(c.speed);
    n.is_anyip = c.is_anyip;
    return n;
}

class Run {
public:
    Run(RunContext& ctx, PacketEngine& packets, SyscallRunner& syscalls, CodeRunner& code)
        : ctx_(ctx), packets_(packets), syscalls_(syscalls), code_(code) {}

    void events() {
        std::unique_lock lock(ctx_.mutex);
        bool previous_inbound = false;
        std::optional<Micros> previous_time;
        auto const& events = ctx_.script.events;
        for (std::size_t i = 0; i < events.size(); ++i) {
            auto const& e = events[i];
            EventTiming timing = adjust(e, previous_inbound, previous_time);
            if (packets_.policy() != OutboundPolicy::packetdrill && !is_outbound_packet(e))
                timing = settle(lock, i, e, timing, previous_inbound, previous_time);
            syscalls_.check_blocking();
            if (ctx_.config.verbose) verbose(e, timing);
            packets_.event_reached(i, timing);
            run_event(lock, i, e, timing);
            packets_.event_done(i);
            for (auto* o : ctx_.observers) o->event_done(ctx_, e, timing);
            previous_inbound = is_inbound_packet(e);
            previous_time = timing.start;
            ++count_;
        }
        syscalls_.check_blocking();
        packets_.end_of_events(lock);
    }

private:
    // Relative times are resolved when the event is reached (reference E): relative to now, except
    // that consecutive inbound packets are anchored to the previous one's scheduled time so that
    // processing delays do not accumulate.
    EventTiming adjust(script::Event const& e, bool previous_inbound, std::optional<Micros> previous_time) {
        EventTiming t;
        t.kind = e.time.kind;
        t.start = e.time.start;
        t.end = e.time.end;
        t.previous = previous_time;
        auto const* call = std::get_if<script::Syscall>(&e.action);
        if (call && call->end) t.blocking_end = *call->end;
        if (t.kind == TimeKind::relative || t.kind == TimeKind::relative_range || t.kind == TimeKind::any) {
            Micros offset = ctx_.script_now();
            if (previous_inbound && previous_time && is_inbound_packet(e)) offset = *previous_time;
            t.offset = offset;
            t.start += offset;
            if (t.kind == TimeKind::relative_range) t.end += offset;
            if (t.kind == TimeKind::relative && t.blocking_end) *t.blocking_end += offset;
        }
        return t;
    }

    // --strict and record, before an event that is not a `>` line: what the kernel sent so far that
    // no `>` line coming up takes. --strict fails on it. record writes each down as a `>` line of
    // its own, to stand before this event, and schedules the event as the recorded script will
    // have it: the `>` line it gains ends when its packet comes, and relative times count from
    // there. Before an injection, record also waits for the handshake packet that tells the
    // socket its ISN or port when no `>` line waited for it; and while it waits for the event's
    // time it takes each packet as it comes, for the same reason.
    EventTiming settle(std::unique_lock<std::mutex>& lock, std::size_t index, script::Event const& e, EventTiming timing,
                       bool& previous_inbound, std::optional<Micros>& previous_time) {
        bool const record = packets_.policy() == OutboundPolicy::record;
        auto const* inbound = std::get_if<script::Packet>(&e.action);
        for (;;) {
            std::size_t written = packets_.settle(lock, index, timing.start);
            if (record && inbound && packets_.await_handshake(lock, *inbound))
                written += packets_.settle(lock, index, timing.start);
            if (written) {
                previous_inbound = false;
                previous_time = packets_.last_unmentioned_time();
                timing = adjust(e, previous_inbound, previous_time);
            }
            if (!record || wait_or_packet(lock, timing)) return timing;
        }
    }

    // record: sleeps towards the event's time like wait_for, but returns false as soon as the
    // kernel sent something (to be settled first); true when the time has come.
    bool wait_or_packet(std::unique_lock<std::mutex>& lock, EventTiming const& t) {
        Micros const target = ctx_.live_time(t.start);
        if (target - now_us() <= spin_margin_us) return true;
        boost::asio::steady_timer timer(
            ctx_.io, std::chrono::steady_clock::time_point(std::chrono::microseconds(target - spin_margin_us)));
        bool fired = false;
        timer.async_wait([&fired](boost::system::error_code) { fired = true; });
        lock.unlock();
        while (!fired && !ctx_.interrupts.requested() && !packets_.captured_since_settled()) ctx_.io.run_one();
        if (!fired) {
            timer.cancel();
            while (!fired) ctx_.io.run_one();
        }
        lock.lock();
        if (ctx_.interrupts.requested()) throw Interrupted{ctx_.interrupts.signal()};
        return !packets_.captured_since_settled();
    }

    void verbose(script::Event const& e, EventTiming const& t) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%s:%d: scheduled %9.6f now %9.6f: ", ctx_.file.path().c_str(), e.where.line,
                      static_cast<double>(t.start) / 1e6, static_cast<double>(ctx_.script_now()) / 1e6);
        ctx_.out << buf << script::render(e) << std::endl;
    }

    // Sleeps until the event's time (serving the event loop: signals, sniffed packets), spins the
    // last stretch, then checks that the event starts on time (it is late only when a previous
    // action overran). The first event is not checked.
    void wait_for(std::unique_lock<std::mutex>& lock, script::Event const& e, EventTiming const& t) {
        Micros const target = ctx_.live_time(t.start);
        if (target - now_us() > spin_margin_us) {
            // An Asio timer, not run_one_until: the latter waits in whole milliseconds.
            boost::asio::steady_timer timer(
                ctx_.io, std::chrono::steady_clock::time_point(std::chrono::microseconds(target - spin_margin_us)));
            bool fired = false;
            timer.async_wait([&fired](boost::system::error_code) { fired = true; });
            lock.unlock();
            while (!fired && !ctx_.interrupts.requested()) ctx_.io.run_one();
            if (!fired) {
                timer.cancel();
                while (!fired) ctx_.io.run_one();
            }
            lock.lock();
        }
        if (ctx_.interrupts.requested()) throw Interrupted{ctx_.interrupts.signal()};
        wait_until(target);
        if (count_ > 0)
            if (auto error = verify_time(ctx_, t, ctx_.script_now(), description(e))) throw Error(*error, e.where);
    }

    void run_event(std::unique_lock<std::mutex>& lock, std::size_t index, script::Event const& e, EventTiming const& t) {
        if (auto const* p = std::get_if<script::Packet>(&e.action)) {
            try {
                if (p->direction == script::Direction::outbound) {
                    // Outbound packets are not waited for: sniffing starts at once, so that a
                    // packet sent early is seen early.
                    packets_.expect(lock, e, *p, t);
                } else {
                    wait_for(lock, e, t);
                    packets_.event_started(index);
                    packets_.inject(e, *p);
                }
            } catch (Error const& error) {
                if (error.where().line) throw;
                throw Error(error.what(), e.where, error.details());
            }
            return;
        }
        if (auto const* call = std::get_if<script::Syscall>(&e.action)) {
            wait_for(lock, e, t);
            packets_.event_started(index);
            syscalls_.run(lock, e, *call, t);
            return;
        }
        if (auto const* command = std::get_if<script::Command>(&e.action)) {
            wait_for(lock, e, t);
            packets_.event_started(index);
            lock.unlock();
            std::optional<std::chrono::milliseconds> limit;
            if (ctx_.config.max_command_secs)
                limit = std::chrono::milliseconds(static_cast<std::int64_t>(*ctx_.config.max_command_secs * 1000));
            CommandOutcome const outcome = run_command(ctx_.io, ctx_.interrupts, command->text, limit);
            lock.lock();
            if (limit && outcome.end == CommandOutcome::End::timed_out) {
                // --max_command_secs: the user asked to cut it short; the run goes on.
                if (ctx_.config.verbose)
                    ctx_.out << ctx_.file.path() << ":" << e.where.line << ": command stopped after "
                             << *ctx_.config.max_command_secs << " s (--max_command_secs)" << std::endl;
                return;
            }
            check_command(outcome, "`" + command->text + "`", e.where);
            return;
        }
        wait_for(lock, e, t);
        packets_.event_started(index);
        code_.collect(e, std::get<script::Code>(e.action));
    }

public:
    static void check_command(CommandOutcome const& outcome, std::string const& what, SourceLocation where) {
        switch (outcome.end) {
        case CommandOutcome::End::exited:
            if (outcome.status == 0) return;
            throw Error("error executing " + what + " command: non-zero status " + std::to_string(outcome.status), where);
        case CommandOutcome::End::killed_by_signal:
            throw Error("error executing " + what + " command: killed by signal " + std::to_string(outcome.status), where);
        case CommandOutcome::End::interrupted: throw Interrupted{outcome.status};
        case CommandOutcome::End::timed_out: throw Error("error executing " + what + " command: timed out", where);
        }
    }

private:
    RunContext& ctx_;
    PacketEngine& packets_;
    SyscallRunner& syscalls_;
    CodeRunner& code_;
    int count_ = 0;
};

// As packetdrill does, for timing that holds on a busy machine: the lowest real-time priority
// (only with more than one CPU, so the machine stays responsive) and memory that is not paged
// out. Threads created later (the system-call workers) inherit the policy. Best effort: a run
// without them is still correct, only less precise under load.
void prepare_for_timing() {
    if (::sysconf(_SC_NPROCESSORS_ONLN) > 1) {
        sched_param param{};
        param.sched_priority = ::sched_get_priority_min(SCHED_RR);
        ::sched_setscheduler(0, SCHED_RR, &param);
    }
    // MCL_ONFAULT: lock what is used, without faulting in every thread's whole stack up front.
    ::mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
}

// Closes every live fd the script still holds: the sockets keep the namespace alive otherwise.
void close_fds(RunContext& ctx) {
    for (auto const& entry : ctx.fds.all())
        if (entry.open && entry.live_fd >= 0) ::close(entry.live_fd);
}

}  // namespace

void print_failure(std::ostream& err, grammar::SourceFile const& file, Error const& failure, bool warning) {
    grammar::Diagnostic d;
    d.severity = warning ? grammar::Severity::warning : grammar::Severity::error;
    d.where = failure.where();
    d.message = failure.what();
    d.trailer = failure.details();
    grammar::print_diagnostic(err, file, d);
}

RunResult run_script(grammar::SourceFile const& file, script::LoadedScript const& loaded,
                     boost::asio::io_context& io, Interrupts& interrupts, std::ostream& out, std::ostream& err,
                     std::vector<RunObserver*> const& observers, Recording* recording) {
    RunResult result;
    if (recording) recording->steps.clear();
    RunContext ctx(file, loaded.script, loaded.config, io, interrupts, out);
    ctx.observers = observers;
    // Whatever ends the run, the script's sockets are closed: they would keep the namespace alive.
    struct CloseFds {
        RunContext& ctx;
        ~CloseFds() { close_fds(ctx); }
    } const close_fds_at_end{ctx};
    ctx.warn = [&](Error const& e) { print_failure(err, file, e, true); };
    auto const work = boost::asio::make_work_guard(io);
    bool init_ran = false;

    bool cleanup_ran = false;
    auto run_cleanup = [&] {
        // google packetdrill runs the cleanup command only when an init command ran, and once:
        // after the script, or when the script failed.
        if (!loaded.script.cleanup_command || !init_ran || cleanup_ran) return;
        cleanup_ran = true;
        auto const outcome = run_command(io, interrupts, loaded.script.cleanup_command->text);
        if (!outcome.succeeded())
            throw Error("error executing cleanup command: " +
                        std::string(outcome.end == CommandOutcome::End::exited ? "non-zero status " : "status ") +
                        std::to_string(outcome.status),
                        loaded.script.cleanup_command->where);
    };

    prepare_for_timing();
    try {
        ctx.addresses = resolve_addresses(loaded.config);
        net::TunDevice tun;
        if (loaded.config.netns == script::NetnsMode::private_) tun.persist_until_namespace_ends();
        net::Sniffer sniffer(tun.ifindex());
        net::Rtnetlink rtnl;
        net::configure_test_network(rtnl, tun, network_config(ctx.addresses, loaded.config));
        for (auto* o : observers) o->network_ready(ctx);

        for (auto const& command : loaded.config.init_scripts)
            Run::check_command(run_command(io, interrupts, command), "init script `" + command + "`", {});
        if (loaded.script.init_command) {
            auto const outcome = run_command(io, interrupts, loaded.script.init_command->text);
            if (outcome.end == CommandOutcome::End::interrupted) throw Interrupted{outcome.status};
            if (!outcome.succeeded())
                throw Error("error executing init command: non-zero status " + std::to_string(outcome.status),
                            loaded.script.init_command->where);
            init_ran = true;
        }
        ::signal(SIGPIPE, SIG_IGN);  // a write to a reset connection returns EPIPE instead

        PacketEngine packets(ctx, tun, sniffer, recording);
        packets.prepare();
        CodeRunner code(ctx);
        {
            SyscallRunner syscalls(ctx);
            ctx.live_start = now_us();
            Run(ctx, packets, syscalls, code).events();
            // packetdrill's order (D.6): the cleanup command, the code, then a blocking call still in
            // progress fails the run; the RSTs last. A script whose code fails while a call still
            // blocks reports the code, as packetdrill's verdicts and messages have it.
            run_cleanup();
            std::unique_lock lock(ctx.mutex);
            code.finish();
            syscalls.finish(lock);
        }
        for (auto* o : observers) o->before_teardown(ctx, RunVerdict::passed);
        packets.reset_connections();
    } catch (Error const& e) {
        result.verdict = RunVerdict::failed;
        result.failure = e;
        try {
            run_cleanup();
        } catch (Error const& cleanup) {
            print_failure(err, file, cleanup);
        } catch (Interrupted const&) {
        }
    } catch (Interrupted const& i) {
        result.verdict = RunVerdict::interrupted;
        result.signal = i.signal;
        try {
            run_cleanup();
        } catch (...) {
        }
    }
    // A failed or interrupted run still shows what it leaves: its sockets are open until the end.
    if (result.verdict != RunVerdict::passed)
        for (auto* o : observers) o->before_teardown(ctx, result.verdict);
    return result;
}

}  // namespace pktdrill::run
