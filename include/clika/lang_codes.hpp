#pragma once
// Language codes as other harnesses spell them, normalised to the ISO 639-1 codes clika uses where one exists:
// FLORES-200 codes (belebele: eng_Latn -> en, zho_Hans -> zh, arb_Arab -> ar), bare ISO 639-3 codes, and xwinograd's jp.
// A language written in other than its usual script keeps the script, BCP 47 style (zho_Hant -> zh-Hant,
// hin_Latn -> hi-Latn), so two scripts never merge; codes without an ISO 639-1 code (acm_Arab, ilo_Latn) stay as given.

#include <array>
#include <string>
#include <string_view>

namespace clika {

struct Iso639Entry {
    std::string_view iso3;    // ISO 639-3 (the individual language FLORES uses)
    std::string_view iso1;    // ISO 639-1
    std::string_view script;  // the script the language is usually written in (ISO 15924)
};

// The FLORES-200 languages of belebele that have an ISO 639-1 code (and Mandarin's cmn).
inline constexpr std::array<Iso639Entry, 101> iso639_table{{
    {"afr", "af", "Latn"}, {"als", "sq", "Latn"}, {"amh", "am", "Ethi"}, {"arb", "ar", "Arab"}, {"asm", "as", "Beng"},
    {"azj", "az", "Latn"}, {"bam", "bm", "Latn"}, {"ben", "bn", "Beng"}, {"bod", "bo", "Tibt"}, {"bul", "bg", "Cyrl"},
    {"cat", "ca", "Latn"}, {"ces", "cs", "Latn"}, {"dan", "da", "Latn"}, {"deu", "de", "Latn"}, {"ell", "el", "Grek"},
    {"eng", "en", "Latn"}, {"est", "et", "Latn"}, {"eus", "eu", "Latn"}, {"fin", "fi", "Latn"}, {"fra", "fr", "Latn"},
    {"gaz", "om", "Latn"}, {"grn", "gn", "Latn"}, {"guj", "gu", "Gujr"}, {"hat", "ht", "Latn"}, {"hau", "ha", "Latn"},
    {"heb", "he", "Hebr"}, {"hin", "hi", "Deva"}, {"hrv", "hr", "Latn"}, {"hun", "hu", "Latn"}, {"hye", "hy", "Armn"},
    {"ibo", "ig", "Latn"}, {"ind", "id", "Latn"}, {"isl", "is", "Latn"}, {"ita", "it", "Latn"}, {"jav", "jv", "Latn"},
    {"jpn", "ja", "Jpan"}, {"kan", "kn", "Knda"}, {"kat", "ka", "Geor"}, {"kaz", "kk", "Cyrl"}, {"khk", "mn", "Cyrl"},
    {"khm", "km", "Khmr"}, {"kin", "rw", "Latn"}, {"kir", "ky", "Cyrl"}, {"kor", "ko", "Hang"}, {"lao", "lo", "Laoo"},
    {"lin", "ln", "Latn"}, {"lit", "lt", "Latn"}, {"lug", "lg", "Latn"}, {"lvs", "lv", "Latn"}, {"mal", "ml", "Mlym"},
    {"mar", "mr", "Deva"}, {"mkd", "mk", "Cyrl"}, {"mlt", "mt", "Latn"}, {"mri", "mi", "Latn"}, {"mya", "my", "Mymr"},
    {"nld", "nl", "Latn"}, {"nob", "nb", "Latn"}, {"npi", "ne", "Deva"}, {"nya", "ny", "Latn"}, {"ory", "or", "Orya"},
    {"pan", "pa", "Guru"}, {"pbt", "ps", "Arab"}, {"pes", "fa", "Arab"}, {"plt", "mg", "Latn"}, {"pol", "pl", "Latn"},
    {"por", "pt", "Latn"}, {"ron", "ro", "Latn"}, {"rus", "ru", "Cyrl"}, {"sin", "si", "Sinh"}, {"slk", "sk", "Latn"},
    {"slv", "sl", "Latn"}, {"sna", "sn", "Latn"}, {"snd", "sd", "Arab"}, {"som", "so", "Latn"}, {"sot", "st", "Latn"},
    {"spa", "es", "Latn"}, {"srp", "sr", "Cyrl"}, {"ssw", "ss", "Latn"}, {"sun", "su", "Latn"}, {"swe", "sv", "Latn"},
    {"swh", "sw", "Latn"}, {"tam", "ta", "Taml"}, {"tel", "te", "Telu"}, {"tgk", "tg", "Cyrl"}, {"tgl", "tl", "Latn"},
    {"tha", "th", "Thai"}, {"tir", "ti", "Ethi"}, {"tsn", "tn", "Latn"}, {"tso", "ts", "Latn"}, {"tur", "tr", "Latn"},
    {"ukr", "uk", "Cyrl"}, {"urd", "ur", "Arab"}, {"uzn", "uz", "Latn"}, {"vie", "vi", "Latn"}, {"wol", "wo", "Latn"},
    {"xho", "xh", "Latn"}, {"yor", "yo", "Latn"}, {"zho", "zh", "Hans"}, {"zsm", "ms", "Latn"}, {"zul", "zu", "Latn"},
    {"cmn", "zh", "Hans"},
}};

[[nodiscard]] constexpr const Iso639Entry* iso639_entry(std::string_view iso3) noexcept {
    for (const Iso639Entry& e : iso639_table)
        if (e.iso3 == iso3) return &e;
    return nullptr;
}

[[nodiscard]] inline std::string normalise_lang_code(std::string_view code) {
    if (code == "jp") return "ja";  // xwinograd's name for Japanese
    const std::size_t underscore = code.find('_');
    const std::string_view base = code.substr(0, underscore);
    const Iso639Entry* entry = base.size() == 3 ? iso639_entry(base) : nullptr;
    if (entry == nullptr) return std::string(code);
    if (underscore == std::string_view::npos) return std::string(entry->iso1);
    const std::string_view script = code.substr(underscore + 1);
    if (script == entry->script) return std::string(entry->iso1);
    return std::string(entry->iso1) + "-" + std::string(script);
}

}  // namespace clika
