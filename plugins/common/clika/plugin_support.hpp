#pragma once
// Help for plugin authors writing a clika backend in C++ (see examples/minimal_plugin). Depends only on plugin_abi.h,
// clika/abi/holds.hpp and the standard library, so a plugin needs nothing else of clika.
//
// Structs grow within ABI v2 (plugin_abi.h): check what clika passed with is_v2() (every v2.0 field is there) and read
// a field added later only when holds() says the struct covers it, so the plugin also works with an older clika:
//
//     if (!clika::plugin::is_v2(options)) throw std::runtime_error("score options from no clika v2");
//     uint8_t* bounded = clika::plugin::holds(*options, &clika_score_options::next_bounded) ? options->next_bounded : nullptr;
//
// The ABI forbids exceptions crossing the C boundary. Wrap the body of every exported function in guarded(): it runs
// the body, turns any exception into a failure value (NULL, -1, or nothing for void) and keeps the message where
// `last_error` finds it:
//
//     struct clika_model : clika::plugin::ModelBase { ... };         // your model, with a last-error slot
//
//     clika_model* my_open(const char* path, const clika_open_options* o) {
//         return clika::plugin::guarded(nullptr, [&] { return new clika_model(...); });   // NULL on failure
//     }
//     int32_t my_score(clika_model* m, ...) {
//         return clika::plugin::guarded(m, [&] { ...; return int32_t{0}; });            // -1 on failure
//     }
//     const char* my_last_error(clika_model* m) { return clika::plugin::last_error(m); }
//
// Messages of calls made with a NULL model (open, or close, which destroys its model) go to a thread_local slot: the host
// asks for them on the thread that made the call. A model's own slot is not synchronized: like the model, it is used by
// one thread at a time. Build plugins with hidden visibility (only the entry point exported) so that two plugins never
// share these inline functions.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "clika/abi/holds.hpp"
#include "clika/plugin_abi.h"

namespace clika::plugin {

using clika::abi::holds;
using clika::abi::is_v2;

// Derive your `struct clika_model` from this to give it a last-error slot.
struct ModelBase {
    std::string last_error;
};

// The slot for calls without a model (open, close), one per thread.
[[nodiscard]] inline std::string& thread_error() noexcept {
    thread_local std::string message;
    return message;
}

// Stores `message` as the last error of `model` (or of this thread when model is NULL). Never throws.
inline void set_error(ModelBase* model, std::string_view message) noexcept {
    std::string& slot = model != nullptr ? model->last_error : thread_error();
    try {
        slot.assign(message);
    } catch (...) {
        slot.clear();  // out of memory: last_error() falls back to its fixed text
    }
}

// What the API's `last_error` returns: the last message, never NULL.
[[nodiscard]] inline const char* last_error(const ModelBase* model) noexcept {
    const std::string& slot = model != nullptr ? model->last_error : thread_error();
    return slot.empty() ? "no error recorded (or out of memory while recording it)" : slot.c_str();
}

// The value a failed call returns by default: NULL for pointers, -1 for integers.
template <class R>
[[nodiscard]] constexpr R failure_value() noexcept {
    if constexpr (std::is_pointer_v<R>) return nullptr;
    else {
        static_assert(std::is_integral_v<R> && std::is_signed_v<R>, "give guarded() an explicit failure value for this type");
        return R(-1);
    }
}

// Runs fn(); returns its result, or `failure` after storing the message of whatever it threw.
template <class Fn>
[[nodiscard]] auto guarded(ModelBase* model, std::type_identity_t<std::invoke_result_t<Fn&>> failure, Fn&& fn) noexcept
    -> std::invoke_result_t<Fn&> {
    try {
        return std::invoke(fn);
    } catch (const std::bad_alloc&) {
        set_error(model, "out of memory");
    } catch (const std::exception& e) {
        set_error(model, e.what());
    } catch (...) {
        set_error(model, "unknown exception (not derived from std::exception)");
    }
    return failure;
}

// As above with the default failure value: NULL for pointers, -1 for integers, nothing for void.
template <class Fn>
auto guarded(ModelBase* model, Fn&& fn) noexcept -> std::invoke_result_t<Fn&> {
    using R = std::invoke_result_t<Fn&>;
    if constexpr (std::is_void_v<R>) {
        try {
            std::invoke(fn);
        } catch (const std::bad_alloc&) {
            set_error(model, "out of memory");
        } catch (const std::exception& e) {
            set_error(model, e.what());
        } catch (...) {
            set_error(model, "unknown exception (not derived from std::exception)");
        }
    } else {
        return guarded(model, failure_value<R>(), std::forward<Fn>(fn));
    }
}

// The capacity protocol of `tokenize` and `token_piece`: copies what fits, returns the full length.
template <class T>
[[nodiscard]] std::int64_t copy_out(std::span<const T> items, T* out, std::size_t capacity) noexcept {
    const std::size_t n = items.size() < capacity ? items.size() : capacity;
    if (n > 0 && out != nullptr) std::memcpy(out, items.data(), n * sizeof(T));
    return static_cast<std::int64_t>(items.size());
}

[[nodiscard]] inline std::int64_t copy_out(std::string_view text, char* out, std::size_t capacity) noexcept {
    return copy_out(std::span<const char>(text.data(), text.size()), out, capacity);
}

}  // namespace clika::plugin
