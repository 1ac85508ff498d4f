// Read bandwidth of the fused log-probability kernel against a device-to-device cudaMemcpy of the same bytes, in the
// same run (CUDA events, median of repetitions). For vocab 32k and 128k, BF16 and FP32 logits, 5 targets per row.
//
//   bench_logprob [--json FILE] [--repetitions N]
//
// kernel rate = logits bytes / kernel time (each logit is read once; targets and outputs are negligible)
// copy rate   = 2 x bytes / copy time (read + write), the yardstick; goal: kernel rate >= 80% of it.
// Exits 77 without a CUDA device.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include "cuda_ops.hpp"
#include "logprob_kernel.cuh"
#include "logprob_reference.hpp"

using namespace clika::cuda_native;

namespace {

void cuda(cudaError_t rc, const char* what) {
    if (rc != cudaSuccess) {
        std::fprintf(stderr, "CUDA error in %s: %s\n", what, cudaGetErrorString(rc));
        std::exit(1);
    }
}

struct Case {
    int vocab;
    LogitType type;
    int rows;
};

template <class F>
double median_ms(int repetitions, F&& f) {
    cudaEvent_t start, stop;
    cuda(cudaEventCreate(&start), "event");
    cuda(cudaEventCreate(&stop), "event");
    for (int i = 0; i < 3; ++i) f();  // warm-up
    cuda(cudaDeviceSynchronize(), "warm-up");
    std::vector<double> ms;
    for (int i = 0; i < repetitions; ++i) {
        cuda(cudaEventRecord(start), "record");
        f();
        cuda(cudaEventRecord(stop), "record");
        cuda(cudaEventSynchronize(stop), "sync");
        float t = 0;
        cuda(cudaEventElapsedTime(&t, start, stop), "elapsed");
        ms.push_back(t);
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    std::string json_path;
    int repetitions = 30;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--json" && i + 1 < argc) json_path = argv[++i];
        else if (a == "--repetitions" && i + 1 < argc) repetitions = std::max(1, std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: bench_logprob [--json FILE] [--repetitions N]\n");
            return 2;
        }
    }
    if (const std::string reason = cuda_unavailable_reason(); !reason.empty()) {
        std::printf("SKIP: %s\n", reason.c_str());
        return 77;
    }
    cudaDeviceProp prop{};
    cuda(cudaGetDeviceProperties(&prop, 0), "properties");

    // The shape [4096 x 32000] BF16, the same bytes for 128k, and a letter-mode-like batch of few rows.
    const std::vector<Case> cases = {
        {32000, LogitType::bf16, 4096}, {32000, LogitType::f32, 4096}, {128256, LogitType::bf16, 1024},
        {128256, LogitType::f32, 1024}, {32000, LogitType::bf16, 128},  {128256, LogitType::bf16, 128},
    };
    std::size_t max_bytes = 0;
    for (const Case& c : cases) max_bytes = std::max(max_bytes, static_cast<std::size_t>(c.rows) * c.vocab * logit_bytes(c.type));

    // Random logits N(0, 3): one FP32 and one BF16 buffer, and a destination for the copies.
    std::size_t max_f32 = 0, max_bf16 = 0;
    for (const Case& c : cases) {
        const std::size_t b = static_cast<std::size_t>(c.rows) * c.vocab * logit_bytes(c.type);
        (c.type == LogitType::f32 ? max_f32 : max_bf16) = std::max(c.type == LogitType::f32 ? max_f32 : max_bf16, b);
    }
    std::mt19937_64 rng(1);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    std::vector<float> host_f32(max_f32 / 4);
    for (float& v : host_f32) v = normal(rng);
    std::vector<std::uint16_t> host_bf16(max_bf16 / 2);
    for (std::uint16_t& v : host_bf16) v = clika::half::f32_to_bf16(normal(rng));
    void *f32 = nullptr, *bf16 = nullptr, *dst = nullptr;
    cuda(cudaMalloc(&f32, max_f32), "malloc");
    cuda(cudaMalloc(&bf16, max_bf16), "malloc");
    cuda(cudaMalloc(&dst, max_bytes), "malloc");
    cuda(cudaMemcpy(f32, host_f32.data(), max_f32, cudaMemcpyHostToDevice), "upload");
    cuda(cudaMemcpy(bf16, host_bf16.data(), max_bf16, cudaMemcpyHostToDevice), "upload");

    std::string json = "{\n  \"device\": \"" + std::string(prop.name) + "\",\n  \"multiprocessors\": " + std::to_string(prop.multiProcessorCount) +
                       ",\n  \"repetitions\": " + std::to_string(repetitions) + ",\n  \"results\": [\n";
    std::printf("device: %s (%d SMs), median of %d\n", prop.name, prop.multiProcessorCount, repetitions);
    std::printf("%-8s %-5s %6s %9s %10s %14s %16s %7s %6s\n", "vocab", "type", "rows", "MB", "kernel ms", "kernel GB/s", "copy GB/s (r+w)", "ratio", "splits");
    bool first = true;
    for (const Case& c : cases) {
        const std::size_t bytes = static_cast<std::size_t>(c.rows) * c.vocab * logit_bytes(c.type);
        const void* logits = c.type == LogitType::f32 ? f32 : bf16;
        std::vector<std::int32_t> offsets{0}, targets;
        for (int r = 0; r < c.rows; ++r) {
            for (int k = 0; k < 5; ++k) targets.push_back(static_cast<std::int32_t>((r * 7919 + k * 104729) % c.vocab));
            offsets.push_back(static_cast<std::int32_t>(targets.size()));
        }
        std::int32_t *d_offsets = nullptr, *d_targets = nullptr, *d_argmax = nullptr;
        float* d_out = nullptr;
        cuda(cudaMalloc(reinterpret_cast<void**>(&d_offsets), offsets.size() * 4), "malloc");
        cuda(cudaMalloc(reinterpret_cast<void**>(&d_targets), targets.size() * 4), "malloc");
        cuda(cudaMalloc(reinterpret_cast<void**>(&d_argmax), static_cast<std::size_t>(c.rows) * 4), "malloc");
        cuda(cudaMalloc(reinterpret_cast<void**>(&d_out), targets.size() * 4), "malloc");
        cuda(cudaMemcpy(d_offsets, offsets.data(), offsets.size() * 4, cudaMemcpyHostToDevice), "upload");
        cuda(cudaMemcpy(d_targets, targets.data(), targets.size() * 4, cudaMemcpyHostToDevice), "upload");
        const int splits = logprob_splits(c.rows, c.vocab, c.type, prop.multiProcessorCount);
        void* workspace = nullptr;
        if (const std::size_t w = logprob_workspace_bytes(c.rows, splits); w > 0) cuda(cudaMalloc(&workspace, w), "malloc");
        LogprobArgs a;
        a.logits = logits;
        a.type = c.type;
        a.rows = c.rows;
        a.vocab = c.vocab;
        a.ld = c.vocab;
        a.target_offsets = d_offsets;
        a.targets = d_targets;
        a.target_logprob = d_out;
        a.row_argmax = d_argmax;

        const double kernel_ms = median_ms(repetitions, [&] { cuda(launch_logprob(a, splits, workspace, nullptr), "launch"); });
        const double copy_ms = median_ms(repetitions, [&] { cuda(cudaMemcpyAsync(dst, logits, bytes, cudaMemcpyDeviceToDevice), "copy"); });
        const double kernel_gbps = static_cast<double>(bytes) / (kernel_ms * 1e6);
        const double copy_gbps = 2.0 * static_cast<double>(bytes) / (copy_ms * 1e6);
        const char* tn = c.type == LogitType::f32 ? "fp32" : "bf16";
        std::printf("%-8d %-5s %6d %9.1f %10.4f %14.1f %16.1f %6.1f%% %6d\n", c.vocab, tn, c.rows, static_cast<double>(bytes) / 1e6, kernel_ms,
                    kernel_gbps, copy_gbps, 100.0 * kernel_gbps / copy_gbps, splits);
        char line[512];
        std::snprintf(line, sizeof line,
                      "    {\"vocab\": %d, \"type\": \"%s\", \"rows\": %d, \"bytes\": %zu, \"splits\": %d, \"kernel_ms\": %.5f, "
                      "\"kernel_read_GBps\": %.1f, \"copy_ms\": %.5f, \"copy_read_write_GBps\": %.1f, \"ratio\": %.4f}",
                      c.vocab, tn, c.rows, bytes, splits, kernel_ms, kernel_gbps, copy_ms, copy_gbps, kernel_gbps / copy_gbps);
        json += (first ? "" : ",\n") + std::string(line);
        first = false;
        cudaFree(d_offsets);
        cudaFree(d_targets);
        cudaFree(d_argmax);
        cudaFree(d_out);
        if (workspace != nullptr) cudaFree(workspace);
    }
    json += "\n  ]\n}\n";
    cudaFree(f32);
    cudaFree(bf16);
    cudaFree(dst);
    if (!json_path.empty()) {
        std::FILE* f = std::fopen(json_path.c_str(), "wb");
        if (f == nullptr) {
            std::fprintf(stderr, "cannot write %s\n", json_path.c_str());
            return 2;
        }
        std::fwrite(json.data(), 1, json.size(), f);
        std::fclose(f);
    }
    return 0;
}
