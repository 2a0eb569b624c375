#include "src/report/state_table.hpp"

#include <algorithm>
#include <cstdio>

namespace pktdrill::report {

namespace {

// netstat pads both address columns to 23 characters and lets longer ones push the rest along.
constexpr int netstat_address_width = 23;
// Past this an event (a long setsockopt) would push the socket columns off a terminal: it gets a
// row of its own and its changes go below it.
constexpr std::size_t max_event_width = 48;
constexpr int address_width = 21;  // "192.168.255.255:65535"

// Left-aligned in `width`, and always followed by a space: an IPv6 address longer than its
// column pushes the rest along instead of running into it.
std::string pad(std::string text, std::size_t width) {
    text.append(text.size() < width ? width - text.size() : 1, ' ');
    return text;
}

std::string seconds(Micros us) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(us) / 1e6);
    return buf;
}

}  // namespace

std::string render_state_table(std::vector<StateRow> const& rows) {
    // netstat -tanp: "%-4s  %6ld %6ld %-*s %-*s %-11s" and the PID/Program name column.
    std::string out = "Active Internet connections (servers and established)\n"
                      "Proto Recv-Q Send-Q Local Address           Foreign Address         State       Script fd\n";
    for (auto const& r : rows) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%-4s  %6lu %6lu %-*s %-*s %-11s %s\n", r.proto.c_str(),
                      static_cast<unsigned long>(r.recv_q), static_cast<unsigned long>(r.send_q),
                      netstat_address_width, r.local.c_str(), netstat_address_width, r.foreign.c_str(),
                      r.state.c_str(), r.fd.c_str());
        out += buf;
    }
    return out;
}

Timeline::Timeline(std::vector<std::string> const& events) {
    event_width_ = std::string_view("event").size();
    for (auto const& e : events)
        if (e.size() <= max_event_width) event_width_ = std::max(event_width_, e.size());
}

std::string Timeline::header() const {
    return pad("line", 5) + pad("      time", 11) + pad("event", event_width_ + 2) + pad("fd", 4) +
           pad("local", address_width + 1) + pad("foreign", address_width + 1) + "state\n";
}

std::string Timeline::render(int line, std::string const& event, Micros done, std::vector<StateChange> const& changes,
                             std::string const& note, bool continued) const {
    char number[16];
    std::snprintf(number, sizeof number, "%4d ", line);
    auto time_column = [](Micros t) {
        std::string const s = seconds(t);
        return std::string(s.size() < 10 ? 10 - s.size() : 0, ' ') + s + " ";
    };
    std::string const shown = note.empty() ? event : event + "  (" + note + ")";
    std::string out;
    if (continued && changes.empty() && note.empty()) return out;
    bool const own_row = (continued && !note.empty()) || shown.size() > event_width_ || changes.empty();
    if (own_row) {
        out += number + time_column(changes.empty() ? done : changes.front().time) + shown + "\n";
        if (changes.empty()) return out;
    }
    for (std::size_t i = 0; i < changes.size(); ++i) {
        auto const& c = changes[i];
        std::string const event_column = (i == 0 && !own_row && !continued) ? shown : std::string();
        out += number + time_column(c.time) + pad(event_column, event_width_ + 2) + pad(c.fd, 4) +
               pad(c.local, address_width + 1) + pad(c.foreign, address_width + 1) + c.from + " -> " + c.to + "\n";
    }
    return out;
}

}  // namespace pktdrill::report
