#include "src/run/code_eval.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace pktdrill::run::code {
namespace {

// Thrown from deep inside the recursive-descent parser and the evaluator when they meet something
// only Python can answer; parse() and execute() turn it into their NeedsPython result. It never
// leaves this file.
struct Bail {
    std::string reason;
    std::size_t offset;
};

[[noreturn]] void bail(std::string reason, std::size_t offset) { throw Bail{std::move(reason), offset}; }

constexpr Int int_max = static_cast<Int>(~static_cast<unsigned __int128>(0) >> 1);
constexpr Int int_min = -int_max - 1;
constexpr Int exact_double_limit = Int{1} << 53;  // integers a double holds exactly

std::string int_text(Int i) {
    if (i == 0) return "0";
    bool const negative = i < 0;
    auto u = negative ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(i)
                      : static_cast<unsigned __int128>(i);
    std::string digits;
    while (u != 0) {
        digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
        u /= 10;
    }
    if (negative) digits.push_back('-');
    std::reverse(digits.begin(), digits.end());
    return digits;
}

// ---------------------------------------------------------------------------------------------
// Lexer

enum class TokenKind { name, keyword, integer, floating, string, op, newline, end };

struct Token {
    TokenKind kind;
    std::string text;  // names, keywords, operators; a string literal's value
    Int integer = 0;
    double floating = 0;
    std::size_t offset = 0;
};

bool is_keyword(std::string_view w) {
    static std::set<std::string_view> const keywords{
        "False", "None",   "True",    "and",      "as",     "assert", "async",  "await",
        "break", "class",  "continue", "def",     "del",    "elif",   "else",   "except",
        "finally", "for",  "from",    "global",   "if",     "import", "in",     "is",
        "lambda", "nonlocal", "not",  "or",       "pass",   "raise",  "return", "try",
        "while", "with",   "yield",
    };
    return keywords.count(w) != 0;
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

class Lexer {
public:
    explicit Lexer(std::string_view text) : s_(text) {}

    std::vector<Token> run() {
        while (true) {
            if (line_start_ && depth_ == 0 && !start_line()) break;
            while (i_ < s_.size() && is_blank(s_[i_])) ++i_;
            if (i_ >= s_.size()) break;
            char const c = s_[i_];
            if (c == '#') {
                while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '\r') ++i_;
            } else if (c == '\\') {
                continuation();
            } else if (c == '\n' || c == '\r') {
                end_physical_line();
                if (depth_ == 0) newline(i_);
            } else if (is_digit(c) || (c == '.' && i_ + 1 < s_.size() && is_digit(s_[i_ + 1]))) {
                number();
            } else if (is_name_start(c)) {
                name();
            } else if (c == '\'' || c == '"') {
                string();
            } else if (static_cast<unsigned char>(c) >= 0x80) {
                bail("a character outside ASCII", i_);
            } else {
                op();
            }
        }
        if (depth_ > 0) bail("an unclosed parenthesis", s_.size());
        newline(s_.size());
        tokens_.push_back(Token{TokenKind::end, "", 0, 0, s_.size()});
        return std::move(tokens_);
    }

private:
    // At the start of a logical line: skips blank and comment-only lines; an indented statement
    // is Python's IndentationError. Returns false at the end of the text.
    bool start_line() {
        while (true) {
            std::size_t j = i_;
            while (j < s_.size() && is_blank(s_[j])) ++j;
            if (j >= s_.size()) {
                i_ = j;
                return false;
            }
            if (s_[j] == '#') {
                while (j < s_.size() && s_[j] != '\n' && s_[j] != '\r') ++j;
            }
            if (j < s_.size() && (s_[j] == '\n' || s_[j] == '\r')) {
                i_ = j;
                end_physical_line();
                continue;
            }
            if (j >= s_.size()) {
                i_ = j;
                return false;
            }
            if (j > i_) bail("an indented line", j);
            line_start_ = false;
            return true;
        }
    }

    void end_physical_line() {
        if (s_[i_] == '\r' && i_ + 1 < s_.size() && s_[i_ + 1] == '\n') ++i_;
        ++i_;
        if (depth_ == 0) line_start_ = true;
    }

    // `\` joins the next line; packetdrill writes a newline after the snippet, so a `\` that ends
    // the text joins an empty line.
    void continuation() {
        std::size_t const at = i_;
        ++i_;
        if (i_ >= s_.size()) return;
        if (s_[i_] == '\n') {
            ++i_;
        } else if (s_[i_] == '\r') {
            ++i_;
            if (i_ < s_.size() && s_[i_] == '\n') ++i_;
        } else {
            bail("a '\\' that does not end its line", at);
        }
    }

    void newline(std::size_t at) {
        if (tokens_.empty() || tokens_.back().kind == TokenKind::newline) return;
        tokens_.push_back(Token{TokenKind::newline, "", 0, 0, at});
    }

    void number() {
        std::size_t const start = i_;
        Token t{TokenKind::integer, "", 0, 0, start};
        if (s_[i_] == '0' && i_ + 1 < s_.size() && std::string_view("xXoObB").find(s_[i_ + 1]) != std::string_view::npos) {
            char const kind = static_cast<char>(s_[i_ + 1] | 0x20);
            int const base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
            i_ += 2;
            std::size_t const digits = i_;
            while (i_ < s_.size()) {
                char const c = s_[i_];
                int d = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 99;
                if (d >= base) break;
                if (t.integer > (int_max - d) / base) bail("an integer literal beyond 128 bits", start);
                t.integer = t.integer * base + d;
                ++i_;
            }
            if (i_ == digits) bail("a malformed number", start);
        } else {
            while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
            bool is_float = false;
            if (i_ < s_.size() && s_[i_] == '.') {
                is_float = true;
                ++i_;
                while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
            }
            if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
                is_float = true;
                ++i_;
                if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
                std::size_t const digits = i_;
                while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
                if (i_ == digits) bail("a malformed number", start);
            }
            std::string_view const literal = s_.substr(start, i_ - start);
            if (is_float) {
                t.kind = TokenKind::floating;
                auto const r = std::from_chars(literal.data(), literal.data() + literal.size(), t.floating);
                // Python turns 1e999 into inf and 1e-999 into 0.0; from_chars reports both as out of
                // range without a value.
                if (r.ec != std::errc{} || r.ptr != literal.data() + literal.size())
                    bail("a float literal out of range", start);
            } else {
                if (literal.size() > 1 && literal[0] == '0' && literal.find_first_not_of('0') != std::string_view::npos)
                    bail("a decimal literal with leading zeros", start);
                for (char c : literal) {
                    int const d = c - '0';
                    if (t.integer > (int_max - d) / 10) bail("an integer literal beyond 128 bits", start);
                    t.integer = t.integer * 10 + d;
                }
            }
        }
        // 1j, 1_000, 0x1g, 1if ...
        if (i_ < s_.size() && (is_name_char(s_[i_]) || s_[i_] == '.')) bail("a number form it does not take", start);
        tokens_.push_back(std::move(t));
    }

    void name() {
        std::size_t const start = i_;
        while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
        std::string word(s_.substr(start, i_ - start));
        if (i_ < s_.size() && (s_[i_] == '\'' || s_[i_] == '"')) bail("a prefixed string literal", start);
        if (i_ < s_.size() && static_cast<unsigned char>(s_[i_]) >= 0x80) bail("a character outside ASCII", i_);
        tokens_.push_back(Token{is_keyword(word) ? TokenKind::keyword : TokenKind::name, std::move(word), 0, 0, start});
    }

    void string() {
        std::size_t const start = i_;
        char const quote = s_[i_];
        if (s_.substr(i_, 3) == std::string(3, quote)) bail("a triple-quoted string", start);
        ++i_;
        std::string value;
        while (true) {
            if (i_ >= s_.size() || s_[i_] == '\n' || s_[i_] == '\r') bail("an unterminated string", start);
            char const c = s_[i_];
            if (c == quote) {
                ++i_;
                break;
            }
            if (static_cast<unsigned char>(c) >= 0x80 || (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
                bail("a string with a character outside printable ASCII", i_);
            if (c == '\\') {
                char const e = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
                switch (e) {
                case 'n': value += '\n'; break;
                case 't': value += '\t'; break;
                case 'r': value += '\r'; break;
                case '\\': value += '\\'; break;
                case '\'': value += '\''; break;
                case '"': value += '"'; break;
                default: bail("a string escape it does not take", i_);
                }
                i_ += 2;
                continue;
            }
            value += c;
            ++i_;
        }
        tokens_.push_back(Token{TokenKind::string, std::move(value), 0, 0, start});
    }

    void op() {
        static constexpr std::string_view ops[] = {
            "**=", "//=", ">>=", "<<=", "**", "//", "==", "!=", "<=", ">=", "<<", ">>", "+=", "-=", "*=", "/=",
            "%=",  "&=",  "|=",  "^=",  "->", ":=", "@=", "+",  "-",  "*",  "/",  "%",  "&",  "|",  "^",  "~",
            "<",   ">",   "(",   ")",   "[",  "]",  "{",  "}",  ",",  ":",  ".",  ";",  "@",  "=",  "!",
        };
        for (auto o : ops) {
            if (s_.substr(i_, o.size()) != o) continue;
            if (o == "(" || o == "[" || o == "{") ++depth_;
            if (o == ")" || o == "]" || o == "}") {
                if (depth_ == 0) bail("an unmatched '" + std::string(o) + "'", i_);
                --depth_;
            }
            tokens_.push_back(Token{TokenKind::op, std::string(o), 0, 0, i_});
            i_ += o.size();
            return;
        }
        bail(std::string("the character '") + s_[i_] + "'", i_);
    }

    std::string_view s_;
    std::size_t i_ = 0;
    int depth_ = 0;
    bool line_start_ = true;
    std::vector<Token> tokens_;
};

// ---------------------------------------------------------------------------------------------
// Parser

std::optional<Op> augmented_op(std::string_view t) {
    static std::pair<std::string_view, Op> const table[] = {
        {"+=", Op::add},       {"-=", Op::sub},     {"*=", Op::mul},     {"/=", Op::truediv},
        {"//=", Op::floordiv}, {"%=", Op::mod},     {"**=", Op::pow},    {"&=", Op::bit_and},
        {"|=", Op::bit_or},    {"^=", Op::bit_xor}, {"<<=", Op::lshift}, {">>=", Op::rshift},
    };
    for (auto const& [text, op] : table) {
        if (t == text) return op;
    }
    return std::nullopt;
}

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

    Program run() {
        while (!at(TokenKind::end)) {
            if (at(TokenKind::newline)) {
                ++p_;
                continue;
            }
            statement();
            while (is_op(";")) {
                ++p_;
                if (at(TokenKind::newline) || at(TokenKind::end)) break;
                statement();
            }
            if (!at(TokenKind::newline) && !at(TokenKind::end)) unexpected();
        }
        return std::move(prog_);
    }

private:
    Token const& cur() const { return t_[p_]; }
    bool at(TokenKind k) const { return cur().kind == k; }
    bool is_op(std::string_view o) const { return cur().kind == TokenKind::op && cur().text == o; }
    bool is_kw(std::string_view k) const { return cur().kind == TokenKind::keyword && cur().text == k; }

    [[noreturn]] void unexpected() const {
        Token const& t = cur();
        switch (t.kind) {
        case TokenKind::keyword: bail("'" + t.text + "', which it does not take here", t.offset);
        case TokenKind::newline:
        case TokenKind::end: bail("an incomplete statement", t.offset);
        case TokenKind::op: bail("'" + t.text + "', which it does not take here", t.offset);
        default: bail("syntax it does not take", t.offset);
        }
    }

    void expect_op(std::string_view o) {
        if (!is_op(o)) unexpected();
        ++p_;
    }

    std::size_t add(Node n) {
        prog_.nodes.push_back(std::move(n));
        return prog_.nodes.size() - 1;
    }

    void statement() {
        Statement s;
        s.offset = cur().offset;
        if (is_kw("assert")) {
            ++p_;
            s.kind = Statement::Kind::assert_;
            s.first = test();
            if (is_op(",")) {
                ++p_;
                s.second = test();
            }
        } else if (is_kw("pass")) {
            ++p_;
            s.kind = Statement::Kind::pass;
        } else if (at(TokenKind::name) && t_[p_ + 1].kind == TokenKind::op &&
                   (t_[p_ + 1].text == "=" || augmented_op(t_[p_ + 1].text))) {
            s.target = cur().text;
            auto const op = augmented_op(t_[p_ + 1].text);
            s.kind = op ? Statement::Kind::augmented : Statement::Kind::assign;
            if (op) s.op = *op;
            p_ += 2;
            s.first = expressions();
            if (is_op("=")) bail("a chained or multiple assignment", cur().offset);
        } else if (at(TokenKind::keyword) && cur().text != "not" && cur().text != "True" && cur().text != "False" &&
                   cur().text != "None") {
            bail("the '" + cur().text + "' statement", cur().offset);
        } else {
            s.kind = Statement::Kind::expression;
            s.first = expressions();
            if (is_op("=") || augmented_op(cur().kind == TokenKind::op ? cur().text : ""))
                bail("an assignment to something other than a name", cur().offset);
        }
        prog_.statements.push_back(std::move(s));
    }

    // EXPR or EXPR, EXPR, ... (a tuple)
    std::size_t expressions() {
        std::size_t const offset = cur().offset;
        std::size_t const first = test();
        if (!is_op(",")) return first;
        Node tuple{Node::Kind::tuple, {}, {}, {}, {first}, offset};
        while (is_op(",")) {
            ++p_;
            if (!starts_expression()) break;
            tuple.operands.push_back(test());
        }
        return add(std::move(tuple));
    }

    bool starts_expression() const {
        Token const& t = cur();
        switch (t.kind) {
        case TokenKind::name:
        case TokenKind::integer:
        case TokenKind::floating:
        case TokenKind::string: return true;
        case TokenKind::keyword: return t.text == "not" || t.text == "True" || t.text == "False" || t.text == "None";
        case TokenKind::op: return t.text == "(" || t.text == "-" || t.text == "+" || t.text == "~";
        default: return false;
        }
    }

    std::size_t test() {
        std::size_t const e = or_test();
        if (is_kw("if")) bail("a conditional expression", cur().offset);
        return e;
    }

    std::size_t or_test() { return boolean("or", Node::Kind::or_, &Parser::and_test); }
    std::size_t and_test() { return boolean("and", Node::Kind::and_, &Parser::not_test); }

    std::size_t boolean(std::string_view word, Node::Kind kind, std::size_t (Parser::*next)()) {
        std::size_t const offset = cur().offset;
        std::size_t left = (this->*next)();
        while (is_kw(word)) {
            ++p_;
            std::size_t const right = (this->*next)();
            left = add(Node{kind, {}, {}, {}, {left, right}, offset});
        }
        return left;
    }

    std::size_t not_test() {
        if (is_kw("not")) {
            std::size_t const offset = cur().offset;
            ++p_;
            std::size_t const operand = not_test();
            return add(Node{Node::Kind::not_, {}, {}, {}, {operand}, offset});
        }
        return comparison();
    }

    std::optional<Op> comparison_op() const {
        if (cur().kind == TokenKind::keyword && (cur().text == "in" || cur().text == "is"))
            bail("the '" + cur().text + "' operator", cur().offset);
        if (is_kw("not") && t_[p_ + 1].kind == TokenKind::keyword && t_[p_ + 1].text == "in")
            bail("the 'not in' operator", cur().offset);
        if (cur().kind != TokenKind::op) return std::nullopt;
        std::string const& o = cur().text;
        if (o == "==") return Op::eq;
        if (o == "!=") return Op::ne;
        if (o == "<") return Op::lt;
        if (o == "<=") return Op::le;
        if (o == ">") return Op::gt;
        if (o == ">=") return Op::ge;
        return std::nullopt;
    }

    std::size_t comparison() {
        std::size_t const offset = cur().offset;
        std::size_t const first = bit_or();
        auto op = comparison_op();
        if (!op) return first;
        Node n{Node::Kind::compare, {}, {}, {}, {first}, offset};
        while (op) {
            ++p_;
            n.ops.push_back(*op);
            n.operands.push_back(bit_or());
            op = comparison_op();
        }
        return add(std::move(n));
    }

    // One level of left-associative binary operators.
    std::size_t binary(std::initializer_list<std::pair<std::string_view, Op>> ops, std::size_t (Parser::*next)()) {
        std::size_t const offset = cur().offset;
        std::size_t left = (this->*next)();
        while (cur().kind == TokenKind::op) {
            std::optional<Op> op;
            for (auto const& [text, o] : ops) {
                if (cur().text == text) op = o;
            }
            if (!op) break;
            ++p_;
            std::size_t const right = (this->*next)();
            left = add(Node{Node::Kind::binary, {}, {}, {*op}, {left, right}, offset});
        }
        return left;
    }

    std::size_t bit_or() { return binary({{"|", Op::bit_or}}, &Parser::bit_xor); }
    std::size_t bit_xor() { return binary({{"^", Op::bit_xor}}, &Parser::bit_and); }
    std::size_t bit_and() { return binary({{"&", Op::bit_and}}, &Parser::shift); }
    std::size_t shift() { return binary({{"<<", Op::lshift}, {">>", Op::rshift}}, &Parser::arith); }
    std::size_t arith() { return binary({{"+", Op::add}, {"-", Op::sub}}, &Parser::term); }
    std::size_t term() {
        std::size_t const t =
            binary({{"*", Op::mul}, {"/", Op::truediv}, {"//", Op::floordiv}, {"%", Op::mod}}, &Parser::factor);
        if (is_op("@")) bail("the '@' operator", cur().offset);
        return t;
    }

    std::size_t factor() {
        std::size_t const offset = cur().offset;
        Node::Kind kind;
        if (is_op("-")) {
            kind = Node::Kind::negate;
        } else if (is_op("+")) {
            kind = Node::Kind::plus;
        } else if (is_op("~")) {
            kind = Node::Kind::invert;
        } else {
            return power();
        }
        ++p_;
        std::size_t const operand = factor();
        return add(Node{kind, {}, {}, {}, {operand}, offset});
    }

    std::size_t power() {
        std::size_t const offset = cur().offset;
        std::size_t const base = primary();
        if (!is_op("**")) return base;
        ++p_;
        std::size_t const exponent = factor();  // right-associative, and -x binds tighter on the right
        return add(Node{Node::Kind::binary, {}, {}, {Op::pow}, {base, exponent}, offset});
    }

    std::size_t primary() {
        Token const& t = cur();
        std::size_t node;
        if (t.kind == TokenKind::name && t.text == "print" && t_[p_ + 1].kind == TokenKind::op && t_[p_ + 1].text == "(") {
            node = print_call();
        } else {
            node = atom();
        }
        if (is_op("(")) bail("a call of something other than print", cur().offset);
        if (is_op("[")) bail("a subscript", cur().offset);
        if (is_op(".")) bail("an attribute", cur().offset);
        return node;
    }

    std::size_t print_call() {
        Node n{Node::Kind::print, {}, {}, {}, {}, cur().offset};
        p_ += 2;
        while (!is_op(")")) {
            if (is_op("*") || is_op("**")) bail("a starred argument", cur().offset);
            if (at(TokenKind::name) && t_[p_ + 1].kind == TokenKind::op && t_[p_ + 1].text == "=")
                bail("print's keyword argument '" + cur().text + "'", cur().offset);
            n.operands.push_back(test());
            if (is_op(",")) {
                ++p_;
            } else if (!is_op(")")) {
                unexpected();
            }
        }
        ++p_;
        return add(std::move(n));
    }

    std::size_t atom() {
        Token const& t = cur();
        switch (t.kind) {
        case TokenKind::name: {
            ++p_;
            return add(Node{Node::Kind::name, {}, t.text, {}, {}, t.offset});
        }
        case TokenKind::integer: ++p_; return add(Node{Node::Kind::literal, Value{t.integer}, {}, {}, {}, t.offset});
        case TokenKind::floating: ++p_; return add(Node{Node::Kind::literal, Value{t.floating}, {}, {}, {}, t.offset});
        case TokenKind::string: {
            // Adjacent literals are one string, as in Python.
            std::string value;
            std::size_t const offset = t.offset;
            while (at(TokenKind::string)) value += t_[p_++].text;
            return add(Node{Node::Kind::literal, Value{std::move(value)}, {}, {}, {}, offset});
        }
        case TokenKind::keyword:
            if (t.text == "True" || t.text == "False") {
                ++p_;
                return add(Node{Node::Kind::literal, Value{t.text == "True"}, {}, {}, {}, t.offset});
            }
            if (t.text == "None") {
                ++p_;
                return add(Node{Node::Kind::literal, Value{None{}}, {}, {}, {}, t.offset});
            }
            if (t.text == "lambda") bail("a lambda", t.offset);
            unexpected();
        case TokenKind::op:
            if (t.text == "(") {
                std::size_t const offset = t.offset;
                ++p_;
                if (is_op(")")) {
                    ++p_;
                    return add(Node{Node::Kind::tuple, {}, {}, {}, {}, offset});
                }
                std::size_t const first = test();
                if (is_op(")")) {
                    ++p_;
                    return first;  // parentheses only group
                }
                if (!is_op(",")) unexpected();
                Node tuple{Node::Kind::tuple, {}, {}, {}, {first}, offset};
                while (is_op(",")) {
                    ++p_;
                    if (is_op(")")) break;
                    tuple.operands.push_back(test());
                }
                expect_op(")");
                return add(std::move(tuple));
            }
            if (t.text == "[") bail("a list", t.offset);
            if (t.text == "{") bail("a dict or set", t.offset);
            unexpected();
        default: unexpected();
        }
    }

    std::vector<Token> t_;
    std::size_t p_ = 0;
    Program prog_;
};

// ---------------------------------------------------------------------------------------------
// Values

bool is_number(Value const& v) {
    return std::holds_alternative<bool>(v.v) || std::holds_alternative<Int>(v.v) || std::holds_alternative<double>(v.v);
}
bool is_integral(Value const& v) { return std::holds_alternative<bool>(v.v) || std::holds_alternative<Int>(v.v); }
Int to_int(Value const& v) {
    if (auto const* b = std::get_if<bool>(&v.v)) return *b ? 1 : 0;
    return std::get<Int>(v.v);
}

char const* type_name(Value const& v) {
    switch (v.v.index()) {
    case 0: return "NoneType";
    case 1: return "bool";
    case 2: return "int";
    case 3: return "float";
    case 4: return "str";
    default: return "tuple";
    }
}

// An integer as a float, when the conversion is exact (Python rounds larger ones correctly; we
// leave those to it).
double to_double(Value const& v, std::size_t offset) {
    if (auto const* d = std::get_if<double>(&v.v)) return *d;
    Int const i = to_int(v);
    if (i > exact_double_limit || i < -exact_double_limit) bail("an integer too large to convert exactly to float", offset);
    return static_cast<double>(i);
}

bool truthy(Value const& v) {
    return std::visit(
        [](auto const& x) -> bool {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, None>) return false;
            else if constexpr (std::is_same_v<T, bool>) return x;
            else if constexpr (std::is_same_v<T, Int>) return x != 0;
            else if constexpr (std::is_same_v<T, double>) return x != 0.0;  // NaN is true, as in Python
            else if constexpr (std::is_same_v<T, std::string>) return !x.empty();
            else return !x.items.empty();
        },
        v.v);
}

std::string string_repr(std::string const& s) {
    // Python picks single quotes unless the text has one and no double quote.
    char const quote = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
    std::string out(1, quote);
    for (char c : s) {
        if (c == quote || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += c;  // the lexer only lets printable ASCII in
        }
    }
    out += quote;
    return out;
}

// -1, 0 or 1; nullopt when a NaN is involved (every ordering is then false).
std::optional<int> compare_numbers(Value const& a, Value const& b) {
    auto const sign = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
    bool const fa = std::holds_alternative<double>(a.v);
    bool const fb = std::holds_alternative<double>(b.v);
    if (!fa && !fb) return sign(to_int(a), to_int(b));
    if (fa && fb) {
        double const x = std::get<double>(a.v), y = std::get<double>(b.v);
        if (std::isnan(x) || std::isnan(y)) return std::nullopt;
        return sign(x, y);
    }
    // An int against a float, compared exactly as Python does (not through a rounded float).
    Int const i = fa ? to_int(b) : to_int(a);
    double const d = fa ? std::get<double>(a.v) : std::get<double>(b.v);
    int result;
    if (std::isnan(d)) return std::nullopt;
    if (std::isinf(d)) {
        result = d > 0 ? -1 : 1;
    } else if (i <= exact_double_limit && i >= -exact_double_limit) {
        result = sign(static_cast<double>(i), d);
    } else {
        double const floor_d = std::floor(d);
        if (floor_d >= 0x1p127) {
            result = -1;
        } else if (floor_d < -0x1p127) {
            result = 1;
        } else {
            Int const fi = static_cast<Int>(floor_d);
            result = i < fi ? -1 : i > fi ? 1 : (d > floor_d ? -1 : 0);
        }
    }
    return fa ? -result : result;  // result compares the int with the float
}

bool equals(Value const& a, Value const& b, std::size_t offset) {
    if (is_number(a) && is_number(b)) {
        auto const c = compare_numbers(a, b);
        return c && *c == 0;
    }
    if (a.v.index() != b.v.index()) return false;
    if (std::holds_alternative<None>(a.v)) return true;
    if (auto const* s = std::get_if<std::string>(&a.v)) return *s == std::get<std::string>(b.v);
    auto const& x = std::get<Tuple>(a.v).items;
    auto const& y = std::get<Tuple>(b.v).items;
    if (x.size() != y.size()) return false;
    for (std::size_t k = 0; k < x.size(); ++k) {
        // Python compares container items by identity first, which makes a NaN equal to itself.
        if (std::holds_alternative<double>(x[k].v) && std::isnan(std::get<double>(x[k].v)))
            bail("a tuple holding a NaN", offset);
        if (!equals(x[k], y[k], offset)) return false;
    }
    return true;
}

bool compare(Op op, Value const& a, Value const& b, std::size_t offset) {
    if (op == Op::eq) return equals(a, b, offset);
    if (op == Op::ne) return !equals(a, b, offset);
    std::optional<int> c;
    if (is_number(a) && is_number(b)) {
        c = compare_numbers(a, b);
    } else if (std::holds_alternative<std::string>(a.v) && std::holds_alternative<std::string>(b.v)) {
        // Byte order is code point order for the ASCII the lexer lets in.
        int const r = std::get<std::string>(a.v).compare(std::get<std::string>(b.v));
        c = r < 0 ? -1 : r > 0 ? 1 : 0;
    } else {
        bail(std::string("an ordering of ") + type_name(a) + " and " + type_name(b), offset);
    }
    if (!c) return false;
    switch (op) {
    case Op::lt: return *c < 0;
    case Op::le: return *c <= 0;
    case Op::gt: return *c > 0;
    default: return *c >= 0;
    }
}

[[noreturn]] void too_large(std::size_t offset) { bail("an integer result beyond 128 bits", offset); }

Int add_checked(Int x, Int y, std::size_t offset) {
    Int r;
    if (__builtin_add_overflow(x, y, &r)) too_large(offset);
    return r;
}
Int sub_checked(Int x, Int y, std::size_t offset) {
    Int r;
    if (__builtin_sub_overflow(x, y, &r)) too_large(offset);
    return r;
}
Int mul_checked(Int x, Int y, std::size_t offset) {
    Int r;
    if (__builtin_mul_overflow(x, y, &r)) too_large(offset);
    return r;
}

Int int_power(Int base, Int exponent, std::size_t offset) {
    Int result = 1;
    while (exponent > 0) {
        if (exponent & 1) result = mul_checked(result, base, offset);
        exponent >>= 1;
        if (exponent > 0) base = mul_checked(base, base, offset);
    }
    return result;
}

// Python's float // and %: the quotient is floored, the remainder takes the divisor's sign.
std::pair<double, double> float_divmod(double x, double y) {
    double mod = std::fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0) {
        if ((y < 0) != (mod < 0)) {
            mod += y;
            div -= 1.0;
        }
    } else {
        mod = std::copysign(0.0, y);
    }
    double floordiv;
    if (div != 0) {
        floordiv = std::floor(div);
        if (div - floordiv > 0.5) floordiv += 1.0;
    } else {
        floordiv = std::copysign(0.0, x / y);
    }
    return {floordiv, mod};
}

std::string format_percent(std::string const& format, Value const& args, std::size_t offset);

Value arithmetic(Op op, Value const& a, Value const& b, std::size_t offset) {
    if (op == Op::add && std::holds_alternative<std::string>(a.v) && std::holds_alternative<std::string>(b.v))
        return Value{std::get<std::string>(a.v) + std::get<std::string>(b.v)};
    if (op == Op::add && std::holds_alternative<Tuple>(a.v) && std::holds_alternative<Tuple>(b.v)) {
        Tuple t = std::get<Tuple>(a.v);
        for (auto const& item : std::get<Tuple>(b.v).items) t.items.push_back(item);
        return Value{std::move(t)};
    }
    if (op == Op::mod && std::holds_alternative<std::string>(a.v))
        return Value{format_percent(std::get<std::string>(a.v), b, offset)};
    if (!is_number(a) || !is_number(b))
        bail(std::string("an operation on ") + type_name(a) + " and " + type_name(b), offset);

    if (is_integral(a) && is_integral(b)) {
        Int const x = to_int(a), y = to_int(b);
        bool const both_bool = std::holds_alternative<bool>(a.v) && std::holds_alternative<bool>(b.v);
        switch (op) {
        case Op::add: return Value{add_checked(x, y, offset)};
        case Op::sub: return Value{sub_checked(x, y, offset)};
        case Op::mul: return Value{mul_checked(x, y, offset)};
        case Op::truediv:
            if (y == 0) bail("a division by zero", offset);
            return Value{to_double(a, offset) / to_double(b, offset)};
        case Op::floordiv:
        case Op::mod: {
            if (y == 0) bail("a division by zero", offset);
            if (x == int_min && y == -1) too_large(offset);
            Int q = x / y, m = x % y;
            if (m != 0 && ((m < 0) != (y < 0))) {
                q -= 1;
                m += y;
            }
            return Value{op == Op::floordiv ? q : m};
        }
        case Op::pow:
            if (y < 0) bail("an integer power with a negative exponent", offset);
            return Value{int_power(x, y, offset)};
        case Op::bit_and: return both_bool ? Value{(x & y) != 0} : Value{x & y};
        case Op::bit_or: return both_bool ? Value{(x | y) != 0} : Value{x | y};
        case Op::bit_xor: return both_bool ? Value{(x ^ y) != 0} : Value{x ^ y};
        case Op::lshift: {
            if (y < 0) bail("a negative shift count", offset);
            if (x == 0) return Value{Int{0}};
            if (y >= 127) too_large(offset);
            Int const shifted = x << static_cast<int>(y);
            if ((shifted >> static_cast<int>(y)) != x) too_large(offset);
            return Value{shifted};
        }
        case Op::rshift:
            if (y < 0) bail("a negative shift count", offset);
            return Value{y >= 127 ? (x < 0 ? Int{-1} : Int{0}) : x >> static_cast<int>(y)};
        default: break;
        }
    }
    switch (op) {
    case Op::add: return Value{to_double(a, offset) + to_double(b, offset)};
    case Op::sub: return Value{to_double(a, offset) - to_double(b, offset)};
    case Op::mul: return Value{to_double(a, offset) * to_double(b, offset)};
    case Op::truediv: {
        double const y = to_double(b, offset);
        if (y == 0) bail("a division by zero", offset);
        return Value{to_double(a, offset) / y};
    }
    case Op::floordiv:
    case Op::mod: {
        double const y = to_double(b, offset);
        if (y == 0) bail("a division by zero", offset);
        auto const [q, m] = float_divmod(to_double(a, offset), y);
        return Value{op == Op::floordiv ? q : m};
    }
    case Op::pow: bail("a float power", offset);
    default: bail("a bitwise operation on a float", offset);
    }
}

// printf-style formatting, `'cwnd=%d' % tcpi_snd_cwnd`.
std::string format_percent(std::string const& format, Value const& args, std::size_t offset) {
    std::vector<Value> list;
    if (auto const* t = std::get_if<Tuple>(&args.v)) {
        list = t->items;
    } else {
        list.push_back(args);
    }
    std::size_t next = 0;
    std::string out;
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            out += format[i];
            continue;
        }
        ++i;
        std::size_t const spec = i;
        if (i < format.size() && format[i] == '(') bail("a %(name) format", offset);
        bool left = false, zero = false, plus = false, space = false, alternate = false;
        for (; i < format.size(); ++i) {
            char const f = format[i];
            if (f == '-') left = true;
            else if (f == '0') zero = true;
            else if (f == '+') plus = true;
            else if (f == ' ') space = true;
            else if (f == '#') alternate = true;
            else break;
        }
        std::size_t width = 0;
        std::optional<std::size_t> precision;
        auto const digits = [&](std::size_t& into) {
            while (i < format.size() && is_digit(format[i])) {
                into = into * 10 + static_cast<std::size_t>(format[i] - '0');
                if (into > 1000) bail("a format width beyond 1000", offset);
                ++i;
            }
        };
        if (i < format.size() && format[i] == '*') bail("a '*' format width", offset);
        digits(width);
        if (i < format.size() && format[i] == '.') {
            ++i;
            if (i < format.size() && format[i] == '*') bail("a '*' format precision", offset);
            precision = 0;
            digits(*precision);
        }
        while (i < format.size() && (format[i] == 'h' || format[i] == 'l' || format[i] == 'L')) ++i;  // ignored, as in Python
        if (i >= format.size()) bail("an incomplete format", offset);
        char const conversion = format[i];
        if (conversion == '%') {
            // Python takes flags, a width or a precision here as a conversion needing an argument.
            if (i != spec) bail("a '%' conversion with flags, width or precision", offset);
            out += '%';
            continue;
        }
        if (next >= list.size()) bail("a format with more conversions than arguments", offset);
        Value const& arg = list[next++];
        std::string body;  // the digits or text, before padding
        std::string prefix;
        switch (conversion) {
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            Int n;
            if (is_integral(arg)) {
                n = to_int(arg);
            } else if (std::holds_alternative<double>(arg.v) && (conversion == 'd' || conversion == 'i' || conversion == 'u')) {
                double const d = std::get<double>(arg.v);
                if (!std::isfinite(d) || std::fabs(d) >= 0x1p100) bail("a %d of a float it cannot convert", offset);
                n = static_cast<Int>(std::trunc(d));
            } else {
                bail(std::string("a %") + conversion + " of a " + type_name(arg), offset);
            }
            bool const negative = n < 0;
            auto u = negative ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(n)
                              : static_cast<unsigned __int128>(n);
            unsigned const base = (conversion == 'x' || conversion == 'X') ? 16 : conversion == 'o' ? 8 : 10;
            char const* digit_chars = conversion == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            do {
                body.insert(body.begin(), digit_chars[static_cast<unsigned>(u % base)]);
                u /= base;
            } while (u != 0);
            if (precision && body.size() < *precision) body.insert(0, *precision - body.size(), '0');
            prefix = negative ? "-" : plus ? "+" : space ? " " : "";
            if (alternate && base == 16) prefix += conversion == 'X' ? "0X" : "0x";
            if (alternate && base == 8) prefix += "0o";
            if (zero && !left && prefix.size() + body.size() < width)
                body.insert(0, width - prefix.size() - body.size(), '0');
            break;
        }
        case 's':
        case 'r':
        case 'a':
            body = conversion == 's' ? str(arg) : repr(arg);
            if (precision && body.size() > *precision) body.resize(*precision);
            break;
        default: bail(std::string("the format conversion %") + conversion, offset);
        }
        std::string field = prefix + body;
        if (field.size() < width) {
            if (left) {
                field.append(width - field.size(), ' ');
            } else {
                field.insert(0, width - field.size(), ' ');
            }
        }
        out += field;
    }
    if (next < list.size()) bail("a format with fewer conversions than arguments", offset);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

class Evaluator {
public:
    Evaluator(Program const& program, Namespace& names, std::string& printed)
        : prog_(program), names_(names), printed_(printed) {}

    Outcome run() {
        for (auto const& s : prog_.statements) {
            switch (s.kind) {
            case Statement::Kind::pass: break;
            case Statement::Kind::expression: eval(s.first); break;
            case Statement::Kind::assign: names_.set(s.target, eval(s.first)); break;
            case Statement::Kind::augmented: {
                Value const* current = names_.find(s.target);
                if (!current) bail("'" + s.target + "', which is not defined here", s.offset);
                Value const left = *current;
                names_.set(s.target, arithmetic(s.op, left, eval(s.first), s.offset));
                break;
            }
            case Statement::Kind::assert_:
                if (!truthy(eval(s.first))) {
                    AssertionFailed failure{"AssertionError", s.offset, {}};
                    if (s.second != Statement::npos) {
                        std::string const message = str(eval(s.second));
                        // Python prints the bare class name when the message's str() is empty.
                        if (!message.empty()) failure.message += ": " + message;
                    }
                    failure.values = values_read_by(s.first);
                    return failure;
                }
                break;
            }
        }
        return Completed{};
    }

private:
    Value eval(std::size_t index) {
        Node const& n = prog_.nodes[index];
        switch (n.kind) {
        case Node::Kind::literal: return n.literal;
        case Node::Kind::name: {
            Value const* v = names_.find(n.name);
            if (!v) bail("'" + n.name + "', which is not defined here", n.offset);
            return *v;
        }
        case Node::Kind::negate: {
            Value const v = eval(n.operands[0]);
            if (is_integral(v)) return Value{sub_checked(0, to_int(v), n.offset)};
            if (auto const* d = std::get_if<double>(&v.v)) return Value{-*d};
            bail(std::string("a unary minus on ") + type_name(v), n.offset);
        }
        case Node::Kind::plus: {
            Value const v = eval(n.operands[0]);
            if (is_integral(v)) return Value{to_int(v)};
            if (std::holds_alternative<double>(v.v)) return v;
            bail(std::string("a unary plus on ") + type_name(v), n.offset);
        }
        case Node::Kind::invert: {
            Value const v = eval(n.operands[0]);
            if (is_integral(v)) return Value{~to_int(v)};
            bail(std::string("'~' on ") + type_name(v), n.offset);
        }
        case Node::Kind::not_: return Value{!truthy(eval(n.operands[0]))};
        case Node::Kind::and_: {
            Value left = eval(n.operands[0]);
            return truthy(left) ? eval(n.operands[1]) : left;
        }
        case Node::Kind::or_: {
            Value left = eval(n.operands[0]);
            return truthy(left) ? left : eval(n.operands[1]);
        }
        case Node::Kind::binary: {
            Value const a = eval(n.operands[0]);
            Value const b = eval(n.operands[1]);
            return arithmetic(n.ops[0], a, b, n.offset);
        }
        case Node::Kind::compare: {
            Value left = eval(n.operands[0]);
            for (std::size_t k = 0; k < n.ops.size(); ++k) {
                Value right = eval(n.operands[k + 1]);
                if (!compare(n.ops[k], left, right, n.offset)) return Value{false};
                left = std::move(right);
            }
            return Value{true};
        }
        case Node::Kind::tuple: {
            Tuple t;
            for (auto operand : n.operands) t.items.push_back(eval(operand));
            return Value{std::move(t)};
        }
        case Node::Kind::print: {
            // A snippet may have bound the name to something else.
            if (names_.find("print")) bail("'print', which a snippet assigned", n.offset);
            std::string line;
            for (std::size_t k = 0; k < n.operands.size(); ++k) {
                if (k > 0) line += ' ';
                line += str(eval(n.operands[k]));
            }
            printed_ += line + '\n';
            return Value{None{}};
        }
        }
        bail("an unknown expression", n.offset);
    }

    // For a failed assertion's message: the names its test read, with their values.
    std::vector<std::string> values_read_by(std::size_t root) const {
        std::vector<std::string> out;
        std::set<std::string> seen;
        std::vector<std::size_t> stack{root};
        std::vector<std::size_t> order;
        // Depth-first, left to right, so names come in the order they are written.
        while (!stack.empty()) {
            std::size_t const i = stack.back();
            stack.pop_back();
            order.push_back(i);
            auto const& ops = prog_.nodes[i].operands;
            for (auto it = ops.rbegin(); it != ops.rend(); ++it) stack.push_back(*it);
        }
        for (auto i : order) {
            Node const& n = prog_.nodes[i];
            if (n.kind != Node::Kind::name || !seen.insert(n.name).second) continue;
            if (Value const* v = names_.find(n.name)) out.push_back(n.name + " = " + repr(*v));
        }
        return out;
    }

    Program const& prog_;
    Namespace& names_;
    std::string& printed_;
};

}  // namespace

std::string float_repr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
    // The shortest digits that read back as d (what Python's repr prints), in scientific form.
    char buf[64];
    auto const r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view const text(buf, static_cast<std::size_t>(r.ptr - buf));
    std::size_t const e = text.find('e');
    std::string_view mantissa = text.substr(0, e);
    int exponent = 0;
    std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(), exponent);
    std::string sign;
    if (mantissa.front() == '-') {
        sign = "-";
        mantissa.remove_prefix(1);
    }
    std::string digits;
    for (char c : mantissa) {
        if (c != '.') digits += c;
    }
    // Python's repr switches to exponent notation below 1e-4 and from 1e16 on.
    if (exponent < -4 || exponent >= 16) {
        std::string out = sign + digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        out += exponent < 0 ? "e-" : "e+";
        std::string const magnitude = std::to_string(exponent < 0 ? -exponent : exponent);
        if (magnitude.size() < 2) out += '0';
        return out + magnitude;
    }
    int const point = exponent + 1;  // digits before the decimal point
    int const n = static_cast<int>(digits.size());
    if (point <= 0) return sign + "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    if (point >= n) return sign + digits + std::string(static_cast<std::size_t>(point - n), '0') + ".0";
    return sign + digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
}

std::string str(Value const& value) {
    if (auto const* s = std::get_if<std::string>(&value.v)) return *s;
    return repr(value);
}

std::string repr(Value const& value) {
    return std::visit(
        [](auto const& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, None>) return "None";
            else if constexpr (std::is_same_v<T, bool>) return x ? "True" : "False";
            else if constexpr (std::is_same_v<T, Int>) return int_text(x);
            else if constexpr (std::is_same_v<T, double>) return float_repr(x);
            else if constexpr (std::is_same_v<T, std::string>) return string_repr(x);
            else {
                std::string out = "(";
                for (std::size_t k = 0; k < x.items.size(); ++k) {
                    if (k > 0) out += ", ";
                    out += repr(x.items[k]);
                }
                if (x.items.size() == 1) out += ",";
                return out + ")";
            }
        },
        value.v);
}

std::variant<Program, NeedsPython> parse(std::string_view text) {
    try {
        return Parser(Lexer(text).run()).run();
    } catch (Bail const& b) {
        return NeedsPython{b.reason, b.offset};
    }
}

Outcome execute(Program const& program, Namespace& names, std::string& printed) {
    try {
        return Evaluator(program, names, printed).run();
    } catch (Bail const& b) {
        return NeedsPython{b.reason, b.offset};
    }
}

}  // namespace pktdrill::run::code
