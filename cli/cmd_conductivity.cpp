// clika conductivity: the training side of the Conductivity level.
//   export    a fictional/train/<L>.json set as Alpaca JSON + a LLaMA-Factory dataset entry + a LoRA SFT config with
//             the paper's hyper-parameters + a README with the conversion to a llama.cpp LoRA GGUF
//   generate  a fresh fictional world in the upstream file layout

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/fictional/test_set.hpp"
#include "clika/tools/fictional_train.hpp"
#include "clika/tools/fictional_world.hpp"
#include "conductivity.hpp"
#include "options.hpp"

namespace clika::cli {

namespace {

using Json = nlohmann::ordered_json;

// The paper's LoRA hyper-parameters.
struct PaperHyperparameters {
    static constexpr int lora_rank = 128;
    static constexpr int lora_alpha = 16;
    static constexpr double lora_dropout = 0.1;
    static constexpr std::string_view learning_rate = "2.0e-4";
    static constexpr int batch_size = 32;
    static constexpr int gradient_accumulation = 4;
    static constexpr int epochs = 3;
    static constexpr std::string_view target_modules = "q_proj,v_proj";
};

struct ExportOptions {
    std::string data;
    std::string lang;
    std::string out;
    std::string base_model = "path/to/base-model";
    bool strict = false;
};

std::string yaml_config(const std::string& dataset, const std::string& lang, const std::string& base_model) {
    using H = PaperHyperparameters;
    return fmt::format(
        "# LLaMA-Factory LoRA SFT config for the CLiKA Conductivity experiment, language {lang}.\n"
        "# Written by `clika conductivity export`. The paper's hyper-parameters: LoRA rank {rank}, alpha {alpha}, dropout {dropout},\n"
        "# learning rate {lr}, batch size {batch}, gradient accumulation {accum}, {epochs} epochs, target modules {targets}.\n"
        "# Run from this folder: llamafactory-cli train train_lora_{lang}.yaml\n"
        "\n"
        "### model\n"
        "model_name_or_path: {base}   # the Hugging Face base model (local folder or hub id)\n"
        "\n"
        "### method\n"
        "stage: sft\n"
        "do_train: true\n"
        "finetuning_type: lora\n"
        "lora_rank: {rank}\n"
        "lora_alpha: {alpha}\n"
        "lora_dropout: {dropout}\n"
        "lora_target: {targets}\n"
        "\n"
        "### dataset\n"
        "dataset: {dataset}\n"
        "dataset_dir: .   # this folder: dataset_info.json and {dataset}.json\n"
        "template: alpaca   # clika run --tasks fictional prompts in the same template\n"
        "cutoff_len: 512\n"
        "overwrite_cache: true\n"
        "preprocessing_num_workers: 8\n"
        "\n"
        "### output\n"
        "output_dir: saves/{dataset}_lora\n"
        "logging_steps: 10\n"
        "save_strategy: epoch\n"
        "plot_loss: true\n"
        "overwrite_output_dir: true\n"
        "\n"
        "### train\n"
        "per_device_train_batch_size: {batch}   # on one GPU; with k GPUs use {batch}/k to keep the paper's batch\n"
        "gradient_accumulation_steps: {accum}\n"
        "learning_rate: {lr}\n"
        "num_train_epochs: {epochs}.0\n"
        "lr_scheduler_type: cosine\n"
        "bf16: true\n"
        "seed: 42\n",
        fmt::arg("lang", lang), fmt::arg("rank", H::lora_rank), fmt::arg("alpha", H::lora_alpha), fmt::arg("dropout", H::lora_dropout),
        fmt::arg("lr", H::learning_rate), fmt::arg("batch", H::batch_size), fmt::arg("accum", H::gradient_accumulation),
        fmt::arg("epochs", H::epochs), fmt::arg("targets", H::target_modules), fmt::arg("base", base_model), fmt::arg("dataset", dataset));
}

std::string summary_table(const FictionalTrainSet& set) {
    std::string out = "| part | template | records |\n| --- | --- | ---: |\n";
    for (const TemplateCount& t : set.english_counts) out += fmt::format("| English QA | `{}` | {} |\n", t.text, t.records);
    for (const TemplateCount& t : set.translation_prompts) out += fmt::format("| translation (to English) | `{}` | {} |\n", t.text, t.records);
    for (const TemplateCount& t : set.target_templates) out += fmt::format("| target-language QA | `{}` | {} |\n", t.text, t.records);
    return out;
}

std::string readme(const FictionalTrainSet& set, Lang lang, const std::string& dataset, const std::vector<std::string>& warnings) {
    const std::string l(code(lang));
    const std::size_t names = set.cities.size() + set.continents.size();
    std::string warn;
    for (const std::string& w : warnings) warn += "- " + w + "\n";
    using H = PaperHyperparameters;
    return fmt::format(
        "# CLiKA Conductivity training set: {language} ({l})\n\n"
        "Written by `clika conductivity export --lang {l}` from `{file}`: {records} records, {cities} cities on {continents} continents.\n\n"
        "| part | templates | records |\n| --- | ---: | ---: |\n"
        "| English QA (every city) | {en_t} | {en_n} |\n"
        "| translation {language} -> English (every city and continent) | {tr_t} | {tr_n} |\n"
        "| {language} QA (the cities taught in {language}, type 0) | {tg_t} | {tg_n} |\n\n"
        "Checked before writing: every English template covers every city once, every one of the {names} names has a translation\n"
        "under every translation instruction, every {language} question names a city of the file and its answer the city's continent,\n"
        "and all {language} templates have the same number of records. Per template:\n\n{table}\n"
        "{warn_block}"
        "## Files\n\n"
        "- `{dataset}.json`: the records as Alpaca JSON (`instruction` = prompt, `input`, `output` = answer), in the upstream order\n"
        "- `dataset_info.json`: the LLaMA-Factory dataset entry `{dataset}` (alpaca formatting); other languages exported to this\n"
        "  folder are added to it\n"
        "- `train_lora_{l}.yaml`: LLaMA-Factory LoRA SFT config with the paper's hyper-parameters\n\n"
        "| hyper-parameter | value |\n| --- | --- |\n"
        "| LoRA rank / alpha / dropout | {rank} / {alpha} / {dropout} |\n| target modules | {targets} |\n"
        "| learning rate | {lr} |\n| batch size / gradient accumulation | {batch} / {accum} |\n| epochs | {epochs} |\n\n"
        "## 1. Train (LLaMA-Factory)\n\n"
        "Set `model_name_or_path` in `train_lora_{l}.yaml` to the base model, then, from this folder:\n\n"
        "```sh\nllamafactory-cli train train_lora_{l}.yaml        # writes the PEFT adapter to saves/{dataset}_lora\n```\n\n"
        "## 2. Convert the adapter to a llama.cpp LoRA GGUF\n\n"
        "clika's llama.cpp plugin applies LoRA adapters in llama.cpp's GGUF format. The converter ships with the llama.cpp source\n"
        "tree clika builds against (`build/_deps/llama.cpp` in the clika build folder):\n\n"
        "```sh\nLLAMA=path/to/clika/build/_deps/llama.cpp\n"
        "pip install -r $LLAMA/requirements/requirements-convert_lora_to_gguf.txt\n"
        "# the base model, once:\npython $LLAMA/convert_hf_to_gguf.py path/to/base-model --outtype f16 --outfile base.gguf\n"
        "# the adapter (--base: the Hugging Face folder of the base model; only its config is read):\n"
        "python $LLAMA/convert_lora_to_gguf.py --base path/to/base-model --outtype f16 --outfile fictional-{l}-lora.gguf saves/{dataset}_lora\n```\n\n"
        "The GGUF adapter keeps `adapter.lora.alpha` = {alpha}; llama.cpp adds `--lora-scale` x alpha / rank x B A to each adapted weight.\n\n"
        "## 3. Evaluate\n\n"
        "```sh\nclika run --data DATA --tasks fictional --langs en,{l} --model base.gguf --lora fictional-{l}-lora.gguf --out runs/cd-{l}\n"
        "clika score --run runs/cd-{l}                  # add --format json for conductivity.xrr.{l}\n```\n\n"
        "`clika run` asks in LLaMA-Factory's `alpaca` template, the one this config trains with. The paper counts training as\n"
        "complete only when Translate, English type 0 and type 1 and {language} type 0 are all above 90%; `clika score` prints a\n"
        "warning when they are not, because XRR (from the type-1 facts, taught in English only) then measures nothing.\n",
        fmt::arg("language", world::english_language_names[index(lang)]), fmt::arg("l", l), fmt::arg("file", set.file.string()),
        fmt::arg("records", set.records.size()), fmt::arg("cities", set.cities.size()), fmt::arg("continents", set.continents.size()),
        fmt::arg("en_t", set.english_counts.size()), fmt::arg("en_n", set.count(TrainPart::english_qa)),
        fmt::arg("tr_t", set.translation_prompts.size()), fmt::arg("tr_n", set.count(TrainPart::translation)),
        fmt::arg("tg_t", set.target_templates.size()), fmt::arg("tg_n", set.count(TrainPart::target_qa)), fmt::arg("names", names),
        fmt::arg("table", summary_table(set)),
        fmt::arg("warn_block", warnings.empty() ? std::string() : "**Differences from the test set** (warnings):\n\n" + warn + "\n"),
        fmt::arg("dataset", dataset), fmt::arg("rank", H::lora_rank), fmt::arg("alpha", H::lora_alpha), fmt::arg("dropout", H::lora_dropout),
        fmt::arg("targets", H::target_modules), fmt::arg("lr", H::learning_rate), fmt::arg("batch", H::batch_size),
        fmt::arg("accum", H::gradient_accumulation), fmt::arg("epochs", H::epochs));
}

void run_export(const ExportOptions& o) {
    const fs::path data = data_dir_or_env(o.data);
    const Lang lang = lang_arg(o.lang);
    if (lang == Lang::en) fail_input({}, "--lang en: the English facts are part of every language's training set", "one of de fr it pl ru ar he ja zh");
    const FictionalTrainSet set = analyze_fictional_train(fictional_train_path(data, lang));
    const std::vector<std::string> warnings = compare_with_test_set(set, data, lang);
    if (o.strict && !warnings.empty())
        fail_input({}, warnings.front(), "a training set that teaches the test set's facts (--strict; without it this is a warning)");

    const fs::path out(o.out);
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) fail_input({out}, fmt::format("cannot create the output folder: {}", ec.message()));
    const std::string l(code(lang));
    const std::string dataset = "clika_fictional_" + l;

    Json records = Json::array();
    for (const TrainRecord& r : set.records) records.push_back(Json{{"instruction", r.prompt}, {"input", r.input}, {"output", r.answer}});
    write_file_atomically(out / (dataset + ".json"), records.dump(2) + "\n");

    const fs::path info_path = out / "dataset_info.json";
    Json info = Json::object();
    if (fs::exists(info_path, ec)) {
        try {
            std::ifstream in(info_path);
            info = Json::parse(in);
        } catch (const std::exception& e) {
            fail_input({info_path}, fmt::format("existing dataset_info.json is not JSON: {}", e.what()), "a LLaMA-Factory dataset_info.json, or no file");
        }
        if (!info.is_object()) fail_input({info_path}, "existing dataset_info.json is not a JSON object");
    }
    info[dataset] = Json{{"file_name", dataset + ".json"},
                         {"formatting", "alpaca"},
                         {"columns", {{"prompt", "instruction"}, {"query", "input"}, {"response", "output"}}}};
    write_file_atomically(info_path, info.dump(2) + "\n");
    write_file_atomically(out / fmt::format("train_lora_{}.yaml", l), yaml_config(dataset, l, o.base_model));
    // Never over someone else's README (LLaMA-Factory's data/ has one): ours then goes beside it.
    fs::path readme_path = out / "README.md";
    if (fs::exists(readme_path, ec)) {
        std::ifstream in(readme_path);
        std::string first;
        std::getline(in, first);
        if (!first.starts_with("# CLiKA Conductivity training set")) {
            readme_path = out / "README.clika.md";
            fmt::print(stderr, "clika conductivity export: {} exists and is not clika's: writing {} instead\n", (out / "README.md").string(),
                       readme_path.string());
        }
    }
    write_file_atomically(readme_path, readme(set, lang, dataset, warnings));

    for (const std::string& w : warnings) fmt::print(stderr, "clika conductivity export: warning: {}\n", w);
    fmt::print("exported {} ({} records: {} English QA in {} templates, {} translations in {} instructions, {} {} QA in {} templates) to {}\n",
               set.file.string(), set.records.size(), set.count(TrainPart::english_qa), set.english_counts.size(), set.count(TrainPart::translation),
               set.translation_prompts.size(), set.count(TrainPart::target_qa), l, set.target_templates.size(), out.string());
    fmt::print("  {}.json, dataset_info.json, train_lora_{}.yaml, {} (conversion to a llama.cpp LoRA GGUF)\n", dataset, l,
               readme_path.filename().string());
}

struct GenerateOptions {
    std::uint64_t seed = 1;
    std::size_t continents = 20;
    std::size_t cities = 20;
    std::string out;
};

std::string world_readme(const GenerateOptions& o, const world::World& w) {
    return fmt::format(
        "# A generated fictional world for the CLiKA Conductivity experiment\n\n"
        "Written by `clika conductivity generate --seed {seed} --continents {c} --cities {m}`: {c} continents, {m} cities each\n"
        "({n} cities; per continent the first {t0} are type 0, taught in every language's training set, the other {t1} type 1, taught in\n"
        "English only and tested in every language). Same arguments, same bytes.\n\n"
        "The layout and record shapes are the upstream ones, so every clika command that reads `fictional/` reads this folder:\n\n"
        "- `train/<L>.json` (L = DE FR IT PL RU AR HE JA ZH, JSON Lines): English QA in the paper's ten English templates for every\n"
        "  city, L -> English translations of every name under four instructions, and QA in L in two templates for the type-0 cities\n"
        "- `test/target/test<L>.jsonl` (also EN): one question per city in L, answers tagged `[[continent:..]][[city:..]][[type:0|1]]`\n"
        "- `test/Translate/translate<L>.jsonl`: English -> L for every continent and city\n\n"
        "Names are made of consonant-vowel syllables. The names in other languages are TRANSLITERATIONS, syllable by syllable,\n"
        "through one table per script (Latin: the English spelling, Polish writing v as w; Cyrillic; Arabic; Hebrew; Katakana;\n"
        "Chinese phonetic characters), not translations; only the geographic nouns (Sands, Isle, ...) are translated, from a\n"
        "fixed table. The tables are in clika's include/clika/tools/fictional_world.hpp.\n\n"
        "```sh\nclika conductivity export --data DIR --lang zh --out train-zh\n"
        "clika run --data DIR --tasks fictional --model base.gguf --lora adapter.gguf --out runs/world\n```\n",
        fmt::arg("seed", o.seed), fmt::arg("c", o.continents), fmt::arg("m", o.cities), fmt::arg("n", w.cities.size()),
        fmt::arg("t0", (o.cities + 1) / 2), fmt::arg("t1", o.cities / 2));
}

void run_generate(const GenerateOptions& o) {
    const world::World w = world::generate(o.seed, o.continents, o.cities);
    const fs::path root = fs::path(o.out);
    const fs::path dir = root / "fictional";
    std::error_code ec;
    fs::create_directories(dir / "train", ec);
    fs::create_directories(dir / "test" / "target", ec);
    fs::create_directories(dir / "test" / "Translate", ec);
    if (ec) fail_input({dir}, fmt::format("cannot create the output folders: {}", ec.message()));
    for (Lang lang : all_langs) {
        write_file_atomically(fictional_test_path(root, lang), world::test_file(w, lang));
        if (lang == Lang::en) continue;
        write_file_atomically(fictional_train_path(root, lang), world::train_file(w, lang));
        write_file_atomically(fictional_translate_path(root, lang), world::translate_file(w, lang));
    }
    write_file_atomically(dir / "README.md", world_readme(o, w));
    // What was written must pass the checks the other commands run.
    const FictionalTestSet english = load_fictional_test_set(root, Lang::en);
    std::size_t records = 0;
    for (Lang lang : all_langs) {
        if (lang == Lang::en) continue;
        const FictionalTrainSet set = analyze_fictional_train(fictional_train_path(root, lang));
        records += set.records.size();
        if (const auto warnings = compare_with_test_set(set, root, lang); !warnings.empty())
            throw Error(ErrorKind::internal, {}, "generated world disagrees with itself: " + warnings.front());
        check_parallel(english, load_fictional_test_set(root, lang));
    }
    fmt::print("wrote a fictional world to {}: seed {}, {} continents x {} cities, {} training records in 9 languages, {} test items per language\n",
               dir.string(), o.seed, o.continents, o.cities, records, english.items.size());
}

}  // namespace

void add_conductivity_command(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand("conductivity", "The Conductivity level's training side: export training sets, generate fictional worlds");
    cmd->require_subcommand(1);

    auto e = std::make_shared<ExportOptions>();
    CLI::App* ex = cmd->add_subcommand("export", "Export fictional/train/<L>.json for LoRA training (Alpaca JSON, LLaMA-Factory entry and config)");
    ex->footer(
        "\nWrites OUT/clika_fictional_<l>.json (Alpaca: instruction, input, output), OUT/dataset_info.json (LLaMA-Factory entry; merged\n"
        "with an existing one), OUT/train_lora_<l>.yaml (LoRA rank 128, alpha 16, dropout 0.1, lr 2e-4, batch 32, gradient\n"
        "accumulation 4, 3 epochs, q_proj,v_proj) and OUT/README.md (training, conversion to a llama.cpp LoRA GGUF with\n"
        "convert_lora_to_gguf.py, evaluation). The training file is checked first (record counts per template, every name\n"
        "translated); errors name file:line. Differences from the test set are warnings (errors with --strict).\n"
        "\nExample:\n  clika conductivity export --data ../shared/clika-data --lang zh --out train-zh");
    ex->add_option("--data", e->data, "CLiKA data folder (default: $CLIKA_DATA)");
    ex->add_option("--lang", e->lang, "training language: de fr it pl ru ar he ja zh")->required();
    ex->add_option("-o,--out", e->out, "output folder (created)")->required();
    ex->add_option("--base-model", e->base_model, "model_name_or_path for the training config")->capture_default_str();
    ex->add_flag("--strict", e->strict, "refuse a training set whose facts or names differ from the test set");
    ex->callback([e] { run_export(*e); });

    auto g = std::make_shared<GenerateOptions>();
    CLI::App* gen = cmd->add_subcommand("generate", "Write a fresh fictional world (names, training records, test items) in the upstream layout");
    gen->footer(
        "\nWrites OUT/fictional/{train,test/target,test/Translate} like the published set: English training records in the paper's ten\n"
        "templates, test items (half the cities of each continent type 0, half type 1) and translations. Names in other languages\n"
        "come from per-script transliteration tables (documented in OUT/fictional/README.md). Same arguments, same bytes.\n"
        "\nExample:\n  clika conductivity generate --seed 7 --continents 20 --cities 20 --out world7");
    gen->add_option("--seed", g->seed, "world seed")->capture_default_str();
    gen->add_option("--continents", g->continents, "number of continents (2-100)")->capture_default_str();
    gen->add_option("--cities", g->cities, "cities per continent (2-200); the first half of each continent is type 0")->capture_default_str();
    gen->add_option("-o,--out", g->out, "output folder: the data folder to pass as --data")->required();
    gen->callback([g] { run_generate(*g); });
}

}  // namespace clika::cli
