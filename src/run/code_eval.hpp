#pragma once
// The native evaluator of `%{ }%` code: the small part of Python that assertions over tcp_info
// are written in, evaluated with Python 3's semantics so that a script needs no interpreter.
//
// It takes, per snippet (statements separated by newlines or `;`, `\` continuations, implicit
// joining inside parentheses, `#` comments):
//   assert EXPR[, EXPR]      NAME = EXPRS      NAME op= EXPRS      print(EXPR, ...)      EXPRS      pass
// and expressions made of integer (decimal, 0x, 0o, 0b), float and string literals, True, False,
// None, names, tuples, `or and not`, comparisons (== != < <= > >=, chained), `| ^ & << >>`,
// `+ - * / // % **`, unary `- + ~`, and `'...' % args` formatting (%d %i %u %x %X %o %s %r %%,
// with flags, width and precision).
//
// Python's semantics, exactly: integers are unbounded in Python, here 128-bit with every overflow
// detected; `/` is true division, `//` and `%` floor; `and`/`or` yield an operand and
// short-circuit; comparisons chain and short-circuit; bools are integers; int/float comparisons
// are exact; floats print as Python's repr does.
//
// What it does not take, it says so instead of guessing: parse() rejects a snippet that uses
// anything else (another statement, a call other than print, subscripts, an indented line ...),
// and execute() stops with NeedsPython where Python would raise anything but an AssertionError
// (an unknown name, a division by zero, a TypeError) or where a result leaves what this evaluator
// can compute exactly (an integer beyond 128 bits, a float power). The caller then runs the
// whole script's code in Python, which gives Python's own answer.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace pktdrill::run::code {

using Int = __int128;

struct Value;
struct None {
    friend bool operator==(None, None) = default;
};
struct Tuple {
    std::vector<Value> items;
};

struct Value {
    std::variant<None, bool, Int, double, std::string, Tuple> v;
};

// Python's str() and repr().
std::string str(Value const& value);
std::string repr(Value const& value);
// Python's repr of a float ("0.1", "1e+16", "inf").
std::string float_repr(double d);

enum class Op {
    add, sub, mul, truediv, floordiv, mod, pow, bit_and, bit_or, bit_xor, lshift, rshift,
    eq, ne, lt, le, gt, ge,
};

// A parsed snippet. Nodes refer to each other by index; offsets are byte offsets in the text.
struct Node {
    enum class Kind { literal, name, negate, plus, invert, not_, and_, or_, binary, compare, tuple, print };
    Kind kind = Kind::literal;
    Value literal;
    std::string name;
    std::vector<Op> ops;                 // binary: one; compare: one per comparison
    std::vector<std::size_t> operands;  // indices into Program::nodes
    std::size_t offset = 0;
};

struct Statement {
    enum class Kind { assert_, assign, augmented, expression, pass };
    Kind kind = Kind::pass;
    std::string target;        // assign, augmented
    Op op = Op::add;           // augmented
    std::size_t first = npos;  // the test, the value or the expression
    std::size_t second = npos; // assert's message
    std::size_t offset = 0;    // where the statement starts
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

struct Program {
    std::vector<Node> nodes;
    std::vector<Statement> statements;
};

// Why the native evaluator does not take something, and where (a byte offset in the snippet).
struct NeedsPython {
    std::string reason;
    std::size_t offset = 0;
};

std::variant<Program, NeedsPython> parse(std::string_view text);

// The module namespace the snippets of a run share, as Python's would: the snapshots' variables,
// and what the snippets assign.
class Namespace {
public:
    void set(std::string const& name, Value value) { names_[name] = std::move(value); }
    Value const* find(std::string_view name) const {
        auto it = names_.find(name);
        return it == names_.end() ? nullptr : &it->second;
    }

private:
    std::map<std::string, Value, std::less<>> names_;
};

struct Completed {};
struct AssertionFailed {
    std::string message;              // "AssertionError" or "AssertionError: <str(message)>"
    std::size_t offset = 0;           // the assert statement
    std::vector<std::string> values;  // "name = repr(value)" for each name its test reads
};
using Outcome = std::variant<Completed, AssertionFailed, NeedsPython>;

// Runs the program's statements in order, appending print's output to `printed`. Assignments
// done before a NeedsPython stay in `names`: the caller throws the namespace away and lets Python
// run everything.
Outcome execute(Program const& program, Namespace& names, std::string& printed);

}  // namespace pktdrill::run::code
