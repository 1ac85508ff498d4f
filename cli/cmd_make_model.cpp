// clika make-model: a LLaMA-architecture GGUF test model with deterministic random weights and a real tokenizer.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <memory>
#include <string>
#include <system_error>

#define BOOST_DLL_USE_STD_FS 1
#include <boost/dll/runtime_symbol_info.hpp>
#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/tools/model_maker.hpp"
#include "clika/tools/onnx_export.hpp"
#include "commands.hpp"
#include "conductivity.hpp"
#include "ranges.hpp"

#ifndef CLIKA_LLAMA_VOCAB_DIR
#define CLIKA_LLAMA_VOCAB_DIR ""
#endif

namespace clika::cli {

namespace {

// llama-spm: LLaMA's own 32k SentencePiece vocab (what LLaMA-13B of the paper uses), 0.7 MB; byte fallback covers
// every script of the ten languages with exact round trips.
constexpr const char* default_vocab_name = "llama-spm";

struct MakeModelOptions {
    std::string out;
    std::uint64_t seed = 42;
    std::string vocab;
    std::string vocab_name;
    std::string type = "f16";
    bool untied = false;
    bool onnx = false;  // also write the ONNX copy (same stem, .onnx) for the onnx plugin
    std::string poison;  // tests: "nan" or "inf" as every output_norm weight
    model::ModelShape shape = model::default_test_shape();
};

std::filesystem::path vocab_dir() {
    if (const char* env = std::getenv("CLIKA_VOCAB_DIR"); env != nullptr && *env != '\0') return env;
    // An installed clika (the wheel, cmake/ClikaWheel.cmake) carries its vocab files beside it, away from the build tree.
    std::error_code ec;
    const std::filesystem::path exe = boost::dll::program_location(ec);
    if (!ec) {
        const std::filesystem::path installed = (exe.parent_path() / ".." / "share" / "clika" / "vocab").lexically_normal();
        if (std::filesystem::is_directory(installed, ec)) return installed;
    }
    return CLIKA_LLAMA_VOCAB_DIR;
}

std::filesystem::path resolve_vocab(const MakeModelOptions& o) {
    if (!o.vocab.empty()) {
        if (!std::filesystem::is_regular_file(o.vocab)) fail_input({o.vocab, 0, {}}, "vocab file not found (--vocab)", "a GGUF file with tokenizer.* keys");
        return o.vocab;
    }
    const std::string name = o.vocab_name.empty() ? default_vocab_name : o.vocab_name;
    const std::filesystem::path dir = vocab_dir();
    if (dir.empty())
        fail_input({}, fmt::format("no vocab directory to find \"{}\" in", name),
                   "--vocab FILE, or CLIKA_VOCAB_DIR set to llama.cpp's models/ folder");
    const std::filesystem::path file = dir / fmt::format("ggml-vocab-{}.gguf", name);
    if (!std::filesystem::is_regular_file(file)) {
        fail_input({file, 0, {}}, fmt::format("vocab \"{}\" not found", name),
                   "llama.cpp's models/ggml-vocab-NAME.gguf: set CLIKA_VOCAB_DIR to llama.cpp's models/ folder or pass --vocab FILE");
    }
    return file;
}

void run_make_model(MakeModelOptions o) {
    o.shape.tie_embeddings = !o.untied;
    const auto type = o.type == "f32" ? model::WeightType::f32 : model::WeightType::f16;
    const std::filesystem::path vocab = resolve_vocab(o);
    if (o.onnx && std::filesystem::path(o.out).extension() == ".onnx") fail_input({o.out}, "--out names the GGUF file", "a .gguf name with --onnx");
    std::optional<float> poison;
    if (!o.poison.empty()) poison = o.poison == "nan" ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
    const model::MadeModel made = model::make_model(vocab, o.out, o.shape, o.seed, type, poison);
    const model::ModelShape& s = o.shape;
    std::fprintf(stdout, "%s",
                 fmt::format("wrote {}: llama, {} layers, dim {}, {} heads ({} kv), ff {}, context {}, vocab {} ({} {}), "
                             "{:.2f}M parameters, {}, seed {}, {:.1f} MB in {:.2f} s\n",
                             made.path.string(), s.layers, s.dim, s.heads, s.kv_heads, s.ff, s.context, made.vocab_size,
                             vocab.filename().string(), made.tokenizer, static_cast<double>(made.parameters) / 1e6,
                             model::weight_type_name(type), o.seed, static_cast<double>(made.file_bytes) / 1e6, made.seconds)
                     .c_str());
    if (o.onnx) {
        const std::filesystem::path onnx_path = std::filesystem::path(o.out).replace_extension(".onnx");
        const onnx::ExportedModel exported = onnx::export_llama_gguf(o.out, onnx_path);
        std::fprintf(stdout, "%s", fmt::format("wrote {}: the same weights as ONNX (opset 17, {} nodes, {:.1f} MB); its tokenizer is {}\n",
                                               onnx_path.string(), exported.nodes, static_cast<double>(exported.file_bytes) / 1e6,
                                               std::filesystem::path(o.out).filename().string()).c_str());
    }
    write_make_model_lora(made.path);  // --lora-out / --merged-out (cli/cmd_lora.cpp)
}

}  // namespace

void add_make_model_command(CLI::App& app) {
    auto o = std::make_shared<MakeModelOptions>();
    CLI::App* cmd = app.add_subcommand("make-model", "Write a LLaMA-architecture GGUF test model: deterministic random weights, a real tokenizer");
    cmd->footer(
        "\nThe default model (2 layers, dim 64, 4 heads with 2 KV heads, ff 128, context 2048, tied embeddings, f16,\n"
        "llama-spm 32k vocab) has 2.1M parameters, is about 5 MB and answers a CLiKA question in milliseconds.\n"
        "The ~134M benchmark shape: --layers 12 --dim 768 --heads 12 --kv-heads 12 --ff 2048 --untied (269 MB as f16, ~3 s).\n"
        "\n"
        "The tokenizer (every tokenizer.* key, verbatim) comes from one of llama.cpp's vocab-only files,\n"
        "models/ggml-vocab-NAME.gguf, looked up in $CLIKA_VOCAB_DIR, else in <exe>/../share/clika/vocab (an installed clika),\n"
        "else in the llama.cpp models/ folder this clika was built with" +
        std::string(*CLIKA_LLAMA_VOCAB_DIR != '\0' ? std::string(" (") + CLIKA_LLAMA_VOCAB_DIR + ")" : std::string()) +
        ". llama-spm (LLaMA's 32k SentencePiece, byte fallback)\n"
        "covers en de fr it pl ru ar he ja zh; qwen2 (152k) covers them natively but makes a ~25 MB default model.\n"
        "\n"
        "Weights depend only on the seed, the shape and the tensor name (SplitMix64, Irwin-Hall(4) ~ N(0, 1/fan_in), norms 1;\n"
        "the generator is specified in include/clika/tools/model_maker.hpp): the same arguments give a byte-identical file.\n"
        "\nExamples:\n"
        "  clika make-model --out tiny.gguf\n"
        "  clika make-model --out qwen.gguf --vocab-name qwen2 --seed 7 --type f32\n"
        "  clika make-model --out bench.gguf --layers 12 --dim 768 --heads 12 --kv-heads 12 --ff 2048 --untied");
    cmd->add_option("-o,--out", o->out, "the GGUF file to write")->required();
    cmd->add_option("--seed", o->seed, "weight seed")->check(count_up_to(any_count))->capture_default_str();
    auto* vocab = cmd->add_option("--vocab", o->vocab, "vocab-only GGUF file to take the tokenizer from");
    cmd->add_option("--vocab-name", o->vocab_name, fmt::format("NAME of llama.cpp's models/ggml-vocab-NAME.gguf (default: {}; e.g. qwen2, llama-bpe, phi-3)", default_vocab_name))
        ->excludes(vocab);
    cmd->add_option("--layers", o->shape.layers, "transformer blocks")->capture_default_str();
    cmd->add_option("--dim", o->shape.dim, "embedding width")->capture_default_str();
    cmd->add_option("--heads", o->shape.heads, "attention heads (dim must be a multiple; head_dim = dim / heads, even)")->capture_default_str();
    cmd->add_option("--kv-heads", o->shape.kv_heads, "key/value heads (GQA; must divide heads)")->capture_default_str();
    cmd->add_option("--ff", o->shape.ff, "feed-forward width")->capture_default_str();
    cmd->add_option("--context", o->shape.context, "training context length written to the file")->capture_default_str();
    cmd->add_option("--rope-base", o->shape.rope_base, "RoPE frequency base")->capture_default_str();
    cmd->add_option("--rms-eps", o->shape.rms_eps, "RMSNorm epsilon")->capture_default_str();
    cmd->add_flag("--untied", o->untied, "write a separate output.weight instead of reusing token_embd");
    cmd->add_flag("--onnx", o->onnx, "also write the same model as ONNX beside --out (OUT with .onnx; for the onnx plugin, which tokenizes with OUT)");
    cmd->add_option("--poison-weights", o->poison, "tests: every output_norm weight is nan or inf (a model that computes no numbers)")
        ->check(CLI::IsMember({"nan", "inf"}))
        ->group("");  // hidden: a model for tests of broken backends only
    cmd->add_option("--type", o->type, "weight storage type (norms are always f32)")->check(CLI::IsMember({"f32", "f16"}))->capture_default_str();
    add_make_model_lora_options(*cmd);
    cmd->callback([o] { run_make_model(*o); });
}

}  // namespace clika::cli
