#include "src/run/syscall_worker.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>

#include "src/base/error.hpp"

namespace pktdrill::run::syscall {

int kick_signal() noexcept { return SIGRTMIN + 3; }

namespace {

void ignore_kick(int) {}

void install_kick_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_handler = ignore_kick;
        sigemptyset(&action.sa_mask);
        // Deliberately without SA_RESTART: the kick exists to make a blocked call return EINTR.
        action.sa_flags = 0;
        if (::sigaction(kick_signal(), &action, nullptr) != 0) throw_system_error("cannot install the kick signal handler", errno);
    });
}

// Blocks every signal while alive: a thread started meanwhile inherits that mask, so no signal
// can reach it before it has set up its own.
class BlockAllSignals {
public:
    BlockAllSignals() {
        sigset_t all;
        sigfillset(&all);
        ::pthread_sigmask(SIG_SETMASK, &all, &saved_);
    }
    ~BlockAllSignals() { ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
    BlockAllSignals(BlockAllSignals const&) = delete;
    BlockAllSignals& operator=(BlockAllSignals const&) = delete;

private:
    sigset_t saved_;
};

enum Command : int { none = 0, job = 1, stop = 2 };

}  // namespace

struct Worker::State {
    std::atomic<int> command{none};
    std::atomic<Stage> stage{Stage::idle};
    std::atomic<bool> watched{false};
    std::atomic<bool> abandoned{false};
    std::atomic<pid_t> tid{0};
    UniqueFd event;
    // Written by start() while idle, read by the worker while busy.
    std::unique_ptr<Call> call;
    OnReturn on_return;
    Outcome outcome;

    void set_stage(Stage s) noexcept {
        stage = s;
        // Waiters wait for idle (the end of a blocking call is polled, not waited for), so only
        // that is announced: every announcement wakes the waiter. Sequentially consistent with
        // watch(): either the watcher sees the new stage, or this sees the watch.
        if (s == Stage::idle && watched) {
            std::uint64_t const one = 1;
            [[maybe_unused]] auto n = ::write(event.get(), &one, sizeof one);
        }
    }

    void loop() noexcept {
        // Every other signal stays blocked (the mask was inherited): SIGINT and friends go to the
        // main thread's io_context, and none of them makes a script's call return EINTR.
        sigset_t kick;
        sigemptyset(&kick);
        sigaddset(&kick, kick_signal());
        ::pthread_sigmask(SIG_UNBLOCK, &kick, nullptr);
        tid = ::gettid();
        tid.notify_all();
        for (;;) {
            command.wait(none);
            if (command.load() == stop) return;
            set_stage(Stage::in_call);
            Outcome o;
            if (abandoned) {
                o.result = -1;
                o.err = EINTR;
            } else {
                // errno is cleared so that a call that succeeds reports 0, not a stale value.
                errno = 0;
                o.result = call->invoke();
                o.err = errno;
            }
            o.returned_at = now_us();
            outcome = o;
            set_stage(Stage::finishing);
            if (on_return) {
                if (!abandoned) on_return(*call, o, abandoned);
                call.reset();
                on_return = nullptr;
            }
            command = none;
            set_stage(Stage::idle);
        }
    }
};

Worker::Worker(char const* name, boost::asio::io_context& io) : state_(std::make_shared<State>()), events_(io) {
    install_kick_handler();
    int const efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) throw_system_error("eventfd", errno);
    state_->event.reset(efd);
    // The io_context gets its own descriptor of the eventfd: the worker writes to the State's,
    // which stays valid even for a worker left behind.
    int const watched = ::fcntl(efd, F_DUPFD_CLOEXEC, 0);
    if (watched < 0) throw_system_error("dup", errno);
    events_.assign(watched);
    {
        BlockAllSignals blocked;
        thread_ = std::thread([s = state_] { s->loop(); });
    }
    ::pthread_setname_np(thread_.native_handle(), name);
    state_->tid.wait(0);
    std::string const stat = "/proc/self/task/" + std::to_string(state_->tid.load()) + "/stat";
    stat_.reset(::open(stat.c_str(), O_RDONLY | O_CLOEXEC));
}

Worker::~Worker() {
    disarm();
    if (!abandon(std::chrono::seconds(5))) {
        std::cerr << "pktdrill: warning: a system call did not return when interrupted; its thread is left behind\n";
        thread_.detach();
        return;
    }
    state_->command = stop;
    state_->command.notify_one();
    thread_.join();
}

void Worker::start(std::unique_ptr<Call> call, OnReturn on_return) {
    state_->call = std::move(call);
    state_->on_return = std::move(on_return);
    state_->abandoned = false;
    state_->stage = Stage::queued;
    state_->command = job;
    state_->command.notify_one();
}

Worker::Stage Worker::stage() const noexcept { return state_->stage.load(); }

bool Worker::sleeping_in_call() const {
    if (stage() != Stage::in_call || !stat_) return false;
    char buf[512];
    // pread at 0 makes procfs generate the file afresh each time.
    ssize_t const n = ::pread(stat_.get(), buf, sizeof buf - 1, 0);
    if (n <= 0) return false;
    buf[n] = '\0';
    // "tid (comm) S ...": the state follows the last ')', since a name may hold spaces.
    char const* p = std::strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] == 'S';
}

std::unique_ptr<Call> Worker::take_call() { return std::move(state_->call); }

Outcome Worker::outcome() const { return state_->outcome; }

bool Worker::abandon(std::chrono::milliseconds patience) {
    if (idle()) return true;
    state_->abandoned = true;
    auto const deadline = std::chrono::steady_clock::now() + patience;
    while (!idle()) {
        // Repeated: a kick that lands just before the thread enters the kernel is lost.
        if (stage() == Stage::in_call) ::pthread_kill(thread_.native_handle(), kick_signal());
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

void Worker::watch(bool on) noexcept { state_->watched = on; }

void Worker::arm() {
    if (*armed_) return;
    *armed_ = true;
    events_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                       [armed = armed_](boost::system::error_code const&) { *armed = false; });
}

void Worker::disarm() {
    if (!*armed_) return;
    boost::system::error_code ignored;
    events_.cancel(ignored);
}

void Worker::drain() noexcept {
    std::uint64_t count;
    [[maybe_unused]] auto n = ::read(state_->event.get(), &count, sizeof count);
}

pid_t Worker::tid() const noexcept { return state_->tid.load(); }

}  // namespace pktdrill::run::syscall
