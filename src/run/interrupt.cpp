#include "src/run/interrupt.hpp"

#include <boost/asio/signal_set.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "src/base/error.hpp"

namespace pktdrill::run {

struct Interrupts::Impl {
    explicit Impl(boost::asio::io_context& io) : set(io) {}

    boost::asio::signal_set set;
    int first = 0;
    int count = 0;
    std::uint64_t next_id = 1;
    std::map<std::uint64_t, std::function<void(int)>> callbacks;
};

void Interrupts::arm(std::shared_ptr<Impl> const& impl) {
    std::weak_ptr<Impl> weak = impl;
    impl->set.async_wait([weak](boost::system::error_code const& ec, int signal) {
        if (ec) return;  // cancelled: the Interrupts is going away
        auto impl = weak.lock();
        if (!impl) return;
        if (impl->first == 0) impl->first = signal;
        ++impl->count;
        // Re-armed before the callbacks run, so a signal arriving meanwhile is not lost.
        arm(impl);
        // A callback may unsubscribe itself or others: walk a snapshot of the ids and call a
        // copy, so no std::function is destroyed while it runs.
        std::vector<std::uint64_t> ids;
        ids.reserve(impl->callbacks.size());
        for (auto const& entry : impl->callbacks) ids.push_back(entry.first);
        for (auto id : ids) {
            auto it = impl->callbacks.find(id);
            if (it == impl->callbacks.end()) continue;
            auto callback = it->second;
            callback(signal);
        }
    });
}

Interrupts::SavedDispositions::SavedDispositions() {
    for (std::size_t i = 0; i < signals.size(); ++i) ::sigaction(signals[i], nullptr, &actions[i]);
}

Interrupts::SavedDispositions::~SavedDispositions() {
    for (std::size_t i = 0; i < signals.size(); ++i) ::sigaction(signals[i], &actions[i], nullptr);
}

Interrupts::Interrupts(boost::asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {
    for (int signal : signals) {
        boost::system::error_code ec;
        impl_->set.add(signal, ec);
        if (ec) throw_system_error("cannot handle signal " + std::to_string(signal), ec.value());
        // Asio installs its handler without SA_RESTART, so a Ctrl-C would make a script's
        // blocking system call (read, accept, ...) fail with EINTR in the system-call thread and
        // be reported as the script's failure. The handler only writes to Asio's pipe, which is
        // safe to restart around; epoll_wait returns EINTR regardless, which Asio handles.
        struct sigaction action {};
        if (::sigaction(signal, nullptr, &action) == 0) {
            action.sa_flags |= SA_RESTART;
            ::sigaction(signal, &action, nullptr);
        }
    }
    arm(impl_);
}

Interrupts::~Interrupts() {
    // Asio must drop its handlers before saved_ puts the old ones back (saved_ is destroyed
    // last), also if a running signal handler still holds impl_.
    boost::system::error_code ignored;
    impl_->set.cancel(ignored);
    impl_->set.clear(ignored);
}

bool Interrupts::requested() const noexcept { return impl_->first != 0; }
int Interrupts::signal() const noexcept { return impl_->first; }
int Interrupts::count() const noexcept { return impl_->count; }

Interrupts::Subscription Interrupts::on_interrupt(std::function<void(int)> callback) {
    auto id = impl_->next_id++;
    impl_->callbacks.emplace(id, std::move(callback));
    return Subscription(impl_, id);
}

Interrupts::Subscription::Subscription(Subscription&& other) noexcept
    : impl_(std::move(other.impl_)), id_(std::exchange(other.id_, 0)) {}

Interrupts::Subscription& Interrupts::Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        reset();
        impl_ = std::move(other.impl_);
        id_ = std::exchange(other.id_, 0);
    }
    return *this;
}

Interrupts::Subscription::~Subscription() { reset(); }

void Interrupts::Subscription::reset() noexcept {
    if (auto impl = impl_.lock()) impl->callbacks.erase(id_);
    impl_.reset();
    id_ = 0;
}

}  // namespace pktdrill::run
