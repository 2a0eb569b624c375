#pragma once
// Runs a script's shell commands (init, timed, cleanup, --init_scripts) the way packetdrill's
// system() does — `/bin/sh -c CMD`, synchronously, PACKETDRILL_PID set, cwd and stdio inherited —
// with two guarantees system() lacks:
//
// * Nothing outlives the command, whatever ends pktdrill (even SIGKILL): the shell runs as PID 1
//   of a new PID namespace, with PR_SET_PDEATHSIG=SIGKILL. When it dies the kernel kills
//   everything else in that namespace, and run_command returns only after all of it is gone.
//   Consequence, unlike system(): a command cannot leave a daemon behind (`tcpdump &` ends with
//   its command), and signals sent to the shell from inside the command (`kill $$`) are ignored,
//   as for any PID 1 without handlers. /proc is not remounted, so the command sees pktdrill's
//   processes, including /proc/$PACKETDRILL_PID.
// * It is interruptible: a SIGINT/SIGTERM/SIGHUP (see Interrupts) or a timeout kills the whole
//   tree at once and run_command says so.
//
// Descriptors other than 0, 1 and 2 are not passed to the command (they are marked close-on-exec
// in the child), so a command cannot keep pktdrill's TUN device or sockets open.
//
// Contract for callers:
// * Call it from the thread that runs `io`; it runs `io` (run_one) until the command ended, an
//   interrupt arrived or the time limit passed, so other handlers on `io` keep being served
//   meanwhile. A stopped io_context is restarted.
// * A PR_SET_PDEATHSIG is tied to the calling *thread*: the thread must stay alive while the
//   command runs (it does, run_command blocks it).
// * End::interrupted: a signal arrived during the call; the tree is already dead. The caller should
//   stop the script and go on with its cleanup (cleanup command, summary).
// * After an interrupt (interrupts.requested() is true when run_command is called), commands still
//   run — the cleanup command must — but each is limited to time_limit_after_interrupt (or the
//   caller's timeout if shorter) and ends with End::timed_out past it; one more signal during it
//   ends it at once with End::interrupted. So cleanup after Ctrl-C takes at most that long per
//   command, and a second Ctrl-C makes it immediate.
// * Throws pktdrill::Error only when the command cannot be started or waited for (e.g. no PID
//   namespace without CAP_SYS_ADMIN; pidfds need Linux 5.4).
//
// Cost: about 35 us more than system() per command (a ~0.6 ms affair, mostly /bin/sh), whatever
// pktdrill's size: the child is started vfork-style, like posix_spawn does.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace pktdrill::run {

class Interrupts;

struct CommandOutcome {
    enum class End {
        exited,            // status: the exit code (127: /bin/sh found no such program)
        killed_by_signal,  // status: the signal that ended the shell (only SIGKILL/SIGSTOP-class
                           // signals from outside, or a fault, can: it is a PID 1)
        interrupted,       // status: the signal that interrupted the run (SIGINT, SIGTERM, SIGHUP)
        timed_out,         // status: 0
    };
    End end = End::exited;
    int status = 0;

    bool succeeded() const noexcept { return end == End::exited && status == 0; }
    friend bool operator==(CommandOutcome const&, CommandOutcome const&) = default;
};

// How long a command may run once the run has been interrupted (see the contract above).
inline constexpr std::chrono::milliseconds time_limit_after_interrupt{1000};

// The text the shell is given for a script's command: `$PPID` set to pktdrill's pid (the shell is
// PID 1 of its own PID namespace, where getppid() is 0), and files git checked out in place of
// symbolic links replaced by their targets.
std::string shell_command_text(std::string const& command_line);

CommandOutcome run_command(boost::asio::io_context& io, Interrupts& interrupts,
                           std::string const& command_line,
                           std::optional<std::chrono::milliseconds> timeout = {});

}  // namespace pktdrill::run
