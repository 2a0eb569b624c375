#include "src/run/syscall_args.hpp"

#include <cstdarg>
#include <cstdio>
#include <limits>
#include <type_traits>

#include "src/run/symbols.hpp"

namespace pktdrill::run::syscall {

using namespace script;

void fail(std::string message, SourceLocation where) { throw CallError{std::move(message), where}; }

std::string format(char const* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    va_list copy;
    va_copy(copy, args);
    int const n = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
    if (n > 0) std::vsnprintf(out.data(), out.size() + 1, fmt, args);
    va_end(args);
    return out;
}

namespace {

bool is_or(Expr const& e) {
    auto const* b = std::get_if<Binary>(&e.value);
    return b && b->op == '|';
}

}  // namespace

char const* type_name(Expr const& e) {
    struct Visitor {
        char const* operator()(Ellipsis const&) const { return "ellipsis"; }
        char const* operator()(Integer const&) const { return "integer"; }
        char const* operator()(script::Symbol const&) const { return "integer"; }
        char const* operator()(String const&) const { return "string"; }
        char const* operator()(List const&) const { return "list"; }
        char const* operator()(Braced const&) const { return "list"; }
        char const* operator()(Binary const& b) const { return b.op == '|' ? "integer" : "binary_expression"; }
        char const* operator()(Sockaddr const& s) const { return s.family == "AF_INET6" ? "sockaddr_in6" : "sockaddr_in"; }
        char const* operator()(Iovec const&) const { return "iovec"; }
        char const* operator()(Msghdr const&) const { return "msghdr"; }
        char const* operator()(Cmsg const&) const { return "cmsg"; }
        char const* operator()(Pollfd const&) const { return "pollfd"; }
        char const* operator()(EpollEvent const&) const { return "epollev"; }
        char const* operator()(Linger const&) const { return "linger"; }
        char const* operator()(ScmTimestamping const&) const { return "scm_timestamping"; }
        char const* operator()(SockExtendedErr const&) const { return "sock_extended_err"; }
        char const* operator()(In6Addr const&) const { return "in6_addr"; }
        char const* operator()(MplsStack const&) const { return "mpls_stack"; }
        char const* operator()(GreHeader const&) const { return "gre"; }
    };
    return std::visit(Visitor{}, e.value);
}

namespace {

// Walks an expression the way packetdrill's evaluate() does: symbols are looked up, `|` needs
// integers on both sides, struct fields are evaluated in the order they are written.
void check_expr(Expr const& e);

struct CheckVisitor {
    Expr const& self;
    void operator()(script::Symbol const& s) const {
        if (!lookup_symbol(s.name)) fail("unknown symbol: '" + s.name + "'", self.where);
    }
    void operator()(Binary const& b) const {
        check_expr(*b.lhs);
        check_expr(*b.rhs);
        if (b.op == '|') {
            if (!integer_value(*b.lhs)) fail("left hand side of | not an integer", b.lhs->where);
            if (!integer_value(*b.rhs)) fail("right hand side of | not an integer", b.rhs->where);
        }
    }
    void operator()(List const& l) const {
        for (auto const& item : l.items) check_expr(item);
    }
    void operator()(Braced const& l) const {
        for (auto const& item : l.items) check_expr(item);
    }
    void operator()(Iovec const& v) const {
        check_expr(*v.base);
        check_expr(*v.length);
    }
    void operator()(Msghdr const& m) const {
        check_expr(*m.iov);
        check_expr(*m.iov_count);
        if (m.control) check_expr(**m.control);
        check_expr(*m.flags);
    }
    void operator()(Cmsg const& c) const {
        check_expr(*c.level);
        check_expr(*c.type);
        check_expr(*c.data);
    }
    void operator()(Pollfd const& p) const {
        check_expr(*p.fd);
        check_expr(*p.events);
        check_expr(*p.revents);
    }
    void operator()(EpollEvent const& ev) const {
        check_expr(*ev.events);
        check_expr(*ev.data);
    }
    void operator()(Linger const& l) const {
        check_expr(*l.onoff);
        check_expr(*l.linger);
    }
    void operator()(SockExtendedErr const& ee) const {
        for (auto const* field : {&ee.ee_errno, &ee.origin, &ee.type, &ee.code, &ee.info, &ee.data})
            check_expr(**field);
    }
    template <typename T>
    void operator()(T const&) const {}
};

void check_expr(Expr const& e) { std::visit(CheckVisitor{e}, e.value); }

}  // namespace

void check_symbols(std::vector<Expr> const& args) {
    for (auto const& a : args) check_expr(a);
}

std::optional<std::int64_t> integer_value(Expr const& e) {
    if (auto const* i = std::get_if<Integer>(&e.value)) return i->value;
    if (auto const* s = std::get_if<script::Symbol>(&e.value)) return lookup_symbol(s->name);
    if (is_or(e)) {
        auto const& b = std::get<Binary>(e.value);
        auto const l = integer_value(*b.lhs), r = integer_value(*b.rhs);
        if (l && r) return *l | *r;
    }
    return std::nullopt;
}

bool is_ellipsis(Expr const& e) { return std::holds_alternative<Ellipsis>(e.value); }

void check_type(Expr const& e, char const* expected) {
    char const* actual = type_name(e);
    if (std::string_view(actual) != expected)
        fail(std::string("Bad type; actual: ") + actual + " expected: " + expected, e.where);
}

std::int64_t to_s64(Expr const& e) {
    check_type(e, "integer");
    auto const v = integer_value(e);
    // check_symbols ran first, so a symbol here is known.
    if (!v) fail("unknown symbol", e.where);
    return *v;
}

std::int32_t to_s32(Expr const& e) {
    std::int64_t const v = to_s64(e);
    if (v > static_cast<std::int64_t>(std::numeric_limits<std::uint32_t>::max()) ||
        v < std::numeric_limits<std::int32_t>::min())
        fail(format("Value out of range for 32-bit integer: %lld", static_cast<long long>(v)), e.where);
    return static_cast<std::int32_t>(v);
}

std::int8_t to_s8(Expr const& e) {
    std::int64_t const v = to_s64(e);
    if (v > std::numeric_limits<std::uint8_t>::max() || v < std::numeric_limits<std::int8_t>::min())
        fail(format("Value out of range for 8-bit integer: %lld", static_cast<long long>(v)), e.where);
    return static_cast<std::int8_t>(v);
}

void Args::expect_count(std::size_t n) const {
    if (args_.size() != n) fail(format("Expected %zu args but got %zu", n, args_.size()), where_);
}

Expr const& Args::at(std::size_t i) const {
    if (i >= args_.size()) fail("Argument list too short", where_);
    return args_[i];
}

void Args::ellipsis(std::size_t i) const { check_type(at(i), "ellipsis"); }

Expr const& Args::bracketed(std::size_t i) const {
    Expr const& e = at(i);
    check_type(e, "list");
    auto const* l = std::get_if<List>(&e.value);
    std::size_t const n = l ? l->items.size() : std::get<Braced>(e.value).items.size();
    if (n != 1) fail("Expected [<element>] but got multiple elements", e.where);
    return l ? l->items[0] : std::get<Braced>(e.value).items[0];
}

bool Args::null_buffer(std::size_t i) const {
    if (i < args_.size()) {
        Expr const& e = args_[i];
        if (syscall::is_ellipsis(e)) return false;
        // NULL is a symbol worth 0 (packetdrill's table has it); any integer 0 means the same.
        if (auto const v = integer_value(e); v && *v == 0) return true;
        fail("Expected ... or NULL for buffer", e.where);
    }
    fail("Expected ... or NULL for buffer", where_);
}

Buffer::Buffer(std::int64_t length, bool null, SourceLocation where) {
    if (null) return;
    if (length < 0)
        fail(format("Expected a non-negative buffer length but got %lld", static_cast<long long>(length)), where);
    bytes_.assign(static_cast<std::size_t>(length), '\0');
}

}  // namespace pktdrill::run::syscall
