#pragma once
// System-call arguments: script expressions turned into the values a kernel call takes, with
// packetdrill's checks and its messages (reference A.4, C): "Expected 3 args but got 2",
// "Bad type; actual: string expected: integer", "Value out of range for 32-bit integer: ...".
//
// packetdrill first evaluates a call's argument list (every symbol becomes an integer, `a|b` one
// integer) and then checks each argument as the call needs it. Here check_symbols() does the first
// step and the accessors the second, so both fail in the same order and with the same words. Each
// failure points at the argument at fault when there is one.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/base/source_location.hpp"
#include "src/script/model.hpp"

namespace pktdrill::run::syscall {

// A failed call, in packetdrill's words without the `runtime error in X call: ` prefix the runner
// adds. `where` is the argument at fault; line 0 means the call as a whole.
struct CallError {
    std::string message;
    SourceLocation where;
};

[[noreturn]] void fail(std::string message, SourceLocation where = {});

// printf into a std::string, for messages that keep packetdrill's format strings.
std::string format(char const* fmt, ...) __attribute__((format(printf, 1, 2)));

// packetdrill's name for the type of an evaluated expression: "integer" for numbers, symbols
// and `a|b`, "list" for [...] and for {...} lists, "ellipsis", "string", "msghdr", ...
char const* type_name(script::Expr const& e);

// Resolves every symbol in `args`, nested ones included, as packetdrill evaluates an argument
// list before a call looks at it. Fails on the first unknown one ("unknown symbol: 'X'", at the
// symbol), or on a `|` with a side that is not an integer.
void check_symbols(std::vector<script::Expr> const& args);

// The value of an integer, a symbol or an `a|b`; nullopt for any other expression.
std::optional<std::int64_t> integer_value(script::Expr const& e);

bool is_ellipsis(script::Expr const& e);

// An integer expression: "Bad type; ..." when it is not one.
std::int64_t to_s64(script::Expr const& e);
// An integer that fits 32 bits, signed or unsigned, as packetdrill's get_s32 takes it.
std::int32_t to_s32(script::Expr const& e);
// An integer that fits 8 bits, signed or unsigned.
std::int8_t to_s8(script::Expr const& e);

// Requires the expression's type; "Bad type; actual: X expected: Y" otherwise.
void check_type(script::Expr const& e, char const* expected);

// The arguments of one call.
class Args {
public:
    Args(std::vector<script::Expr> const& args, SourceLocation call_where) : args_(args), where_(call_where) {}

    std::size_t size() const noexcept { return args_.size(); }
    // "Expected %d args but got %d".
    void expect_count(std::size_t n) const;
    // "Argument list too short".
    script::Expr const& at(std::size_t i) const;

    std::int32_t s32(std::size_t i) const { return to_s32(at(i)); }
    std::int64_t s64(std::size_t i) const { return to_s64(at(i)); }
    bool is_ellipsis(std::size_t i) const { return syscall::is_ellipsis(at(i)); }
    // Requires `...`.
    void ellipsis(std::size_t i) const;
    // `[N]`: "Expected [<element>] but got multiple elements" for other lengths.
    script::Expr const& bracketed(std::size_t i) const;
    std::int32_t s32_bracketed(std::size_t i) const { return to_s32(bracketed(i)); }
    std::int64_t s64_bracketed(std::size_t i) const { return to_s64(bracketed(i)); }
    // A buffer argument: true for NULL (0), false for `...`; "Expected ... or NULL for buffer"
    // for anything else.
    bool null_buffer(std::size_t i) const;

    SourceLocation call_where() const noexcept { return where_; }

private:
    std::vector<script::Expr> const& args_;
    SourceLocation where_;
};

// A zero-filled buffer for the kernel to read from or write into; empty (a null pointer) for a
// NULL argument. Failing on a negative length keeps a script typo from letting the kernel write
// past the end of the buffer (packetdrill's calloc fails an assertion there).
class Buffer {
public:
    Buffer() = default;
    Buffer(std::int64_t length, bool null, SourceLocation where);
    char* data() noexcept { return bytes_.empty() ? nullptr : bytes_.data(); }
    std::size_t size() const noexcept { return bytes_.size(); }

private:
    std::vector<char> bytes_;
};

}  // namespace pktdrill::run::syscall
