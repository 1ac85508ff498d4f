// clika lora: random LoRA adapters in llama.cpp's GGUF format (for tests) and merging an adapter into its base model,
// plus the --lora-out options of `clika make-model` that do both for the model it writes.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clika/tools/lora.hpp"
#include "conductivity.hpp"

namespace clika::cli {

namespace {

struct RandomOptions {
    std::string base;
    std::string out;
    std::string type = "f32";
    lora::RandomLoraSpec spec;
};

struct MergeOptions {
    std::string base;
    std::string adapter;
    std::string out;
    float scale = 1.0f;
};

struct MakeModelLora {
    std::string out;
    std::string merged_out;
    float merge_scale = 1.0f;
    lora::RandomLoraSpec spec;
};

MakeModelLora& make_model_lora() {
    static MakeModelLora options;
    return options;
}

void print_adapter(const lora::MadeAdapter& made, const lora::RandomLoraSpec& spec) {
    std::string targets;
    for (const std::string& t : spec.targets) targets += (targets.empty() ? "" : ",") + t;
    std::fputs(fmt::format("wrote {}: LoRA adapter, {} tensor pairs ({}), rank {}, alpha {}, seed {}, {} parameters\n", made.path.string(), made.pairs,
                           targets, spec.rank, spec.alpha, spec.seed, made.parameters)
                   .c_str(),
               stdout);
}

void add_spec_options(CLI::App& cmd, lora::RandomLoraSpec& spec, const std::string& prefix) {
    cmd.add_option("--" + prefix + "rank", spec.rank, "LoRA rank")->capture_default_str();
    cmd.add_option("--" + prefix + "alpha", spec.alpha, "adapter.lora.alpha (llama.cpp scales B A by lora-scale x alpha / rank)")->capture_default_str();
    cmd.add_option("--" + prefix + "seed", spec.seed, "seed of the random A and B")->capture_default_str();
    cmd.add_option("--" + prefix + "targets", spec.targets, "adapted tensors, by llama.cpp name (attn_q = q_proj, attn_v = v_proj)")
        ->delimiter(',')
        ->capture_default_str();
}

}  // namespace

void add_make_model_lora_options(CLI::App& cmd) {
    MakeModelLora& o = make_model_lora();
    CLI::Option* out = cmd.add_option("--lora-out", o.out, "also write a random LoRA adapter for the model (llama.cpp GGUF, F32)");
    add_spec_options(cmd, o.spec, "lora-");
    cmd.add_option("--merged-out", o.merged_out, "also write the model with that adapter merged in: W + scale x alpha/rank x B A")->needs(out);
    cmd.add_option("--merge-scale", o.merge_scale, "the LoRA scale the merged model stands for (clika run --lora-scale)")->capture_default_str();
}

void write_make_model_lora(const std::filesystem::path& base_model) {
    MakeModelLora& o = make_model_lora();
    if (o.out.empty()) return;
    const lora::MadeAdapter made = lora::make_random_lora(base_model, o.out, o.spec);
    print_adapter(made, o.spec);
    if (o.merged_out.empty()) return;
    const std::size_t merged = lora::merge_lora(base_model, o.out, o.merged_out, o.merge_scale);
    std::fputs(fmt::format("wrote {}: {} with {} merged ({} tensors, scale {})\n", o.merged_out, base_model.filename().string(),
                           std::filesystem::path(o.out).filename().string(), merged, o.merge_scale)
                   .c_str(),
               stdout);
}

void add_lora_command(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand("lora", "LoRA adapters in llama.cpp's GGUF format: random ones for tests, merging into a base model");
    cmd->require_subcommand(1);
    cmd->footer(
        "\nAn adapter holds blk.N.<tensor>.weight.lora_a {n_in, rank} and .lora_b {rank, n_out} with adapter.lora.alpha; llama.cpp\n"
        "computes W x + lora_scale x alpha / rank x B (A x). `merge` writes W + scale x alpha / rank x B A, so that a run with\n"
        "--lora ADAPTER --lora-scale S equals a run on the merged model (up to float rounding).\n"
        "\nExamples:\n"
        "  clika make-model --out base.gguf --type f32 --lora-out adapter.gguf --merged-out merged.gguf\n"
        "  clika lora random --base base.gguf --out adapter.gguf --rank 16 --seed 3\n"
        "  clika lora merge --base base.gguf --lora adapter.gguf --scale 0.5 --out merged.gguf");

    auto r = std::make_shared<RandomOptions>();
    CLI::App* random = cmd->add_subcommand("random", "Write a random LoRA adapter for a GGUF base model (A ~ N(0, 1/n_in), B ~ N(0, 1/rank))");
    random->add_option("--base", r->base, "the base model (GGUF)")->required();
    random->add_option("-o,--out", r->out, "the adapter to write")->required();
    add_spec_options(*random, r->spec, "");
    random->add_option("--type", r->type, "storage type of A and B")->check(CLI::IsMember({"f32", "f16"}))->capture_default_str();
    random->callback([r] {
        r->spec.type = r->type == "f16" ? gguf::TensorType::f16 : gguf::TensorType::f32;
        print_adapter(lora::make_random_lora(r->base, r->out, r->spec), r->spec);
    });

    auto m = std::make_shared<MergeOptions>();
    CLI::App* merge = cmd->add_subcommand("merge", "Merge a LoRA adapter into its base model: W + scale x alpha/rank x B A");
    merge->add_option("--base", m->base, "the base model (GGUF, f32/f16/bf16 weights where adapted)")->required();
    merge->add_option("--lora", m->adapter, "the adapter (llama.cpp LoRA GGUF)")->required();
    merge->add_option("--scale", m->scale, "LoRA scale (as clika run --lora-scale)")->capture_default_str();
    merge->add_option("-o,--out", m->out, "the merged model to write")->required();
    merge->callback([m] {
        const std::size_t merged = lora::merge_lora(m->base, m->adapter, m->out, m->scale);
        std::fputs(fmt::format("wrote {}: {} tensors merged, scale {}\n", m->out, merged, m->scale).c_str(), stdout);
    });
}

}  // namespace clika::cli
