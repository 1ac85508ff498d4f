// Test fixture writer: the ONNX copy of a llama GGUF in the signature variants other exporters produce, so the onnx
// plugin's fallbacks are exercised on the same weights.
//   clika_onnx_export_variant GGUF ONNX [--no-past] [--no-position-ids] [--logits-to-keep]
#include <cstdio>
#include <cstring>
#include <exception>

#include "clika/tools/onnx_export.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s GGUF ONNX [--no-past] [--no-position-ids] [--logits-to-keep]\n", argv[0]);
        return 2;
    }
    clika::onnx::ExportOptions options;
    for (int i = 3; i < argc; ++i) {
        if (std::strcmp(argv[i], "--no-past") == 0) options.past_key_values = false;
        else if (std::strcmp(argv[i], "--no-position-ids") == 0) options.position_ids = false;
        else if (std::strcmp(argv[i], "--logits-to-keep") == 0) options.logits_to_keep = true;
        else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    try {
        const auto made = clika::onnx::export_llama_gguf(argv[1], argv[2], options);
        std::printf("wrote %s: %zu nodes, %llu bytes%s%s%s\n", argv[2], made.nodes, static_cast<unsigned long long>(made.file_bytes),
                    options.past_key_values ? "" : ", no past key/values", options.position_ids ? "" : ", no position_ids",
                    options.logits_to_keep ? ", num_logits_to_keep" : "");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    return 0;
}
