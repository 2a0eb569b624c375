#pragma once
// Ctrl-C (SIGINT), SIGTERM and SIGHUP end a run cleanly instead of killing pktdrill outright: the
// run must still kill a running shell command, run the cleanup command, print its summary and
// tear down its namespace. So these signals are turned into events on the run's io_context.
//
// One Interrupts per run. While it lives it owns the dispositions of the three signals; it puts
// back the ones it found (not SIG_DFL as Asio would: pktdrill may have been started with SIGHUP
// ignored by nohup, and tests run under Catch2's own handlers). Nested instances must be
// destroyed in reverse order of construction, as scoped objects are.

#include <boost/asio/io_context.hpp>

#include <signal.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>

namespace pktdrill::run {

class Interrupts {
    struct Impl;

public:
    // The signals that interrupt a run.
    static constexpr std::array<int, 3> signals{SIGINT, SIGTERM, SIGHUP};

    explicit Interrupts(boost::asio::io_context& io);
    ~Interrupts();
    Interrupts(Interrupts const&) = delete;
    Interrupts& operator=(Interrupts const&) = delete;

    // A signal arrived (it is seen once the io_context has run the handler that picks it up).
    bool requested() const noexcept;
    // The first signal that arrived, 0 if none.
    int signal() const noexcept;
    // How many arrived: callers may treat a second Ctrl-C as "stop cleaning up too".
    int count() const noexcept;

    // Keeps a callback registered; destroying it unregisters the callback. Safe to outlive the
    // Interrupts (it then does nothing).
    class [[nodiscard]] Subscription {
    public:
        Subscription() = default;
        Subscription(Subscription&& other) noexcept;
        Subscription& operator=(Subscription&& other) noexcept;
        Subscription(Subscription const&) = delete;
        Subscription& operator=(Subscription const&) = delete;
        ~Subscription();

    private:
        friend class Interrupts;
        Subscription(std::weak_ptr<Impl> impl, std::uint64_t id) : impl_(std::move(impl)), id_(id) {}
        void reset() noexcept;

        std::weak_ptr<Impl> impl_;
        std::uint64_t id_ = 0;
    };

    // Calls `callback(signal)` from the io_context for every signal that arrives from now on
    // (not for one that arrived before).
    Subscription on_interrupt(std::function<void(int signal)> callback);

private:
    static void arm(std::shared_ptr<Impl> const& impl);

    // Declared first so it is destroyed last, after Asio has let go of the signals.
    struct SavedDispositions {
        SavedDispositions();
        ~SavedDispositions();
        SavedDispositions(SavedDispositions const&) = delete;
        SavedDispositions& operator=(SavedDispositions const&) = delete;
        std::array<struct sigaction, signals.size()> actions{};
    };

    SavedDispositions saved_;
    // Shared with the pending signal handler through a weak_ptr, so a handler that Asio runs
    // after this object is gone finds nothing instead of a dangling pointer.
    std::shared_ptr<Impl> impl_;
};

}  // namespace pktdrill::run
