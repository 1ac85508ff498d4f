#pragma once
// The struct_size rule of plugin_abi.h, for both sides of the boundary: clika reading a plugin's tables and a plugin
// reading clika's options. Depends only on plugin_abi.h, so plugins and clika's core share it (installed with the ABI).

#include <cstddef>
#include <cstdint>

#include "clika/plugin_abi.h"

namespace clika::abi {

// Whether `s`, a struct the other side filled (its struct_size as that side knows it), is large enough to hold
// `member`: fields added after v2.0 are read only then, and treated as absent (NULL, 0, empty) otherwise.
template <class S, class M>
[[nodiscard]] bool holds(const S& s, M S::*member) noexcept {
    static const S layout{};  // a whole S to measure the member's offset on, whatever the size of `s`
    const auto offset = static_cast<std::size_t>(reinterpret_cast<const char*>(&(layout.*member)) - reinterpret_cast<const char*>(&layout));
    return s.struct_size >= offset + sizeof(M);
}

// The smallest struct_size any v2 peer passes: the struct's size at ABI v2.0, or as first added.
template <class S>
inline constexpr std::size_t v2_size = 0;
template <>
inline constexpr std::size_t v2_size<clika_open_options> = CLIKA_OPEN_OPTIONS_V2_0_SIZE;
template <>
inline constexpr std::size_t v2_size<clika_model_info> = CLIKA_MODEL_INFO_V2_0_SIZE;
template <>
inline constexpr std::size_t v2_size<clika_score_options> = CLIKA_SCORE_OPTIONS_V2_0_SIZE;
template <>
inline constexpr std::size_t v2_size<clika_generate_options> = CLIKA_GENERATE_OPTIONS_V2_0_SIZE;
template <>
inline constexpr std::size_t v2_size<clika_plugin_api_v2> = CLIKA_PLUGIN_API_V2_0_SIZE;
template <>
inline constexpr std::size_t v2_size<clika_setting> = CLIKA_SETTING_FIRST_SIZE;

// Whether `s` is there and at least v2_size<S> large, as anything speaking ABI v2 passes.
template <class S>
[[nodiscard]] bool is_v2(const S* s) noexcept {
    static_assert(v2_size<S> > 0, "not a struct of plugin_abi.h that carries struct_size");
    return s != nullptr && s->struct_size >= v2_size<S>;
}

}  // namespace clika::abi
