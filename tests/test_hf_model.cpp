// Hugging Face models given where clika wants a GGUF file, and the folder checks of `clika convert`.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "clika/hf_model.hpp"
#include "clika/tools/hf_source.hpp"

namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("clika_hf_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::binary) << text; }

// A safetensors file that is only its header (the tensors' data is never read).
void write_safetensors(const fs::path& file, const nlohmann::json& header) {
    const std::string text = header.dump();
    std::string out;
    for (int i = 0; i < 8; ++i) out += static_cast<char>((static_cast<std::uint64_t>(text.size()) >> (8 * i)) & 0xff);
    write(file, out + text + std::string(16, '\0'));
}

std::string refusal(const fs::path& model) {
    try {
        clika::refuse_unconverted_model(model);
    } catch (const clika::Error& e) {
        CHECK(e.kind() == clika::ErrorKind::bad_input);
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("a hub id is owner/name and never a path that exists or a GGUF file") {
    CHECK(clika::looks_like_hub_id("meta-llama/Llama-2-7b-hf"));
    CHECK(clika::looks_like_hub_id("Qwen/Qwen2.5-0.5B"));
    CHECK_FALSE(clika::looks_like_hub_id("models/tiny.gguf"));
    CHECK_FALSE(clika::looks_like_hub_id("./model"));
    CHECK_FALSE(clika::looks_like_hub_id("/abs/path"));
    CHECK_FALSE(clika::looks_like_hub_id("a/b/c"));
    CHECK_FALSE(clika::looks_like_hub_id("tiny"));
}

TEST_CASE("the convert command names the folder and a GGUF file beside it") {
    CHECK(clika::convert_command("my-model") == "clika convert my-model --out my-model.gguf");
    CHECK(clika::convert_command("models/my-model/") == "clika convert models/my-model --out models/my-model.gguf");
    CHECK(clika::convert_command(".") == "clika convert . --out model.gguf");
}

TEST_CASE("a Hugging Face folder, a safetensors file or a hub id as the model is refused with the convert command") {
    const fs::path dir = fresh_dir("refuse");
    const fs::path model = dir / "m";
    fs::create_directories(model);
    write(model / "config.json", R"({"architectures": ["LlamaForCausalLM"]})");
    write_safetensors(model / "model.safetensors", {{"w", {{"dtype", "F32"}, {"shape", {2, 2}}, {"data_offsets", {0, 16}}}}});
    CHECK_THAT(refusal(model), Catch::Contains("is a Hugging Face model folder") && Catch::Contains("`clika convert " + model.string()));
    CHECK_THAT(refusal(model / "model.safetensors"), Catch::Contains("is a safetensors weights file") && Catch::Contains("`clika convert " + model.string()));
    fs::copy_file(model / "model.safetensors", dir / "renamed.bin");
    CHECK_THAT(refusal(dir / "renamed.bin"), Catch::Contains("is a safetensors weights file"));
    CHECK_THAT(refusal("meta-llama/Llama-2-7b-hf"), Catch::Contains("hub id") && Catch::Contains("clika convert Llama-2-7b-hf"));
    // Not a Hugging Face model: left to the plugin (and an ordinary folder to the "is a directory" message).
    write(dir / "tiny.gguf", "GGUF....");
    CHECK(refusal(dir / "tiny.gguf").empty());
    fs::create_directories(dir / "plain");
    CHECK(refusal(dir / "plain").empty());
    fs::remove_all(dir);
}

TEST_CASE("convert reads the architecture and counts parameters from the safetensors headers") {
    const fs::path dir = fresh_dir("inspect");
    write(dir / "config.json", R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama"})");
    write(dir / "tokenizer.model", "x");
    write_safetensors(dir / "model-00001-of-00002.safetensors",
                      {{"__metadata__", {{"format", "pt"}}}, {"a", {{"dtype", "F32"}, {"shape", {3, 4}}, {"data_offsets", {0, 48}}}}});
    write_safetensors(dir / "model-00002-of-00002.safetensors", {{"b", {{"dtype", "BF16"}, {"shape", {5}}, {"data_offsets", {0, 10}}}}});
    write_safetensors(dir / "adapter_model.safetensors", {{"c", {{"dtype", "F32"}, {"shape", {1000}}, {"data_offsets", {0, 4000}}}}});
    const clika::tools::HfSource source = clika::tools::inspect_hf_folder(dir);
    CHECK(source.architecture == "LlamaForCausalLM");
    CHECK(source.weights.size() == 2);  // model*.safetensors only, as the converter reads them
    CHECK(source.parameters == 17);
    CHECK(clika::tools::estimated_gguf_bytes(source, "f32") > clika::tools::estimated_gguf_bytes(source, "f16"));
    fs::remove_all(dir);
}

TEST_CASE("a multimodal config's text architecture is the one converted") {
    const fs::path dir = fresh_dir("text_config");
    write(dir / "config.json", R"({"architectures": ["LlavaForConditionalGeneration"], "text_config": {"architectures": ["LlamaForCausalLM"]}})");
    write(dir / "tokenizer.json", "{}");
    write_safetensors(dir / "model.safetensors", {{"a", {{"dtype", "F32"}, {"shape", {1}}, {"data_offsets", {0, 4}}}}});
    CHECK(clika::tools::inspect_hf_folder(dir).architecture == "LlamaForCausalLM");
    fs::remove_all(dir);
}

TEST_CASE("a truncated safetensors header is refused naming the file") {
    const fs::path dir = fresh_dir("truncated");
    write(dir / "model.safetensors", std::string("\xff\xff\x00\x00\x00\x00\x00\x00{", 9));
    CHECK_THROWS_WITH(clika::tools::safetensors_parameters(dir / "model.safetensors"),
                      Catch::Contains("model.safetensors") && Catch::Contains("does not fit the file"));
    fs::remove_all(dir);
}

#ifdef CLIKA_TEST_VOCAB_DIR
TEST_CASE("the converter's architectures are read from the pinned llama.cpp tree") {
    const fs::path tree = fs::path(CLIKA_TEST_VOCAB_DIR).parent_path();
    if (!fs::exists(tree / "conversion" / "__init__.py")) {
        WARN("no llama.cpp tree with conversion/ at " + tree.string());
        return;
    }
    const auto known = clika::tools::converter_architectures(tree);
    CHECK(known.contains("LlamaForCausalLM"));
    CHECK(known.contains("Qwen2ForCausalLM"));
    CHECK_FALSE(known.contains("FooBarForCausalLM"));
    CHECK(known.size() > 100);
}
#endif
