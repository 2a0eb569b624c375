#pragma once
// The run's clock: CLOCK_MONOTONIC in microseconds (packetdrill uses the wall clock, which can
// step; a monotonic clock cannot), and the precise wait the scheduler uses.

#include <time.h>

#include <chrono>
#include <cstdint>

namespace pktdrill::run {

using Micros = std::int64_t;

inline Micros now_us() noexcept {
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<Micros>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

inline Micros to_us(std::chrono::steady_clock::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// The last stretch before an event is spun, not slept: the scheduler's wakeup latency (tens of
// microseconds, more under load) would otherwise land on every event.
inline constexpr Micros spin_margin_us = 200;

// Sleeps until shortly before `deadline`, then spins on the clock until it is reached.
void wait_until(Micros deadline) noexcept;

}  // namespace pktdrill::run
