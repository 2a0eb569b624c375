#pragma once
// The system-call executor: runs the script's system-call lines against the kernel with
// packetdrill's semantics (reference A.4, C, E), and keeps the socket and fd records the packet
// engine maps packets by (D.1).
//
// Threads. Every call runs on a worker thread, never on the main thread, so that a call which
// blocks can be timed out and interrupted (see syscall_worker.hpp). There are two workers:
//  * blocking calls (`start...end`) run on one, like packetdrill's helper thread: run() returns
//    once the call sleeps in the kernel (or has completed), the run goes on, and the worker checks
//    the call when it returns (result, errno, outputs, and its return time against `end`); a
//    failure waits for check_blocking(). One blocking call at a time: a second one waits up to 1 s
//    for the first, then fails ("blocking system call while another blocking system call is
//    already in progress").
//  * every other call runs on the other worker while run() waits for it. As in packetdrill, it
//    first waits up to 1 s for a blocking call in progress to finish (and then runs anyway).
//    A call that is still blocked after --syscall_timeout fails the run, naming the call, instead
//    of hanging it as packetdrill does.
// While it waits, run() releases ctx.mutex and runs ctx.io's handlers (so it sees Interrupts);
// a SIGINT/SIGTERM/SIGHUP makes it interrupt the call and throw Interrupted.
//
// Capabilities are per thread in Linux: cap_set() changes those of both workers (the threads that
// make the script's calls), not the main thread's.
//
// Network namespaces belong to threads, and the workers stay in the one they were started in:
// construct the runner in the run's namespace. run() refuses to create a socket when the
// calling thread has moved to another namespace since.
//
// Errors: `runtime error in <call> call: <packetdrill's message>`, located at the argument at
// fault, or at the call's line; timing errors of blocking calls in packetdrill's words.

#include <memory>
#include <mutex>

#include "src/run/run_context.hpp"
#include "src/script/model.hpp"

namespace pktdrill::run {

class SyscallRunner {
public:
    explicit SyscallRunner(RunContext& ctx);
    // Interrupts a call still in the kernel and joins the workers.
    ~SyscallRunner();
    SyscallRunner(SyscallRunner const&) = delete;
    SyscallRunner& operator=(SyscallRunner const&) = delete;

    // Runs the call of `event` now; `lock` holds ctx.mutex, and holds it again when this returns
    // or throws. A non-blocking call has completed and been checked when this returns; a blocking
    // one (call.end set) sleeps in the kernel or has completed. `event` and `call` belong to the
    // run's script, which outlives the runner. Throws Error, or Interrupted.
    void run(std::unique_lock<std::mutex>& lock, script::Event const& event, script::Syscall const& call,
             EventTiming const& timing);

    // Throws the failure of a blocking call that has returned since the last check, if any.
    // Call it with ctx.mutex held, between events.
    void check_blocking();

    // End of the script: waits up to 1 s for a blocking call in progress, then fails with
    // packetdrill's "exiting while a blocking system call is in progress". Throws Error, or
    // Interrupted.
    void finish(std::unique_lock<std::mutex>& lock);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pktdrill::run
