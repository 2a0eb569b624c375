// Child runs are started with Boost.Process v2 (boost/process/v2, header-only in Boost 1.81): it
// builds with C++20 and BOOST_ASIO_NO_DEPRECATED, and on Linux it watches each child through a
// pidfd on the io_context (pidfd_open + posix::stream_descriptor), so exits, output pipes, timers
// and signals are all one Asio event loop. Boost.Process v1 compiles too, but watches children
// through SIGCHLD and its own signal handling, which would fight the signal_set that catches
// Ctrl-C here.
//
// Three things v2 does not do on its own, done here:
// - a child's exit is reaped by async_wait, after which the process object is detached at once:
//   its destructor would otherwise waitpid/SIGKILL the pid, which may by then be another child's;
// - each child gets its own process group, so a terminal's Ctrl-C reaches the suite alone, which
//   forwards exactly one SIGINT to each run (pktdrill ends a run cleanly on it);
// - each child gets SIGINT when the suite dies (PR_SET_PDEATHSIG), so even a killed suite leaves
//   no run behind: a run's namespace, tun device and commands go when its pktdrill does.

#include "src/cli/suite_scheduler.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <numeric>
#include <optional>

#include "src/base/unique_fd.hpp"
#include "src/cli/suite_outcome.hpp"

namespace pktdrill::cli {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;
using report::Verdict;

namespace {

// After --timeout, the run is asked to stop (SIGINT: it tears its namespace down itself) and gets
// this long before SIGKILL; the same after Ctrl-C.
constexpr auto stop_grace = std::chrono::seconds(5);
// A run's output pipe normally closes with its exit; a command it started may hold it longer.
constexpr auto output_grace = std::chrono::seconds(2);
constexpr auto tick_interval = std::chrono::milliseconds(250);
// A log keeps its first and last this many bytes (a -v run of a long script prints megabytes).
constexpr std::size_t log_half = 256 * 1024;

// Runs in the child between fork and execve (Boost.Process's on_exec_setup).
struct ChildSetup {
    pid_t suite;  // getpid() of the suite, taken before fork

    boost::system::error_code on_exec_setup(bp::posix::default_launcher&, bp::filesystem::path const&,
                                            char const* const*) const {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGINT);
        // The suite may have died before prctl: then no signal will come.
        if (::getppid() != suite) return {ESRCH, boost::system::system_category()};
        return {};
    }
};

// The first and last log_half bytes of what a run printed.
class LogBuffer {
public:
    void append(char const* data, std::size_t n) {
        std::size_t const to_head = std::min(n, log_half - std::min(log_half, head_.size()));
        head_.append(data, to_head);
        tail_.append(data + to_head, n - to_head);
        if (tail_.size() > 2 * log_half) {
            dropped_ += tail_.size() - log_half;
            tail_.erase(0, tail_.size() - log_half);
        }
    }
    std::string text() const {
        if (dropped_ == 0) return head_ + tail_;
        return head_ + "\n[... " + std::to_string(dropped_) + " bytes left out ...]\n" + tail_;
    }

private:
    std::string head_, tail_;
    std::size_t dropped_ = 0;
};

struct Attempt {
    Attempt(asio::io_context& io, std::size_t index) : index(index), output(io), deadline(io), output_timer(io) {}

    std::size_t index;
    std::optional<bp::process> process;
    pid_t pid = -1;
    asio::readable_pipe output;
    asio::steady_timer deadline;      // --timeout, then the grace before SIGKILL
    asio::steady_timer output_timer;  // the grace for the pipe after the exit
    Clock::time_point started;
    LogBuffer log;
    std::array<char, 16 * 1024> buffer;
    AttemptEnd end;
    bool exited = false, closed = false, done = false, stopping = false;
};

std::string join_command(std::string const& dir, std::string const& binary, std::vector<std::string> const& args) {
    // For the log: what to type to run it again (arguments quoted only when they need it).
    auto const quote = [](std::string const& s) {
        if (!s.empty() && s.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}!#~") == std::string::npos) return s;
        std::string q = "'";
        for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return q + "'";
    };
    // Appended piece by piece: g++ 12 warns (-Wrestrict, falsely) about "literal" + std::string.
    std::string text = "$ cd ";
    text.append(quote(dir)).append(" && ").append(quote(binary));
    for (auto const& a : args) text.append(" ").append(quote(a));
    return text.append("\n");
}

class Scheduler {
public:
    Scheduler(asio::io_context& io, std::vector<PlannedRun> const& runs, std::vector<report::SuiteEntry>& entries,
              SchedulerSettings const& settings, SchedulerEvents const& events, std::size_t& running_now)
        : io_(io), runs_(runs), entries_(entries), settings_(settings), events_(events), running_now_(running_now),
          signals_(io, SIGINT, SIGTERM), ticker_(io), kill_timer_(io) {}

    int run() {
        // Longest scripted time first: the longest runs must not start last (the corpus has a
        // 20 s one among runs of 0.2 s).
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < runs_.size(); ++i)
            if (!runs_[i].skipped()) order.push_back(i);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return runs_[a].estimate_secs > runs_[b].estimate_secs;
        });
        queue_.assign(order.begin(), order.end());
        if (queue_.empty()) return 0;

        wait_for_signal();
        if (events_.tick) schedule_tick();
        fill();
        io_.run();
        return interrupted_by_;
    }

private:
    void wait_for_signal() {
        signals_.async_wait([this](boost::system::error_code const& ec, int signal) {
            if (ec) return;
            on_signal(signal);
            if (!finished_all()) wait_for_signal();
        });
    }

    void on_signal(int signal) {
        if (interrupted_by_ == 0) {
            // Stop starting runs; ask each running one to stop, as a terminal's Ctrl-C would
            // have, and wait for them: each cleans up its own namespace.
            interrupted_by_ = signal;
            queue_.clear();
            for (auto const& a : active_) stop(*a, signal, true);
            kill_timer_.expires_after(stop_grace * 2);
            kill_timer_.async_wait([this](boost::system::error_code const& ec) {
                if (!ec) kill_all();
            });
        } else {
            // A second Ctrl-C: no more patience.
            kill_all();
        }
    }

    void kill_all() {
        for (auto const& a : active_)
            if (!a->exited && a->process) {
                boost::system::error_code ignored;
                a->process->terminate(ignored);
            }
    }

    // Sends `signal` to a run that is still going; `interrupt` marks it cut short by Ctrl-C.
    void stop(Attempt& a, int signal, bool interrupt) {
        if (interrupt) a.end.interrupted = true;
        if (a.exited || !a.process) return;  // reaped: its pid may be someone else's now
        ::kill(a.pid, signal);
    }

    void schedule_tick() {
        ticker_.expires_after(tick_interval);
        ticker_.async_wait([this](boost::system::error_code const& ec) {
            if (ec || finished_all()) return;
            events_.tick();
            schedule_tick();
        });
    }

    bool finished_all() const { return active_.empty() && queue_.empty(); }

    void fill() {
        while (interrupted_by_ == 0 && !queue_.empty() && static_cast<int>(active_.size()) < settings_.jobs) {
            std::size_t const index = queue_.front();
            queue_.pop_front();
            launch(index);
        }
        running_now_ = active_.size();
        if (finished_all()) {
            // Nothing left to wait for: let io.run() return.
            signals_.cancel();
            ticker_.cancel();
            kill_timer_.cancel();
        }
    }

    void launch(std::size_t index) {
        PlannedRun const& run = runs_[index];
        auto& entry = entries_[index];
        auto const attempt = std::make_shared<Attempt>(io_, index);
        ++entry.attempts;
        std::vector<std::string> const args = run_arguments(run, settings_);
        std::string const header = (entry.attempts > 1 ? "--- attempt " + std::to_string(entry.attempts) + "\n" : "") +
                                   join_command(run.directory, settings_.binary, args);
        attempt->log.append(header.data(), header.size());
        attempt->started = Clock::now();

        // One pipe for stdout and stderr, so the log keeps the order of what the run printed.
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            fail_to_start(attempt, std::string("pipe: ") + std::strerror(errno));
            return;
        }
        UniqueFd write_end(fds[1]);
        boost::system::error_code ec;
        attempt->output.assign(fds[0], ec);
        if (ec) {
            ::close(fds[0]);
            fail_to_start(attempt, "pipe: " + ec.message());
            return;
        }
        try {
            attempt->process.emplace(io_.get_executor(), settings_.binary, args,
                                     bp::process_stdio{nullptr, write_end.get(), write_end.get()},
                                     bp::process_start_dir(run.directory), ChildSetup{::getpid()});
        } catch (boost::system::system_error const& e) {
            fail_to_start(attempt, e.code().message());
            return;
        }
        write_end.reset();  // the child has it: EOF comes when it (and whatever it started) is gone
        attempt->pid = attempt->process->id();
        active_.push_back(attempt);

        read_output(attempt);
        attempt->process->async_wait([this, attempt](boost::system::error_code const& wait_ec, int) {
            on_exit(attempt, wait_ec);
        });
        if (settings_.timeout_secs > 0) {
            attempt->deadline.expires_after(std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(settings_.timeout_secs)));
            attempt->deadline.async_wait([this, attempt](boost::system::error_code const& t_ec) {
                if (t_ec || attempt->exited) return;
                attempt->end.timed_out = true;
                stop(*attempt, SIGINT, false);
                attempt->deadline.expires_after(stop_grace);
                attempt->deadline.async_wait([attempt](boost::system::error_code const& k_ec) {
                    if (k_ec || attempt->exited || !attempt->process) return;
                    boost::system::error_code ignored;
                    attempt->process->terminate(ignored);
                });
            });
        }
        // A run started after a Ctrl-C cannot exist (fill() stops), but one started in the same
        // turn of the loop as the signal is told at once.
        if (interrupted_by_ != 0) stop(*attempt, interrupted_by_, true);
    }

    void fail_to_start(std::shared_ptr<Attempt> const& attempt, std::string const& why) {
        attempt->end.not_started = true;
        attempt->end.start_error = why;
        attempt->exited = attempt->closed = true;
        active_.push_back(attempt);
        // Reported from the loop, like every other end, so callers see one order of events.
        asio::post(io_, [this, attempt] { maybe_finish(attempt); });
    }

    void read_output(std::shared_ptr<Attempt> const& attempt) {
        attempt->output.async_read_some(asio::buffer(attempt->buffer),
                                        [this, attempt](boost::system::error_code const& ec, std::size_t n) {
                                            attempt->log.append(attempt->buffer.data(), n);
                                            if (!ec) {
                                                read_output(attempt);
                                                return;
                                            }
                                            attempt->closed = true;
                                            maybe_finish(attempt);
                                        });
    }

    void on_exit(std::shared_ptr<Attempt> const& attempt, boost::system::error_code const& ec) {
        attempt->exited = true;
        if (!ec) {
            int const status = attempt->process->native_exit_code();
            attempt->end.exited = WIFEXITED(status);
            attempt->end.status = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
        } else {
            attempt->end.exited = false;
            attempt->end.status = SIGKILL;
        }
        // Reaped: the process object must never signal or wait for that pid again.
        attempt->process->detach();
        attempt->process.reset();
        attempt->deadline.cancel();
        if (!attempt->closed) {
            attempt->output_timer.expires_after(output_grace);
            attempt->output_timer.async_wait([attempt](boost::system::error_code const& t_ec) {
                if (t_ec || attempt->closed) return;
                boost::system::error_code ignored;
                attempt->output.close(ignored);  // the pending read ends with operation_aborted
            });
        }
        maybe_finish(attempt);
    }

    void maybe_finish(std::shared_ptr<Attempt> const& attempt) {
        if (!attempt->exited || !attempt->closed || attempt->done) return;
        attempt->done = true;
        attempt->output_timer.cancel();
        attempt->deadline.cancel();
        std::erase(active_, attempt);
        running_now_ = active_.size();  // what the progress line shows from the callback on

        auto& entry = entries_[attempt->index];
        PlannedRun const& run = runs_[attempt->index];
        entry.seconds = std::chrono::duration<double>(Clock::now() - attempt->started).count();
        std::string const log = attempt->log.text();
        AttemptOutcome const outcome = judge_attempt(run, attempt->end, log, settings_.timeout_secs);
        entry.log += log;

        bool const retry = outcome.verdict == Verdict::fail && outcome.timing_only &&
                           entry.attempts <= settings_.retries && interrupted_by_ == 0;
        if (retry) {
            if (entry.first_failure.empty()) entry.first_failure = outcome.location + ": " + outcome.message;
            queue_.push_back(attempt->index);
            if (events_.retrying) events_.retrying(attempt->index, outcome.location + ": " + outcome.message);
        } else {
            entry.exit_status = outcome.exit_status;
            entry.location = outcome.location;
            entry.message = outcome.message;
            entry.detail = outcome.detail;
            entry.verdict = outcome.verdict;
            // A pass after a timing failure is flaky; anything else keeps its own verdict.
            if (outcome.verdict == Verdict::pass && !entry.first_failure.empty()) entry.verdict = Verdict::flaky;
            if (events_.finished) events_.finished(attempt->index);
        }
        fill();
    }

    asio::io_context& io_;
    std::vector<PlannedRun> const& runs_;
    std::vector<report::SuiteEntry>& entries_;
    SchedulerSettings const& settings_;
    SchedulerEvents const& events_;
    std::size_t& running_now_;
    asio::signal_set signals_;
    asio::steady_timer ticker_;
    asio::steady_timer kill_timer_;
    std::deque<std::size_t> queue_;
    std::vector<std::shared_ptr<Attempt>> active_;
    int interrupted_by_ = 0;
};

}  // namespace

std::string pcap_file_name(PlannedRun const& run) {
    std::string name;
    for (auto const& part : std::filesystem::path(run.script).lexically_normal()) {
        std::string const s = part.string();
        if (s.empty() || s == "." || s == ".." || s == "/") continue;
        if (!name.empty()) name += '_';
        name += s;
    }
    return name + "." + run.ip_version + ".pcap";
}

std::vector<std::string> run_arguments(PlannedRun const& run, SchedulerSettings const& settings) {
    std::vector<std::string> args;
    if (run.set_ip_version) {
        args.push_back("--ip_version=" + run.ip_version);
        if (auto it = settings.version_args.find(run.ip_version); it != settings.version_args.end())
            args.insert(args.end(), it->second.begin(), it->second.end());
    }
    args.insert(args.end(), settings.child_args.begin(), settings.child_args.end());
    if (!settings.pcap_dir.empty()) args.push_back("--pcap=" + settings.pcap_dir + "/" + pcap_file_name(run));
    args.push_back(run.file_name);
    return args;
}

int run_all(asio::io_context& io, std::vector<PlannedRun> const& runs, std::vector<report::SuiteEntry>& entries,
            SchedulerSettings const& settings, SchedulerEvents const& events, std::size_t& running_now) {
    Scheduler scheduler(io, runs, entries, settings, events, running_now);
    return scheduler.run();
}

}  // namespace pktdrill::cli
