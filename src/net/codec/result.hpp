#pragma once
// The codec's result type. Malformed packets are ordinary input (sniffed traffic, fuzzers), so
// decoding reports problems as values, never as exceptions; encoding uses the same type so that
// a caller-built header that cannot be put on the wire is reported the same way.

#include <cstddef>
#include <string>
#include <utility>
#include <variant>

#include "src/base/error.hpp"

namespace pktdrill::net {

struct CodecError {
    std::size_t offset = 0;  // byte offset in the packet (decode) or in the output (encode)
    std::string message;

    // "at byte 34: TCP option kind 2 has length 1, less than 2"
    std::string describe() const { return "at byte " + std::to_string(offset) + ": " + message; }

    friend bool operator==(CodecError const&, CodecError const&) = default;
};

template <class T>
class Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(CodecError error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    // Asking a failed result for its value is a programming error, not malformed input: it
    // throws pktdrill::Error carrying the codec's message so the mistake is easy to diagnose.
    T& value() & { check(); return std::get<0>(state_); }
    T const& value() const& { check(); return std::get<0>(state_); }
    T&& value() && { check(); return std::get<0>(std::move(state_)); }

    T& operator*() & { return value(); }
    T const& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    T const* operator->() const { return &value(); }

    // Precondition: !has_value().
    CodecError const& error() const { return std::get<1>(state_); }

private:
    void check() const {
        if (!has_value()) throw pktdrill::Error("packet codec: " + error().describe());
    }

    std::variant<T, CodecError> state_;
};

// The result of an operation that yields nothing but can fail: `return Ok{};` on success.
struct Ok {
    friend bool operator==(Ok, Ok) = default;
};
using Status = Result<Ok>;

}  // namespace pktdrill::net
