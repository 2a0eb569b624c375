#include "src/run/syscall_runner.hpp"

#include <sys/stat.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "src/run/interrupted.hpp"
#include "src/run/syscall_call.hpp"
#include "src/run/syscall_worker.hpp"

namespace pktdrill::run {

using namespace syscall;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// packetdrill waits this long for a blocking call to finish before another call (and at exit).
constexpr auto blocking_patience = 1s;

// How long an abandoned call gets to return EINTR before the run goes on without it.
constexpr auto abandon_patience = std::chrono::milliseconds(2000);

// The network namespace of the calling thread. Namespaces belong to threads: the workers stay in
// the one they were started in, whatever the main thread enters later.
std::pair<dev_t, ino_t> thread_net_namespace() {
    struct stat st {};
    if (::stat("/proc/thread-self/ns/net", &st) != 0) return {0, 0};
    return {st.st_dev, st.st_ino};
}

Error call_error(std::string const& name, CallError const& e, SourceLocation where) {
    return Error("runtime error in " + name + " call: " + e.message, e.where.line ? e.where : where);
}

// Takes the lock again when a wait ends, however it ends.
struct Relock {
    std::unique_lock<std::mutex>& lock;
    ~Relock() {
        if (!lock.owns_lock()) lock.lock();
    }
};

// Watches the worker's stage changes for the length of a wait.
struct Watch {
    explicit Watch(Worker& w) : worker(w) { worker.watch(true); }
    ~Watch() {
        worker.watch(false);
        worker.disarm();
    }
    Watch(Watch const&) = delete;
    Watch& operator=(Watch const&) = delete;
    Worker& worker;
};

}  // namespace

struct SyscallRunner::Impl {
    explicit Impl(RunContext& c) : ctx(c) {}

    RunContext& ctx;
    std::pair<dev_t, ino_t> const net_namespace = thread_net_namespace();  // the workers'
    std::shared_ptr<KeptBuffers> kept = std::make_shared<KeptBuffers>();
    std::mutex failure_mutex;
    std::optional<Error> failure;   // of the last blocking call, until check_blocking()
    SourceLocation blocking_where;  // the blocking call in progress, for "exiting while ..."
    // Declared last so that they are stopped first: their jobs refer to the members above.
    Worker blocking{"pktdrill-block", ctx.io};
    Worker direct{"pktdrill-call", ctx.io};

    enum class WaitEnd { done, timeout, interrupted };

    void poll_io() {
        if (ctx.io.stopped()) ctx.io.restart();
        ctx.io.poll();
    }

    // Waits, with the lock released, until `done()`, the deadline, or an interrupt. Runs ctx.io's
    // handlers meanwhile: the worker's eventfd wakes it, and Interrupts sees signals.
    //
    // Measured (see the handoff test): a non-blocking call that returns at once costs a few
    // microseconds more than the call itself this way. Spinning on the stage or sleeping on a
    // futex first was slower on a busy machine (the worker then waits for the CPU the main
    // thread holds), and epoll's wakeup is no slower than a futex's.
    template <typename Done>
    WaitEnd wait(std::unique_lock<std::mutex>& lock, Worker& worker, Done done, std::optional<Clock::time_point> deadline) {
        if (done()) return WaitEnd::done;
        lock.unlock();
        Relock relock{lock};
        Watch watch{worker};
        for (;;) {
            // Drained before the check: an announcement after it makes the eventfd readable, so
            // the io_context wakes up for it.
            worker.drain();
            if (done()) return WaitEnd::done;
            if (ctx.interrupts.requested()) return WaitEnd::interrupted;
            auto const now = Clock::now();
            if (deadline && now >= *deadline) return WaitEnd::timeout;
            worker.arm();
            auto until = now + 1s;
            if (deadline && *deadline < until) until = *deadline;
            if (ctx.io.stopped()) ctx.io.restart();
            ctx.io.run_one_until(until);
        }
    }

    enum class Started { sleeping, completed, interrupted };

    // packetdrill's wait for a blocking call: until its thread sleeps in the kernel (or the call
    // is done), polled.
    Started wait_started(std::unique_lock<std::mutex>& lock, Worker& worker) {
        lock.unlock();
        Relock relock{lock};
        for (int round = 0;; ++round) {
            if (worker.idle()) return Started::completed;
            if (worker.sleeping_in_call()) return Started::sleeping;
            poll_io();
            if (ctx.interrupts.requested()) return Started::interrupted;
            // The worker needs a CPU to get into the kernel: yield at first, then sleep a little
            // so that a call which computes for long does not have us spinning beside it.
            if (round < 100) std::this_thread::yield();
            else std::this_thread::sleep_for(50us);
        }
    }

    [[noreturn]] void interrupted() { throw Interrupted{ctx.interrupts.signal()}; }

    void store_failure(Error e) {
        std::lock_guard guard(failure_mutex);
        if (!failure) failure = std::move(e);
    }

    std::unique_ptr<Call> prepare(script::Event const& event, script::Syscall const& call) {
        Prepare const p = find_call(call.name);
        if (!p)
            throw Error("runtime error in " + call.name + " call: Unknown system call: '" + call.name + "'", event.where);
        try {
            check_symbols(call.args);
            CallContext c{ctx, call, Args(call.args, event.where), Expected{call.result, call.errno_name, event.where},
                          kept};
            return p(c);
        } catch (CallError const& e) {
            throw call_error(call.name, e, event.where);
        }
    }

    void run_now(std::unique_lock<std::mutex>& lock, script::Event const& event, script::Syscall const& call,
                 std::unique_ptr<Call> prepared) {
        direct.start(std::move(prepared));
        auto const timeout = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(ctx.config.syscall_timeout_secs));
        WaitEnd const end = wait(lock, direct, [this] { return direct.idle(); }, Clock::now() + timeout);
        if (end == WaitEnd::interrupted) {
            direct.abandon(abandon_patience);
            interrupted();
        }
        if (end == WaitEnd::timeout) {
            direct.abandon(abandon_patience);
            throw Error(syscall::format("runtime error in %s call: still blocked after %g seconds (--syscall_timeout); "
                                        "a call that is meant to block needs an end time, as in `+0...1 %s(...)`",
                                        call.name.c_str(), ctx.config.syscall_timeout_secs, call.name.c_str()),
                        event.where);
        }
        std::unique_ptr<Call> done = direct.take_call();
        try {
            done->finish(direct.outcome());
        } catch (CallError const& e) {
            throw call_error(call.name, e, event.where);
        }
        if (call.name == "cap_set" && direct.outcome().result >= 0) copy_capabilities(lock);
    }

    // Capabilities are per thread: after cap_set() changed the non-blocking worker's, the
    // blocking worker takes them over, so the script's later calls see the same ones whichever
    // thread makes them. (A blocking call in progress keeps its thread's.)
    void copy_capabilities(std::unique_lock<std::mutex>& lock) {
        if (!blocking.idle()) return;
        blocking.start(copy_capabilities_call(direct.tid()));
        if (wait(lock, blocking, [this] { return blocking.idle(); }, Clock::now() + blocking_patience) ==
            WaitEnd::interrupted)
            interrupted();
    }

    void run_blocking(std::unique_lock<std::mutex>& lock, script::Event const& event, script::Syscall const& call,
                      EventTiming const& timing, std::unique_ptr<Call> prepared) {
        EventTiming t = timing;
        // Both ends of `+s...e` count from the same base (reference E).
        if (!t.blocking_end)
            t.blocking_end = *call.end + (event.time.kind == script::TimeKind::relative ? timing.offset : 0);
        blocking_where = event.where;
        auto on_return = [this, t, name = call.name, where = event.where](Call& c, Outcome const& o,
                                                                          std::atomic<bool> const& abandoned) {
            // The lock is polled, not waited for, so that a runner being torn down by a thread
            // that holds it can call this job off.
            std::unique_lock<std::mutex> l(ctx.mutex, std::defer_lock);
            while (!l.try_lock()) {
                if (abandoned) return;
                std::this_thread::sleep_for(20us);
            }
            try {
                // packetdrill checks the result first, then the return time.
                c.finish(o);
                if (auto late = verify_return_time(ctx, t, o.returned_at - ctx.live_start)) store_failure(Error(*late, where));
            } catch (CallError const& e) {
                store_failure(call_error(name, e, where));
            } catch (Error const& e) {
                store_failure(e);
            } catch (std::exception const& e) {
                store_failure(Error("runtime error in " + name + " call: " + e.what(), where));
            }
        };
        blocking.start(std::move(prepared), std::move(on_return));
        Started const started = wait_started(lock, blocking);
        if (started == Started::interrupted) {
            blocking.abandon(abandon_patience);
            interrupted();
        }
    }
};

SyscallRunner::SyscallRunner(RunContext& ctx) : impl_(std::make_unique<Impl>(ctx)) {}

SyscallRunner::~SyscallRunner() = default;

void SyscallRunner::run(std::unique_lock<std::mutex>& lock, script::Event const& event, script::Syscall const& call,
                        EventTiming const& timing) {
    Impl& m = *impl_;
    // The script's sockets must live in the run's namespace, never in the one pktdrill was
    // started in: a runner made before the run entered its namespace would put them there.
    // Checked where sockets are made (the check costs a few microseconds of procfs).
    if (call.name == "socket" && thread_net_namespace() != m.net_namespace)
        throw Error("runtime error in " + call.name +
                        " call: the system-call threads are in another network namespace than the run "
                        "(they were started before the run entered its own)",
                    event.where);
    bool const is_blocking = call.end.has_value();
    // packetdrill lets a blocking call in progress finish first (up to 1 s), before any call.
    auto const idle = m.wait(lock, m.blocking, [&m] { return m.blocking.idle(); }, Clock::now() + blocking_patience);
    if (idle == Impl::WaitEnd::interrupted) m.interrupted();
    // A blocking call that failed meanwhile ends the run before this one runs.
    check_blocking();
    if (idle == Impl::WaitEnd::timeout && is_blocking)
        throw Error("runtime error in " + call.name +
                        " call: blocking system call while another blocking system call is already in progress",
                    event.where);
    std::unique_ptr<Call> prepared = m.prepare(event, call);
    if (is_blocking) {
        m.run_blocking(lock, event, call, timing, std::move(prepared));
        // A call that was already done has been checked: say so now rather than an event later.
        if (m.blocking.idle()) check_blocking();
    } else {
        m.run_now(lock, event, call, std::move(prepared));
    }
}

void SyscallRunner::check_blocking() {
    std::optional<Error> f;
    {
        std::lock_guard guard(impl_->failure_mutex);
        f.swap(impl_->failure);
    }
    if (f) throw std::move(*f);
}

void SyscallRunner::finish(std::unique_lock<std::mutex>& lock) {
    Impl& m = *impl_;
    auto const idle = m.wait(lock, m.blocking, [&m] { return m.blocking.idle(); }, Clock::now() + blocking_patience);
    if (idle == Impl::WaitEnd::interrupted) m.interrupted();
    check_blocking();
    if (idle == Impl::WaitEnd::timeout)
        throw Error("runtime error: exiting while a blocking system call is in progress", m.blocking_where);
}

}  // namespace pktdrill::run
