#pragma once
// A thread that makes system calls for the run loop, one at a time.
//
// Script calls never run on the main thread: a call that blocks there could be neither timed out
// nor interrupted by Ctrl-C (Interrupts installs its handlers with SA_RESTART, so the kernel would
// restart the call). On a worker the main thread waits for the call through the io_context, with
// a deadline, and can give up on it: the worker blocks every asynchronous signal but one, the
// "kick" signal, whose handler does nothing and is installed without SA_RESTART, so a kick makes
// a call stuck in the kernel return EINTR.
//
// Stages of a job: queued (start()) → in_call (the worker is making the call) → finishing (the
// call returned; a blocking call's on_return runs) → idle. While the main thread watches, the
// return to idle is announced on an eventfd it can wait for in the io_context.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "src/base/unique_fd.hpp"
#include "src/run/syscall_call.hpp"

namespace pktdrill::run::syscall {

// The signal that interrupts a worker's call: a real-time signal nothing else in pktdrill uses.
int kick_signal() noexcept;

class Worker {
public:
    enum class Stage : int { idle, queued, in_call, finishing };

    // Runs on the worker right after the call returned, unless the job was abandoned. `abandoned`
    // turns true if the job is abandoned meanwhile (then it should stop waiting for anything).
    using OnReturn = std::function<void(Call& call, Outcome const& outcome, std::atomic<bool> const& abandoned)>;

    // `name` shows in ps / top (at most 15 characters).
    Worker(char const* name, boost::asio::io_context& io);
    // Interrupts a call still in the kernel and joins the thread. Should the call not return even
    // then (an uninterruptible sleep), the thread is detached with a message on stderr: its state
    // is shared with it, so it stays valid.
    ~Worker();
    Worker(Worker const&) = delete;
    Worker& operator=(Worker const&) = delete;

    // Precondition: idle().
    void start(std::unique_ptr<Call> call, OnReturn on_return = {});

    Stage stage() const noexcept;
    bool idle() const noexcept { return stage() == Stage::idle; }
    // The call is in the kernel and its thread sleeps there (state S in /proc/<pid>/task/<tid>/stat,
    // as packetdrill checks it).
    bool sleeping_in_call() const;

    // After a job without on_return, once idle: the call, for the caller to finish(), and what it
    // returned.
    std::unique_ptr<Call> take_call();
    Outcome outcome() const;

    // Gives up the current job: on_return is skipped, and a call in the kernel is kicked until it
    // returns. Returns whether the worker is idle again within `patience`.
    bool abandon(std::chrono::milliseconds patience);

    // While watched, the worker announces its return to idle on its eventfd; unwatched, it saves
    // the system call. Set the watch before looking at the stage, so no change is missed.
    void watch(bool on) noexcept;

    // Arms a wait on the worker's eventfd in the io_context (at most one at a time), and cancels
    // it. A completed wait only wakes the io_context; the waiter drains the eventfd (before it
    // looks at the stage, so no announcement is lost) and checks the stage itself.
    void arm();
    void disarm();
    void drain() noexcept;

    pid_t tid() const noexcept;

private:
    struct State;
    std::shared_ptr<State> state_;
    boost::asio::posix::stream_descriptor events_;
    UniqueFd stat_;  // /proc/self/task/<tid>/stat
    // Shared with the pending wait's handler, which may run after this worker is gone.
    std::shared_ptr<bool> armed_ = std::make_shared<bool>(false);
    std::thread thread_;
};

}  // namespace pktdrill::run::syscall
