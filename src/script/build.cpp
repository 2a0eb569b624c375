#include "src/script/build.hpp"

#include <algorithm>
#include <cstdio>

#include "grammar/parse.hpp"
#include "src/script/builder.hpp"

namespace pktdrill::script {

namespace detail {

namespace {

// Parses [-](decimal|0xhex) without overflow; nullopt when the value does not fit in 64 bits.
std::optional<std::int64_t> parse_int64(std::string const& text, bool& is_number) {
    is_number = false;
    std::size_t i = 0;
    bool const negative = i < text.size() && text[i] == '-';
    if (negative) ++i;
    int base = 10;
    if (text.size() - i > 2 && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
        base = 16;
        i += 2;
    }
    if (i == text.size()) return std::nullopt;
    unsigned __int128 v = 0;
    for (; i < text.size(); ++i) {
        char const c = text[i];
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return std::nullopt;
        v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
        // Keep reading digits (so the caller knows it is a number) but stop growing.
        if (v > static_cast<unsigned __int128>(1) << 64) v = static_cast<unsigned __int128>(1) << 64;
    }
    is_number = true;
    unsigned __int128 const limit = negative ? static_cast<unsigned __int128>(1) << 63
                                             : (static_cast<unsigned __int128>(1) << 63) - 1;
    // Hex literals may use all 64 bits (0xffffffffffffffff), as strtoull would give them.
    if (base == 16 && !negative && v <= ~static_cast<std::uint64_t>(0))
        return static_cast<std::int64_t>(static_cast<std::uint64_t>(v));
    if (v > limit) return std::nullopt;
    return negative ? -static_cast<std::int64_t>(v - 1) - 1 : static_cast<std::int64_t>(v);
}

}  // namespace

std::optional<std::int64_t> Builder::integer(ast::number const& n, std::int64_t min, std::int64_t max,
                                             std::string const& out_of_range) {
    bool is_number = false;
    auto const v = parse_int64(n.text, is_number);
    if (!is_number) {
        error(n, "expected an integer, not '" + n.text + "'");
        return std::nullopt;
    }
    if (!v || *v < min || *v > max) {
        error(n, out_of_range);
        return std::nullopt;
    }
    return v;
}

std::optional<Micros> Builder::seconds(ast::number const& n) {
    std::string const& t = n.text;
    if (!t.empty() && t[0] == '-') {
        error(n, "negative time");
        return std::nullopt;
    }
    if (t.find_first_of("xX") != std::string::npos) {
        error(n, "a time must be a decimal number of seconds, not '" + t + "'");
        return std::nullopt;
    }
    auto const dot = t.find('.');
    std::string const whole = t.substr(0, dot);
    std::string const frac = dot == std::string::npos ? "" : t.substr(dot + 1);
    if (whole.size() > 12) {
        error(n, "time out of range");
        return std::nullopt;
    }
    Micros us = 0;
    for (char c : whole) us = us * 10 + (c - '0');
    us *= 1'000'000;
    // Digits past the microsecond are dropped, as packetdrill drops them.
    Micros scale = 100'000;
    for (std::size_t i = 0; i < frac.size() && scale > 0; ++i, scale /= 10) us += (frac[i] - '0') * scale;
    return us;
}

namespace {

char const* time_kind_error(TimeKind k) {
    return k == TimeKind::any ? "event time <star> can only be used with outbound packets"
                              : "event time range can only be used with outbound packets";
}

bool is_outbound_packet(Action const& a) {
    auto const* p = std::get_if<Packet>(&a);
    return p && p->direction == Direction::outbound;
}

bool is_absolute(TimeKind k) { return k == TimeKind::absolute || k == TimeKind::absolute_range; }

std::string usecs(Micros v) { return std::to_string(v) + " usec"; }

std::string secs(Micros v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(v) / 1e6);
    return buf;
}

class StatementBuilder {
public:
    StatementBuilder(Builder& b, grammar::SourceFile const& file) : b_(b), file_(file) {}

    std::optional<TimeSpec> time(ast::time_spec const& t) {
        TimeSpec out;
        if (t.any) {
            out.kind = TimeKind::any;
            return out;
        }
        auto const start = b_.seconds(t.start.value);
        if (!start) return std::nullopt;
        out.start = *start;
        if (!t.range_end) {
            out.kind = t.start.relative ? TimeKind::relative : TimeKind::absolute;
            return out;
        }
        auto const end = b_.seconds(t.range_end->value);
        if (!end) return std::nullopt;
        if (t.start.relative != t.range_end->relative) {
            b_.error(t, "a time range must be absolute at both ends (0.1~0.3) or relative at both (+0.1~+0.3)");
            return std::nullopt;
        }
        out.kind = t.start.relative ? TimeKind::relative_range : TimeKind::absolute_range;
        out.end = *end;
        if (out.end < out.start) {
            b_.error(t, "time range is backwards");
            return std::nullopt;
        }
        return out;
    }

    std::optional<Event> event(ast::event const& e) {
        auto const when = time(e.time);
        std::optional<Action> action;
        ast::located const* action_node = nullptr;
        if (auto const* p = boost::get<ast::packet>(&e.what)) {
            action = b_.packet(*p);
            action_node = p;
        } else if (auto const* s = boost::get<ast::syscall>(&e.what)) {
            action = syscall(*s);
            action_node = s;
        } else if (auto const* c = boost::get<ast::backquoted>(&e.what)) {
            action = Command{c->text};
            action_node = c;
        } else if (auto const* code = boost::get<ast::code_block>(&e.what)) {
            action = Code{code->text};
            action_node = code;
        }
        if (!when || !action) return std::nullopt;
        if (e.blocking_end) {
            auto* call = std::get_if<Syscall>(&*action);
            if (!call) {
                b_.error(*e.blocking_end, "an end time ('start...end') is only allowed on system calls");
                return std::nullopt;
            }
            auto const end = b_.seconds(e.blocking_end->value);
            if (!end) return std::nullopt;
            if (*end < when->start) {
                b_.error(*e.blocking_end, "blocking system call ends (" + secs(*end) + " sec) before it starts (" +
                                              secs(when->start) + " sec)");
                return std::nullopt;
            }
            call->end = *end;
        }
        if (when->kind != TimeKind::absolute && when->kind != TimeKind::relative && !is_outbound_packet(*action)) {
            b_.error(e.time, time_kind_error(when->kind));
            return std::nullopt;
        }
        (void)action_node;
        return Event{file_.location(e.begin), *when, std::move(*action)};
    }

    std::optional<Syscall> syscall(ast::syscall const& s) {
        Syscall out;
        out.name = s.name.text;
        for (auto const& a : s.args) out.args.push_back(b_.expression(a));
        out.result = b_.expression(s.result);
        if (s.errno_name) out.errno_name = s.errno_name->text;
        if (s.errno_note) out.errno_note = s.errno_note->text;
        if (s.trailing_note) out.note = s.trailing_note->text;
        return out;
    }

private:
    Builder& b_;
    grammar::SourceFile const& file_;
};

}  // namespace

}  // namespace detail

std::optional<LoadedScript> load_script(grammar::SourceFile const& file, grammar::Diagnostics& diagnostics,
                                        std::vector<OptionValue> const& command_line) {
    namespace ast = grammar::ast;
    LoadedScript out;
    out.script.path = file.path();
    int const errors_before = diagnostics.error_count();

    // Option lines come first; once they are read the configuration (and with it the --define
    // table the rest of the script is lexed with) is final.
    auto options_done = [&](std::vector<ast::option_line> const& lines) {
        for (auto const& line : lines) {
            std::optional<std::string> const value = line.value ? std::optional<std::string>(*line.value) : std::nullopt;
            OptionValue setting{line.name, value};
            std::string const error = apply_option(out.config, setting);
            if (!error.empty()) {
                std::size_t const at = line.value && find_option(line.name) ? line.begin + line.value_begin : line.begin;
                diagnostics.error(at, error);
            }
            out.script.options.push_back({line.name, value, file.location(line.begin)});
        }
        for (auto const& setting : command_line) apply_option(out.config, setting);
        grammar::Defines defines;
        for (auto const& [name, value] : out.config.defines) defines[name] = grammar::classify_define(value);
        return defines;
    };
    std::vector<ast::statement> const statements = grammar::parse_script(file, diagnostics, options_done);

    detail::Builder builder(diagnostics, out.config);
    detail::StatementBuilder sb(builder, file);
    ast::located const* pending_cleanup = nullptr;  // an untimed command after the events
    std::string pending_cleanup_text;
    bool seen_event = false;
    ast::located const* first_event = nullptr;
    // The time of the last event that was built. A flag rather than std::optional: g++ 12 sees
    // an optional<TimeSpec> as maybe-uninitialized here (a false -Wmaybe-uninitialized).
    TimeSpec previous;
    bool have_previous = false;

    for (auto const& statement : statements) {
        if (auto const* opt = boost::get<ast::option_line>(&statement)) {
            if (seen_event || out.script.init_command) {
                diagnostics.error(opt->begin, "option lines must come before the first event and the init command",
                                  opt->end - opt->begin);
            }
            continue;
        }
        if (pending_cleanup) {
            diagnostics.error(pending_cleanup->begin,
                              "a command without a time may only be the first statement (the init command) "
                              "or the last (the cleanup command); give it a time such as +0",
                              pending_cleanup->end - pending_cleanup->begin);
            pending_cleanup = nullptr;
        }
        if (auto const* cmd = boost::get<ast::backquoted>(&statement)) {
            if (!seen_event && !out.script.init_command) {
                out.script.init_command = UntimedCommand{cmd->text, file.location(cmd->begin)};
            } else {
                pending_cleanup = cmd;
                pending_cleanup_text = cmd->text;
            }
            continue;
        }
        auto const& e = boost::get<ast::event>(statement);
        if (!seen_event) first_event = &e;
        seen_event = true;
        auto event = sb.event(e);
        if (!event) {
            have_previous = false;
            continue;
        }
        if (&e == first_event && event->time.kind != TimeKind::any && event->time.start != 0) {
            diagnostics.error(e.begin, "first event should be at time 0");
        }
        if (have_previous && detail::is_absolute(previous.kind) && detail::is_absolute(event->time.kind) &&
            event->time.start < previous.start) {
            diagnostics.error(e.begin, "time goes backward in script from " + detail::usecs(previous.start) +
                                           " to " + detail::usecs(event->time.start));
        }
        previous = event->time;
        have_previous = true;
        out.script.events.push_back(std::move(*event));
    }
    if (pending_cleanup) {
        if (seen_event) {
            out.script.cleanup_command =
                UntimedCommand{pending_cleanup_text, file.location(pending_cleanup->begin)};
        }
    }
    if (!seen_event && diagnostics.error_count() == errors_before) {
        std::size_t const at = file.text().empty() ? 0 : file.text().size();
        diagnostics.error(at, "script has no events: expected at least one event (a time followed by a packet, "
                              "a system call, a `command` or %{ code }%)");
    }
    if (diagnostics.error_count() != errors_before) return std::nullopt;
    return out;
}

}  // namespace pktdrill::script
