#pragma once
// The answers of a fictional (Conductivity) run per language and item type, as scoring takes them
// (metrics/conductivity.hpp), whether read from a run directory (clika/run/fictional_lines.hpp) or built otherwise.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clika/language.hpp"

namespace clika {

enum class FictionalMode : std::uint8_t { generate, choice };
inline constexpr std::size_t fictional_mode_count = 2;
inline constexpr std::array<FictionalMode, fictional_mode_count> fictional_modes{FictionalMode::generate, FictionalMode::choice};

[[nodiscard]] constexpr std::string_view name(FictionalMode mode) noexcept { return mode == FictionalMode::generate ? "generate" : "choice"; }

// The modes a fictional run answers in (--fictional-mode), as run.json and each line record them.
enum class FictionalModes : std::uint8_t { generate, choice, both };

[[nodiscard]] constexpr std::string_view name(FictionalModes modes) noexcept {
    return modes == FictionalModes::both ? "both" : modes == FictionalModes::generate ? "generate" : "choice";
}
[[nodiscard]] inline std::optional<FictionalModes> parse_fictional_modes(std::string_view text) {
    for (FictionalModes m : {FictionalModes::generate, FictionalModes::choice, FictionalModes::both})
        if (text == name(m)) return m;
    return std::nullopt;
}
[[nodiscard]] constexpr bool includes(FictionalModes modes, FictionalMode mode) noexcept {
    return modes == FictionalModes::both || (mode == FictionalMode::generate) == (modes == FictionalModes::generate);
}
// The modes of an answer that has a generated text and/or choice scores (at least one).
[[nodiscard]] constexpr FictionalModes modes_of(bool generated, bool chosen) noexcept {
    return generated && chosen ? FictionalModes::both : generated ? FictionalModes::generate : FictionalModes::choice;
}

using FictionalModeOutcomes = std::array<std::vector<std::uint8_t>, fictional_mode_count>;

// One language of a fictional run.
struct FictionalRunLang {
    std::vector<std::size_t> uuid;   // test items: line index in the test file (the fact)
    std::vector<std::uint8_t> type;  // 0 or 1
    FictionalModeOutcomes correct;   // per mode: per item 1/0 (empty when the mode was not run)
    std::array<bool, fictional_mode_count> has_mode{};
    bool has_translate = false;
    FictionalModeOutcomes translate_correct;
    std::size_t n_continents = 20;
};

struct FictionalRun {
    std::string model;
    std::array<std::optional<FictionalRunLang>, lang_count> langs;

    // The modes every present language was answered in, generate first.
    [[nodiscard]] std::vector<FictionalMode> modes() const {
        std::vector<FictionalMode> out;
        for (FictionalMode mode : fictional_modes) {
            bool all = true, any = false;
            for (const auto& l : langs)
                if (l) {
                    any = true;
                    all = all && l->has_mode[static_cast<std::size_t>(mode)];
                }
            if (any && all) out.push_back(mode);
        }
        return out;
    }
};

}  // namespace clika
