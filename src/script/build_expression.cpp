// Expressions: integers, symbols, strings, lists, and the structs packetdrill knows by their
// field names (msghdr, iovec, cmsg, pollfd, epoll_event, linger, sockaddr, ...).

#include <arpa/inet.h>

#include <map>

#include "grammar/actions.hpp"
#include "src/script/builder.hpp"

namespace pktdrill::script::detail {

namespace {

namespace x3 = boost::spirit::x3;
using grammar::parser::where;

struct FieldSpec {
    char const* name;
    bool required = true;
};

// The `name=value` items of a braced struct, by name. The key of `msg_iov(1)=...` is `msg_iov`;
// its argument is kept in `call_args`.
struct Fields {
    std::map<std::string, ast::expression const*> value;
    std::map<std::string, ast::call const*> call;
};

ast::binary_expr const* as_assignment(ast::expression const& e) {
    auto const* fwd = boost::get<x3::forward_ast<ast::binary_expr>>(&e);
    if (!fwd || fwd->get().op != '=') return nullptr;
    return &fwd->get();
}

std::string field_name(ast::binary_expr const& b, ast::call const** call = nullptr) {
    if (auto const* w = boost::get<ast::word>(&b.lhs)) return w->text;
    if (auto const* c = boost::get<x3::forward_ast<ast::call>>(&b.lhs)) {
        if (call) *call = &c->get();
        return c->get().name.text;
    }
    return {};
}

}  // namespace

Expr Builder::expression(ast::expression const& e) {
    Expr out;
    out.where = location(where(e));
    struct Visitor {
        Builder& b;
        SourceLocation where;
        ExprValue operator()(ast::ellipsis const&) const { return Ellipsis{}; }
        ExprValue operator()(ast::number const& n) const {
            auto const v = b.integer(n, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
                                     "integer out of range for 64 bits");
            bool const hex = n.text.find_first_of("xX") != std::string::npos;
            return Integer{v.value_or(0), hex};
        }
        ExprValue operator()(ast::word const& w) const { return Symbol{w.text}; }
        ExprValue operator()(ast::string_expr const& s) const {
            String out;
            for (auto const& part : s.parts) out.bytes += part.value;
            out.trailing_ellipsis = s.trailing_ellipsis;
            return out;
        }
        ExprValue operator()(x3::forward_ast<ast::call> const& c) const { return b.call(c.get()); }
        ExprValue operator()(x3::forward_ast<ast::list_expr> const& l) const {
            if (l.get().bracket == '{') return b.braces(l.get(), where);
            List out;
            for (auto const& item : l.get().items) out.items.push_back(b.expression(item));
            return out;
        }
        ExprValue operator()(x3::forward_ast<ast::binary_expr> const& bin) const {
            Binary out;
            out.op = bin.get().op;
            out.lhs = b.expression(bin.get().lhs);
            out.rhs = b.expression(bin.get().rhs);
            return out;
        }
        ExprValue operator()(x3::forward_ast<ast::gre_header> const& g) const { return b.gre(g.get()); }
        ExprValue operator()(x3::forward_ast<ast::mpls_stack> const& m) const {
            MplsStack out;
            for (auto const& entry : m.get().entries) out.entries.push_back(b.mpls(entry));
            return out;
        }
    };
    out.value = boost::apply_visitor(Visitor{*this, out.where}, e.get());
    return out;
}

ExprValue Builder::call(ast::call const& c) {
    auto single_string = [&](char const* fn) -> std::optional<std::string> {
        if (c.args.size() == 1)
            if (auto const* s = boost::get<ast::string_expr>(&c.args[0])) {
                std::string text;
                for (auto const& p : s->parts) text += p.value;
                return text;
            }
        error(c, std::string(fn) + "() takes one string, as in " + fn + "(\"...\")");
        return std::nullopt;
    };
    if (c.name.text == "inet_addr") {
        auto const text = single_string("inet_addr");
        if (!text) return Integer{};
        in_addr a{};
        if (::inet_pton(AF_INET, text->c_str(), &a) != 1) {
            error(c, "cannot parse IPv4 address '" + *text + "'");
            return Integer{};
        }
        // packetdrill keeps inet_addr()'s value as it lies in memory (network byte order).
        return Integer{static_cast<std::int64_t>(a.s_addr), true};
    }
    if (c.name.text == "inet6_addr") {
        auto const text = single_string("inet6_addr");
        In6Addr out;
        if (!text) return out;
        if (::inet_pton(AF_INET6, text->c_str(), out.bytes.data()) != 1) {
            error(c, "cannot parse in6_addr '" + *text + "'");
            return out;
        }
        out.text = *text;
        return out;
    }
    error(c, "unknown function '" + c.name.text + "' (expressions may use inet_addr(\"...\") and inet6_addr(\"...\"))");
    return Ellipsis{};
}

ExprValue Builder::braces(ast::list_expr const& list, SourceLocation where_) {
    auto const& items = list.items;

    // {..., 1000}: an iovec.
    if (items.size() == 2 && boost::get<ast::ellipsis>(&items[0])) {
        Iovec v;
        v.base = expression(items[0]);
        v.length = expression(items[1]);
        return v;
    }

    ast::binary_expr const* first = items.empty() ? nullptr : as_assignment(items[0]);
    std::string const key = first ? field_name(*first) : std::string();

    // Collects the fields a struct needs; reports missing, unknown and repeated ones.
    auto collect = [&](char const* struct_name, std::initializer_list<FieldSpec> specs) -> std::optional<Fields> {
        Fields f;
        bool ok = true;
        for (auto const& item : items) {
            ast::binary_expr const* a = as_assignment(item);
            ast::call const* call = nullptr;
            std::string const name = a ? field_name(*a, &call) : std::string();
            bool known = false;
            for (auto const& s : specs) known = known || name == s.name;
            if (!a || !known) {
                std::string expected;
                for (auto const& s : specs) expected += std::string(expected.empty() ? "" : ", ") + s.name;
                error(where(item), std::string("unexpected item in ") + struct_name + " (its fields are " + expected + ")");
                ok = false;
                continue;
            }
            if (f.value.count(name)) {
                error(where(item), std::string("field ") + name + " given twice in " + struct_name);
                ok = false;
                continue;
            }
            f.value[name] = &a->rhs;
            if (call) f.call[name] = call;
        }
        for (auto const& s : specs) {
            if (s.required && !f.value.count(s.name)) {
                error(list, std::string(struct_name) + " lacks its field " + s.name);
                ok = false;
            }
        }
        if (!ok) return std::nullopt;
        return f;
    };
    auto field = [&](Fields const& f, char const* name) { return Box<Expr>(expression(*f.value.at(name))); };
    auto int_field = [&](Fields const& f, char const* name) -> std::int64_t {
        if (auto const* n = boost::get<ast::number>(f.value.at(name)))
            return integer(*n, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
                           "integer out of range for 64 bits")
                .value_or(0);
        error(where(*f.value.at(name)), std::string(name) + " must be an integer");
        return 0;
    };

    if (key == "msg_name") {
        auto f = collect("msghdr", {{"msg_name"}, {"msg_iov"}, {"msg_flags"}, {"msg_control", false}});
        if (!f) return Braced{};
        Msghdr m;
        ast::call const* iov = f->call.count("msg_iov") ? f->call.at("msg_iov") : nullptr;
        if (!iov || iov->args.size() != 1 || !boost::get<ast::number>(&iov->args[0])) {
            error(list, "msghdr needs msg_iov(N)=[...] with the number of iovecs N");
            return Braced{};
        }
        m.iov_count = expression(iov->args[0]);
        m.iov = field(*f, "msg_iov");
        m.flags = field(*f, "msg_flags");
        if (f->value.count("msg_control")) m.control = field(*f, "msg_control");
        return m;
    }
    if (key == "sa_family") {
        auto f = collect("sockaddr", {{"sa_family"}, {"sin_port"}, {"sin_addr"}});
        if (!f) return Braced{};
        Sockaddr s;
        auto const* family = boost::get<ast::word>(f->value.at("sa_family"));
        if (!family || (family->text != "AF_INET" && family->text != "AF_INET6")) {
            error(where(*f->value.at("sa_family")), "sa_family must be AF_INET or AF_INET6");
            return Braced{};
        }
        s.family = family->text;
        auto const* port = boost::get<x3::forward_ast<ast::call>>(f->value.at("sin_port"));
        if (!port || port->get().name.text != "htons" || port->get().args.size() != 1 ||
            !boost::get<ast::number>(&port->get().args[0])) {
            error(where(*f->value.at("sin_port")), "sin_port must be htons(N)");
            return Braced{};
        }
        s.port = unsigned_value<std::uint16_t>(boost::get<ast::number>(port->get().args[0]), "port out of range").value_or(0);
        auto const* addr = boost::get<x3::forward_ast<ast::call>>(f->value.at("sin_addr"));
        auto const* text = addr && addr->get().name.text == "inet_addr" && addr->get().args.size() == 1
                               ? boost::get<ast::string_expr>(&addr->get().args[0])
                               : nullptr;
        if (!text) {
            error(where(*f->value.at("sin_addr")), "sin_addr must be inet_addr(\"address\")");
            return Braced{};
        }
        for (auto const& p : text->parts) s.address += p.value;
        unsigned char buf[16];
        if (::inet_pton(s.family == "AF_INET" ? AF_INET : AF_INET6, s.address.c_str(), buf) != 1) {
            error(addr->get(), std::string("invalid ") + (s.family == "AF_INET" ? "IPv4" : "IPv6") + " address");
            return Braced{};
        }
        return s;
    }
    if (key == "cmsg_level") {
        auto f = collect("cmsg", {{"cmsg_level"}, {"cmsg_type"}, {"cmsg_data"}});
        if (!f) return Braced{};
        return Cmsg{field(*f, "cmsg_level"), field(*f, "cmsg_type"), field(*f, "cmsg_data")};
    }
    if (key == "scm_sec") {
        auto f = collect("scm_timestamping", {{"scm_sec"}, {"scm_nsec"}});
        if (!f) return Braced{};
        return ScmTimestamping{int_field(*f, "scm_sec"), int_field(*f, "scm_nsec")};
    }
    if (key == "ee_errno") {
        auto f = collect("sock_extended_err",
                         {{"ee_errno"}, {"ee_origin"}, {"ee_type"}, {"ee_code"}, {"ee_info"}, {"ee_data"}});
        if (!f) return Braced{};
        return SockExtendedErr{field(*f, "ee_errno"), field(*f, "ee_origin"), field(*f, "ee_type"),
                               field(*f, "ee_code"),  field(*f, "ee_info"),   field(*f, "ee_data")};
    }
    if (key == "fd") {
        auto f = collect("pollfd", {{"fd"}, {"events"}, {"revents", false}});
        if (!f) return Braced{};
        Pollfd p;
        p.fd = field(*f, "fd");
        p.events = field(*f, "events");
        p.revents = f->value.count("revents") ? field(*f, "revents") : Box<Expr>(Expr{Integer{0, false}, where_});
        return p;
    }
    if (key == "events") {
        std::string data_field;
        for (char const* name : {"fd", "ptr", "u32", "u64"})
            for (auto const& item : items)
                if (auto const* a = as_assignment(item); a && field_name(*a) == name) data_field = name;
        if (data_field.empty()) data_field = "fd";
        auto f = collect("epoll_event", {{"events"}, {data_field == "fd" ? "fd" : data_field == "ptr" ? "ptr"
                                                      : data_field == "u32" ? "u32" : "u64"}});
        if (!f) return Braced{};
        EpollEvent ev;
        ev.events = field(*f, "events");
        ev.data_field = data_field;
        ev.data = Box<Expr>(expression(*f->value.at(data_field)));
        return ev;
    }
    if (key == "onoff") {
        auto f = collect("linger", {{"onoff"}, {"linger"}});
        if (!f) return Braced{};
        return Linger{field(*f, "onoff"), field(*f, "linger")};
    }

    Braced out;
    for (auto const& item : items) out.items.push_back(expression(item));
    return out;
}

}  // namespace pktdrill::script::detail
