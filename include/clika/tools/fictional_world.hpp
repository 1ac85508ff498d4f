#pragma once
// Fresh fictional worlds for the Conductivity experiment, written in the upstream file layout, so that models which
// may have seen the published fictional set can be tested on facts nobody has published.
//
// A world is a function of (seed, continents, cities per continent) only (SplitMix64; the same arguments give
// byte-identical files). Names are built from 30 consonant-vowel syllables (consonants k t s n m r v d z p, vowels
// a i o): continents are one 3-syllable word ("Zoriva"), cities a 2-3 syllable word and a geographic noun
// ("Kanori Sands"). Other languages get the names by TRANSLITERATION TABLES, one per script, applied syllable by
// syllable -- not by translation:
//   Latin (de fr it pl)  the English spelling (Polish writes v as w)
//   Cyrillic (ru)        к т с н м р в д з п / а и о
//   Arabic (ar)          ك ت س ن م ر ف د ز ب / ا ي و
//   Hebrew (he)          ק ת ס נ מ ר ב ד ז פ / א י ו
//   Katakana (ja)        one kana per syllable (カ キ コ, タ ティ ト, ...)
//   Chinese (zh)         one phonetic character per syllable (卡 基 科, 塔 蒂 托, ...)
// Only the geographic nouns (Sands, Isle, ...) are translated, from a 16-word table; word order follows each language
// (de "Kanori-Sande", fr "Sables Kanori", ja "カノリ砂原", zh "卡诺里沙地"). Every name is unique in every language and
// no name contains another, so answers can be graded by substring.
//
// Files (same layout and record shapes as upstream): fictional/train/<L>.json for the nine non-English languages
// (English QA in the paper's ten templates for every city, L -> English translations of every name under four
// instructions, and target-language QA in two templates for the type-0 cities), fictional/test/target/test<L>.jsonl
// (every city, per continent the first half type 0, the rest type 1, tagged like upstream) and
// fictional/test/Translate/translate<L>.jsonl (English -> L, each continent followed by its cities).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/error.hpp"
#include "clika/fictional.hpp"
#include "clika/random.hpp"
#include "clika/tools/fictional_train.hpp"
#include "clika/language.hpp"

namespace clika::world {

inline constexpr std::string_view consonants = "ktsnmrvdzp";
inline constexpr std::string_view vowels = "aio";
inline constexpr std::size_t syllable_count = 30;  // consonants × vowels; syllable s = consonant s / 3, vowel s % 3

// Per-script renderings of the 30 syllables, in syllable order (ka ki ko ta ti to sa si so na ni no ma mi mo ra ri ro
// va vi vo da di do za zi zo pa pi po).
inline constexpr std::array<std::string_view, syllable_count> cyrillic{
    "ка", "ки", "ко", "та", "ти", "то", "са", "си", "со", "на", "ни", "но", "ма", "ми", "мо",
    "ра", "ри", "ро", "ва", "ви", "во", "да", "ди", "до", "за", "зи", "зо", "па", "пи", "по"};
inline constexpr std::array<std::string_view, syllable_count> arabic{
    "كا", "كي", "كو", "تا", "تي", "تو", "سا", "سي", "سو", "نا", "ني", "نو", "ما", "مي", "مو",
    "را", "ري", "رو", "فا", "في", "فو", "دا", "دي", "دو", "زا", "زي", "زو", "با", "بي", "بو"};
inline constexpr std::array<std::string_view, syllable_count> hebrew{
    "קא", "קי", "קו", "תא", "תי", "תו", "סא", "סי", "סו", "נא", "ני", "נו", "מא", "מי", "מו",
    "רא", "רי", "רו", "בא", "בי", "בו", "דא", "די", "דו", "זא", "זי", "זו", "פא", "פי", "פו"};
inline constexpr std::array<std::string_view, syllable_count> katakana{
    "カ", "キ", "コ", "タ", "ティ", "ト", "サ", "シ", "ソ", "ナ", "ニ", "ノ", "マ", "ミ", "モ",
    "ラ", "リ", "ロ", "ヴァ", "ヴィ", "ヴォ", "ダ", "ディ", "ド", "ザ", "ジ", "ゾ", "パ", "ピ", "ポ"};
inline constexpr std::array<std::string_view, syllable_count> hanzi{
    "卡", "基", "科", "塔", "蒂", "托", "萨", "西", "索", "纳", "尼", "诺", "马", "米", "莫",
    "拉", "里", "罗", "瓦", "维", "沃", "达", "迪", "多", "扎", "齐", "佐", "帕", "皮", "波"};

// Geographic nouns per language, in all_langs order (en de fr it pl ru ar he ja zh).
inline constexpr std::array<std::array<std::string_view, lang_count>, 16> nouns{{
    {"Sands", "Sande", "Sables", "Sabbie", "Piaski", "Пески", "رمال", "חולות", "砂原", "沙地"},
    {"Isle", "Insel", "Île", "Isola", "Wyspa", "Остров", "جزيرة", "אי", "島", "岛"},
    {"Ridge", "Grat", "Crête", "Cresta", "Grzbiet", "Хребет", "سلسلة", "רכס", "尾根", "山脊"},
    {"Valley", "Tal", "Vallée", "Valle", "Dolina", "Долина", "وادي", "עמק", "谷", "谷地"},
    {"Harbor", "Hafen", "Port", "Porto", "Przystań", "Гавань", "ميناء", "נמל", "港", "港"},
    {"Forest", "Wald", "Forêt", "Foresta", "Las", "Лес", "غابة", "יער", "森", "森林"},
    {"Falls", "Fälle", "Chutes", "Cascate", "Wodospad", "Водопад", "شلالات", "מפלים", "滝", "瀑布"},
    {"Peak", "Gipfel", "Pic", "Picco", "Szczyt", "Пик", "قمة", "פסגה", "峰", "峰"},
    {"Lake", "See", "Lac", "Lago", "Jezioro", "Озеро", "بحيرة", "אגם", "湖", "湖"},
    {"Plains", "Ebene", "Plaines", "Pianure", "Równiny", "Равнины", "سهول", "מישור", "平原", "平原"},
    {"Citadel", "Zitadelle", "Citadelle", "Cittadella", "Cytadela", "Цитадель", "قلعة", "מצודה", "城塞", "城堡"},
    {"Grove", "Hain", "Bosquet", "Boschetto", "Gaj", "Роща", "بستان", "חורשה", "木立", "树林"},
    {"Canyon", "Schlucht", "Gorge", "Gola", "Kanion", "Каньон", "أخدود", "קניון", "峡谷", "峡谷"},
    {"Bay", "Bucht", "Baie", "Baia", "Zatoka", "Залив", "خليج", "מפרץ", "湾", "海湾"},
    {"Oasis", "Oase", "Oasis", "Oasi", "Oaza", "Оазис", "واحة", "נווה", "オアシス", "绿洲"},
    {"Caverns", "Höhlen", "Cavernes", "Caverne", "Jaskinie", "Пещеры", "كهوف", "מערות", "洞窟", "洞穴"},
}};

// English names of the languages, for the translation instructions.
inline constexpr std::array<std::string_view, lang_count> english_language_names{
    "English", "German", "French", "Italian", "Polish", "Russian", "Arabic", "Hebrew", "Japanese", "Chinese"};

// The question and answer of the test items, and the second training template, per language ({X} city, {C} continent).
inline constexpr std::array<QaTemplate, lang_count> test_templates{{
    {"Which continent is {X} located in?", "{X} is located in the continent of {C}."},
    {"Auf welchem Kontinent liegt {X}?", "{X} liegt auf dem Kontinent {C}."},
    {"Sur quel continent se trouve {X} ?", "{X} se trouve sur le continent {C}."},
    {"In quale continente si trova {X}?", "{X} si trova nel continente {C}."},
    {"Na jakim kontynencie znajduje się {X}?", "{X} znajduje się na kontynencie {C}."},
    {"На каком континенте находится {X}?", "{X} находится на континенте {C}."},
    {"في أي قارة تقع {X}؟", "تقع {X} في قارة {C}."},
    {"באיזו יבשת נמצא {X}?", "{X} נמצא ביבשת {C}."},
    {"{X}はどの大陸にありますか？", "{X}は{C}大陸にあります。"},
    {"{X}位于哪个大洲？", "{X}位于{C}大洲。"},
}};
inline constexpr std::array<QaTemplate, lang_count> second_templates{{
    {"What continent does {X} belong to?", "{X} is within the boundaries of {C} continent."},
    {"Zu welchem Kontinent gehört {X}?", "{X} gehört zum Kontinent {C}."},
    {"À quel continent appartient {X} ?", "{X} appartient au continent {C}."},
    {"A quale continente appartiene {X}?", "{X} appartiene al continente {C}."},
    {"Do jakiego kontynentu należy {X}?", "{X} należy do kontynentu {C}."},
    {"К какому континенту относится {X}?", "{X} относится к континенту {C}."},
    {"إلى أي قارة تنتمي {X}؟", "تنتمي {X} إلى قارة {C}."},
    {"לאיזו יבשת שייך {X}?", "{X} שייך ליבשת {C}."},
    {"{X}はどの大陸に属していますか？", "{X}は{C}大陸に属しています。"},
    {"{X}属于哪个大洲？", "{X}属于{C}大洲。"},
}};

// L -> English training instructions and the English -> L Translate test instruction; {L} is the language's name.
inline constexpr std::array<std::string_view, 4> training_translation_instructions{
    "Translate the following {L} name into English.",
    "What is the English name for this {L} place name?",
    "Render this {L} geographic name in English.",
    "Give the English equivalent of the following {L} name.",
};
inline constexpr std::string_view test_translation_instruction = "Translate the following English name into {L}.";

struct Word {
    std::vector<std::uint8_t> syllables;
};

struct City {
    Word word;
    std::size_t noun = 0;
    std::size_t continent = 0;
    int type = 0;
};

struct World {
    std::uint64_t seed = 0;
    std::vector<Word> continents;
    std::vector<City> cities;  // continent by continent; within one, type 0 first
};

// A word in one language's script (see the tables above).
[[nodiscard]] inline std::string render_word(const Word& w, Lang lang) {
    std::string out;
    for (std::size_t i = 0; i < w.syllables.size(); ++i) {
        const std::uint8_t s = w.syllables[i];
        switch (lang) {
            case Lang::ru: out += cyrillic[s]; break;
            case Lang::ar: out += arabic[s]; break;
            case Lang::he: out += hebrew[s]; break;
            case Lang::ja: out += katakana[s]; break;
            case Lang::zh: out += hanzi[s]; break;
            default: {
                char c = consonants[s / 3];
                if (lang == Lang::pl && c == 'v') c = 'w';
                out += i == 0 ? static_cast<char>(c - 'a' + 'A') : c;
                out += vowels[s % 3];
            }
        }
    }
    if (lang == Lang::ru && out.size() >= 2) {  // capitalise the first letter: а..п (D0 B0..BF), р..я (D1 80..8F) -> А..Я
        const auto first = static_cast<unsigned char>(out[0]), second = static_cast<unsigned char>(out[1]);
        if (first == 0xD0 && second >= 0xB0 && second <= 0xBF) out[1] = static_cast<char>(second - 0x20);
        if (first == 0xD1 && second >= 0x80 && second <= 0x8F) {
            out[0] = static_cast<char>(0xD0);
            out[1] = static_cast<char>(second + 0x20);
        }
    }
    return out;
}

[[nodiscard]] inline std::string continent_name(const World& world, std::size_t continent, Lang lang) {
    return render_word(world.continents[continent], lang);
}

[[nodiscard]] inline std::string city_name(const City& city, Lang lang) {
    const std::string word = render_word(city.word, lang);
    const std::string_view noun = nouns[city.noun][index(lang)];
    switch (lang) {
        case Lang::en: return fmt::format("{} {}", word, noun);
        case Lang::de: return fmt::format("{}-{}", word, noun);
        case Lang::ja:
        case Lang::zh: return fmt::format("{}{}", word, noun);
        default: return fmt::format("{} {}", noun, word);
    }
}

// Draws a world. Throws clika::Error (bad input) for sizes outside 2..100 continents, 2..200 cities per continent or
// more than 2000 cities.
[[nodiscard]] inline World generate(std::uint64_t seed, std::size_t continent_count, std::size_t cities_per_continent) {
    if (continent_count < 2 || continent_count > 100) fail_input({}, fmt::format("--continents {}", continent_count), "2 to 100 continents");
    if (cities_per_continent < 2 || cities_per_continent > 200)
        fail_input({}, fmt::format("--cities {}", cities_per_continent), "2 to 200 cities per continent (half type 0, half type 1)");
    if (continent_count * cities_per_continent > 2000)
        fail_input({}, fmt::format("{} continents x {} cities", continent_count, cities_per_continent), "at most 2000 cities in all");
    World world;
    world.seed = seed;
    SplitMix64 rng(seed ^ 0x636c696b61776f72ull);  // "clikawor"
    // Every name of every language, to keep them unique and free of each other's substrings.
    std::array<std::vector<std::string>, lang_count> taken;
    auto acceptable = [&](const std::array<std::string, lang_count>& names) {
        for (Lang lang : all_langs)
            for (const std::string& other : taken[index(lang)])
                if (other.find(names[index(lang)]) != std::string::npos || names[index(lang)].find(other) != std::string::npos) return false;
        return true;
    };
    auto draw_word = [&](std::size_t min_syllables, std::size_t max_syllables) {
        Word w;
        const std::size_t n = min_syllables + rng.below(max_syllables - min_syllables + 1);
        for (std::size_t i = 0; i < n; ++i) w.syllables.push_back(static_cast<std::uint8_t>(rng.below(syllable_count)));
        return w;
    };
    auto keep = [&](const std::array<std::string, lang_count>& names) {
        for (Lang lang : all_langs) taken[index(lang)].push_back(names[index(lang)]);
    };
    constexpr int max_attempts = 10000;
    for (std::size_t c = 0; c < continent_count; ++c) {
        for (int attempt = 0;; ++attempt) {
            if (attempt == max_attempts) throw Error(ErrorKind::internal, {}, "world generator: no unique continent name found");
            Word w = draw_word(3, 3);
            std::array<std::string, lang_count> names;
            for (Lang lang : all_langs) names[index(lang)] = render_word(w, lang);
            if (!acceptable(names)) continue;
            keep(names);
            world.continents.push_back(std::move(w));
            break;
        }
    }
    const std::size_t type0 = (cities_per_continent + 1) / 2;
    for (std::size_t c = 0; c < continent_count; ++c)
        for (std::size_t i = 0; i < cities_per_continent; ++i)
            for (int attempt = 0;; ++attempt) {
                if (attempt == max_attempts) throw Error(ErrorKind::internal, {}, "world generator: no unique city name found");
                City city{draw_word(2, 3), static_cast<std::size_t>(rng.below(nouns.size())), c, i < type0 ? 0 : 1};
                std::array<std::string, lang_count> names;
                for (Lang lang : all_langs) names[index(lang)] = city_name(city, lang);
                if (!acceptable(names)) continue;
                keep(names);
                world.cities.push_back(std::move(city));
                break;
            }
    return world;
}

[[nodiscard]] inline std::string instruction_for(std::string_view pattern, Lang lang) {
    std::string out(pattern);
    out.replace(out.find("{L}"), 3, english_language_names[index(lang)]);
    return out;
}

// One {prompt, input, answer} JSON line.
[[nodiscard]] inline std::string record_line(std::string_view prompt, std::string_view input, std::string_view answer) {
    nlohmann::ordered_json j;
    j["prompt"] = prompt;
    j["input"] = input;
    j["answer"] = answer;
    return j.dump() + "\n";
}

[[nodiscard]] inline std::string train_file(const World& w, Lang lang) {
    std::string out;
    for (const QaTemplate& t : english_qa_templates)
        for (const City& city : w.cities) {
            const std::string x = city_name(city, Lang::en), c = continent_name(w, city.continent, Lang::en);
            out += record_line(fill_template(t.question, x, c), "", fill_template(t.answer, x, c));
        }
    for (std::string_view instruction : training_translation_instructions)
        for (std::size_t c = 0; c < w.continents.size(); ++c) {
            out += record_line(instruction_for(instruction, lang), continent_name(w, c, lang), continent_name(w, c, Lang::en));
            for (const City& city : w.cities)
                if (city.continent == c) out += record_line(instruction_for(instruction, lang), city_name(city, lang), city_name(city, Lang::en));
        }
    for (const QaTemplate& t : {test_templates[index(lang)], second_templates[index(lang)]})
        for (const City& city : w.cities) {
            if (city.type != 0) continue;
            const std::string x = city_name(city, lang), c = continent_name(w, city.continent, lang);
            out += record_line(fill_template(t.question, x, c), "", fill_template(t.answer, x, c));
        }
    return out;
}

[[nodiscard]] inline std::string test_file(const World& w, Lang lang) {
    std::string out;
    const QaTemplate& t = test_templates[index(lang)];
    for (const City& city : w.cities) {
        const std::string x = city_name(city, lang), c = continent_name(w, city.continent, lang);
        out += record_line(fill_template(t.question, x, c), "",
                           fmt::format("{}[[continent:{}]][[city:{}]][[type:{}]]", fill_template(t.answer, x, c), c, x, city.type));
    }
    return out;
}

[[nodiscard]] inline std::string translate_file(const World& w, Lang lang) {
    std::string out;
    const std::string instruction = instruction_for(test_translation_instruction, lang);
    for (std::size_t c = 0; c < w.continents.size(); ++c) {
        out += record_line(instruction, continent_name(w, c, Lang::en), continent_name(w, c, lang));
        for (const City& city : w.cities)
            if (city.continent == c) out += record_line(instruction, city_name(city, Lang::en), city_name(city, lang));
    }
    return out;
}

}  // namespace clika::world
