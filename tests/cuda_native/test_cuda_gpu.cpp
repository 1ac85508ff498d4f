// GPU checks of cuda_native: the fused log-probability kernel against the CPU reference (max abs error <= 1e-5 for FP32
// logits, <= 1e-2 relative for BF16/FP16), and every CudaOps operation against its CpuOps twin on random data.
// Without a usable CUDA device each test prints why and exits 77, which CTest reports as skipped (SKIP_RETURN_CODE):
// Catch2 2.13 has no SKIP.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <cuda_runtime_api.h>

#include "cuda_ops.hpp"
#include "logprob_kernel.cuh"
#include "logprob_reference.hpp"
#include "ops.hpp"

using namespace clika::cuda_native;

namespace {

void skip_without_gpu() {
    if (const std::string reason = cuda_unavailable_reason(); !reason.empty()) {
        std::printf("SKIP: %s\n", reason.c_str());
        std::fflush(stdout);
        std::exit(77);
    }
}

void cuda(cudaError_t rc, const char* what) {
    if (rc != cudaSuccess) FAIL("CUDA error in " << what << ": " << cudaGetErrorString(rc));
}

template <class T>
struct DeviceArray {
    T* p = nullptr;
    std::size_t n = 0;
    explicit DeviceArray(std::size_t count) : n(count) { cuda(cudaMalloc(reinterpret_cast<void**>(&p), std::max<std::size_t>(1, count) * sizeof(T)), "cudaMalloc"); }
    explicit DeviceArray(const std::vector<T>& host) : DeviceArray(host.size()) {
        cuda(cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), "upload");
    }
    ~DeviceArray() { cudaFree(p); }
    DeviceArray(const DeviceArray&) = delete;
    DeviceArray& operator=(const DeviceArray&) = delete;
    std::vector<T> get() const {
        std::vector<T> out(n);
        cuda(cudaMemcpy(out.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost), "download");
        return out;
    }
};

// ---- the fused log-probability kernel -------------------------------------------------------------------------------

void check_logprob(LogitType type, int rows, int vocab, int ld_extra, int forced_splits, std::mt19937_64& rng) {
    const int ld = vocab + ld_extra;
    std::normal_distribution<float> normal(0.0f, 3.0f);
    std::vector<float> floats(static_cast<std::size_t>(rows) * ld);
    std::vector<std::uint16_t> halves(floats.size());
    for (int r = 0; r < rows; ++r)
        for (int i = 0; i < vocab; ++i) {
            float v = normal(rng) + (r % 3 == 0 ? 40.0f : 0.0f);  // some rows shifted: large magnitudes
            if (i % 211 == 5) v = -std::numeric_limits<float>::infinity();
            floats[static_cast<std::size_t>(r) * ld + i] = v;
        }
    // Plant ties for the maximum in some rows: the first index must win.
    for (int r = 1; r < rows; r += 4) {
        float* row = floats.data() + static_cast<std::size_t>(r) * ld;
        const float top = *std::max_element(row, row + vocab) + 1.0f;
        row[vocab - 1] = top;
        row[vocab / 2] = top;
        row[(vocab / 3) | 1] = top;
    }
    if (type != LogitType::f32)
        for (std::size_t i = 0; i < floats.size(); ++i) halves[i] = type == LogitType::bf16 ? clika::half::f32_to_bf16(floats[i]) : clika::half::f32_to_f16(floats[i]);
    std::vector<std::int32_t> offsets{0}, targets;
    std::uniform_int_distribution<int> pick(0, vocab - 1);
    for (int r = 0; r < rows; ++r) {
        const int n = r % 5 == 4 ? 0 : 1 + r % 9;  // some rows have no target
        for (int k = 0; k < n; ++k) targets.push_back(pick(rng));
        offsets.push_back(static_cast<std::int32_t>(targets.size()));
    }
    const void* host = type == LogitType::f32 ? static_cast<const void*>(floats.data()) : static_cast<const void*>(halves.data());
    std::vector<double> expected(targets.size());
    std::vector<std::int32_t> expected_argmax(static_cast<std::size_t>(rows));
    logprob_rows_reference(host, type, static_cast<std::size_t>(rows), static_cast<std::size_t>(vocab), static_cast<std::size_t>(ld), offsets.data(),
                           targets.data(), expected.data(), expected_argmax.data());

    // Offset the logits by one element so that rows start unaligned too.
    const std::size_t bytes = floats.size() * logit_bytes(type);
    DeviceArray<unsigned char> logits(bytes + 16);
    cuda(cudaMemcpy(logits.p + logit_bytes(type), host, bytes, cudaMemcpyHostToDevice), "upload logits");
    DeviceArray<std::int32_t> d_offsets(offsets), d_targets(targets), d_argmax(static_cast<std::size_t>(rows));
    DeviceArray<float> d_out(targets.size());
    int sms = 0;
    cuda(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0), "attribute");
    const int splits = forced_splits > 0 ? forced_splits : logprob_splits(rows, vocab, type, sms);
    DeviceArray<unsigned char> workspace(logprob_workspace_bytes(rows, splits));
    LogprobArgs a;
    a.logits = logits.p + logit_bytes(type);
    a.type = type;
    a.rows = rows;
    a.vocab = vocab;
    a.ld = ld;
    a.target_offsets = d_offsets.p;
    a.targets = d_targets.p;
    a.target_logprob = d_out.p;
    a.row_argmax = d_argmax.p;
    cuda(launch_logprob(a, splits, workspace.p, nullptr), "launch_logprob");
    cuda(cudaDeviceSynchronize(), "logprob kernel");
    const std::vector<float> got = d_out.get();
    const std::vector<std::int32_t> got_argmax = d_argmax.get();

    double worst = 0;
    bool ok = true;
    for (std::size_t k = 0; k < targets.size(); ++k) {
        const double e = expected[k], g = got[k];
        if (std::isinf(e)) {
            ok = ok && g == e;
            continue;
        }
        const double err = std::abs(g - e);
        worst = std::max(worst, type == LogitType::f32 ? err : err / std::max(1.0, std::abs(e)));
    }
    const double tolerance = type == LogitType::f32 ? 1e-5 : 1e-2;
    const char* names[] = {"f32", "bf16", "f16"};
    char label[160];
    std::snprintf(label, sizeof label, "logprob %s rows %d vocab %d ld %d splits %d", names[static_cast<int>(type)], rows, vocab, ld, splits);
    INFO(label << ": max error " << worst);
    CHECK(ok);
    CHECK(worst <= tolerance);
    CHECK(got_argmax == expected_argmax);
    std::printf("%-60s max error %.3g%s\n", label, worst, got_argmax == expected_argmax ? "" : "  ARGMAX DIFFERS");
}

// ---- CudaOps against CpuOps -------------------------------------------------------------------------------------------

struct Pair {
    std::unique_ptr<Ops> gpu = make_cuda_ops(0);
    std::unique_ptr<Ops> cpu = make_cpu_ops();
};

// The same host bytes in both implementations' memory.
struct Both {
    Pair& ops;
    void* gpu;
    void* cpu;
    std::size_t bytes;
    Both(Pair& p, const void* data, std::size_t n) : ops(p), gpu(p.gpu->allocate(n)), cpu(p.cpu->allocate(n)), bytes(n) {
        if (data != nullptr) {
            ops.gpu->upload(gpu, data, n);
            ops.cpu->upload(cpu, data, n);
        }
    }
    ~Both() {
        ops.gpu->release(gpu);
        ops.cpu->release(cpu);
    }
    Both(const Both&) = delete;
    Both& operator=(const Both&) = delete;
};

template <class T>
std::unique_ptr<Both> both(Pair& p, const std::vector<T>& v) {
    return std::make_unique<Both>(p, v.data(), v.size() * sizeof(T));
}

std::vector<float> as_floats(const void* data, DType t, std::size_t n) {
    std::vector<float> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (t == DType::f32) out[i] = static_cast<const float*>(data)[i];
        else {
            const std::uint16_t h = static_cast<const std::uint16_t*>(data)[i];
            out[i] = t == DType::f16 ? clika::half::f16_to_f32(h) : clika::half::bf16_to_f32(h);
        }
    }
    return out;
}

// Compares n values of type t in both memories; tolerance relative to max(1, |cpu|).
void compare(Pair& p, const Both& b, DType t, std::size_t n, double tolerance, const std::string& what) {
    std::vector<unsigned char> g(n * dtype_bytes(t)), c(n * dtype_bytes(t));
    p.gpu->download(g.data(), b.gpu, g.size());
    p.cpu->download(c.data(), b.cpu, c.size());
    const std::vector<float> gf = as_floats(g.data(), t, n), cf = as_floats(c.data(), t, n);
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(static_cast<double>(gf[i]) - cf[i]) / std::max(1.0, std::abs(static_cast<double>(cf[i]))));
    INFO(what << ": max relative error " << worst);
    CHECK(worst <= tolerance);
    std::printf("%-60s max relative error %.3g\n", what.c_str(), worst);
}

std::vector<float> random_floats(std::size_t n, float scale, std::mt19937_64& rng) {
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    return v;
}

std::vector<std::uint16_t> to_half(const std::vector<float>& v, DType t) {
    std::vector<std::uint16_t> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = t == DType::f16 ? clika::half::f32_to_f16(v[i]) : clika::half::f32_to_bf16(v[i]);
    return out;
}

std::unique_ptr<Both> typed(Pair& p, const std::vector<float>& v, DType t) {
    return t == DType::f32 ? both(p, v) : both(p, to_half(v, t));
}

void check_ops(std::mt19937_64& rng) {
    Pair p;
    const char* names[] = {"f32", "f16", "bf16"};
    for (DType t : {DType::f32, DType::f16, DType::bf16}) {
        const std::string tn = names[static_cast<int>(t)];
        const double tol = t == DType::f32 ? 1e-4 : 2e-2;
        {  // embed
            const int vocab = 300, dim = 72, n = 37;
            auto table = typed(p, random_floats(static_cast<std::size_t>(vocab) * dim, 1.0f, rng), t);
            std::vector<std::int32_t> tokens(n);
            for (int i = 0; i < n; ++i) tokens[static_cast<std::size_t>(i)] = (i * 37 + 11) % vocab;
            auto tok = both(p, tokens);
            Both out(p, nullptr, static_cast<std::size_t>(n) * dim * 4);
            p.gpu->embed(static_cast<const std::int32_t*>(tok->gpu), n, table->gpu, t, dim, static_cast<float*>(out.gpu));
            p.cpu->embed(static_cast<const std::int32_t*>(tok->cpu), n, table->cpu, t, dim, static_cast<float*>(out.cpu));
            compare(p, out, DType::f32, static_cast<std::size_t>(n) * dim, 0, "embed " + tn);
        }
        {  // rmsnorm, all rows and a gathered subset
            const int n = 19, dim = 4096;
            auto x = both(p, random_floats(static_cast<std::size_t>(n) * dim, 2.0f, rng));
            auto w = both(p, random_floats(static_cast<std::size_t>(dim), 1.0f, rng));
            auto rows = both(p, std::vector<std::int32_t>{18, 0, 7});
            Both out(p, nullptr, static_cast<std::size_t>(n) * dim * dtype_bytes(t));
            p.gpu->rmsnorm(static_cast<float*>(x->gpu), nullptr, n, dim, static_cast<float*>(w->gpu), 1e-5f, out.gpu, t);
            p.cpu->rmsnorm(static_cast<float*>(x->cpu), nullptr, n, dim, static_cast<float*>(w->cpu), 1e-5f, out.cpu, t);
            compare(p, out, t, static_cast<std::size_t>(n) * dim, t == DType::f32 ? 1e-5 : 1e-2, "rmsnorm " + tn);
            p.gpu->rmsnorm(static_cast<float*>(x->gpu), static_cast<std::int32_t*>(rows->gpu), 3, dim, static_cast<float*>(w->gpu), 1e-5f, out.gpu, t);
            p.cpu->rmsnorm(static_cast<float*>(x->cpu), static_cast<std::int32_t*>(rows->cpu), 3, dim, static_cast<float*>(w->cpu), 1e-5f, out.cpu, t);
            compare(p, out, t, static_cast<std::size_t>(3) * dim, t == DType::f32 ? 1e-5 : 1e-2, "rmsnorm gathered rows " + tn);
        }
        for (bool accumulate : {false, true}) {  // gemm
            const int n = 33, in = 320, out_f = 200;
            auto w = typed(p, random_floats(static_cast<std::size_t>(out_f) * in, 0.05f, rng), t);
            auto x = typed(p, random_floats(static_cast<std::size_t>(n) * in, 1.0f, rng), t);
            auto y = both(p, random_floats(static_cast<std::size_t>(n) * out_f, 1.0f, rng));
            p.gpu->gemm(w->gpu, t, out_f, in, x->gpu, n, static_cast<float*>(y->gpu), accumulate);
            p.cpu->gemm(w->cpu, t, out_f, in, x->cpu, n, static_cast<float*>(y->cpu), accumulate);
            compare(p, *y, DType::f32, static_cast<std::size_t>(n) * out_f, tol, std::string("gemm ") + (accumulate ? "accumulate " : "") + tn);
        }
        {  // attention with a prefix, GQA, and two ranges per token
            const HeadShape s{8, 2, 64};
            const int n_pre = 29, n = 24;
            auto q = both(p, random_floats(static_cast<std::size_t>(n) * s.q_dim(), 1.0f, rng));
            auto kp = both(p, random_floats(static_cast<std::size_t>(n_pre) * s.kv_dim(), 1.0f, rng));
            auto vp = both(p, random_floats(static_cast<std::size_t>(n_pre) * s.kv_dim(), 1.0f, rng));
            auto kc = both(p, random_floats(static_cast<std::size_t>(n) * s.kv_dim(), 1.0f, rng));
            auto vc = both(p, random_floats(static_cast<std::size_t>(n) * s.kv_dim(), 1.0f, rng));
            // Tokens 0..9: a context (causal); 10..16 and 17..23: two continuations after it.
            std::vector<std::int32_t> ranges;
            for (int i = 0; i < n; ++i) {
                if (i < 10) ranges.insert(ranges.end(), {0, i + 1, 0, 0});
                else if (i < 17) ranges.insert(ranges.end(), {0, 10, 10, i + 1});
                else ranges.insert(ranges.end(), {0, 10, 17, i + 1});
            }
            auto rg = both(p, ranges);
            Both out(p, nullptr, static_cast<std::size_t>(n) * s.q_dim() * dtype_bytes(t));
            for (int pre : {0, n_pre}) {
                p.gpu->attention(static_cast<float*>(q->gpu), n, static_cast<float*>(kp->gpu), static_cast<float*>(vp->gpu), pre,
                                 static_cast<float*>(kc->gpu), static_cast<float*>(vc->gpu), static_cast<std::int32_t*>(rg->gpu), s, 0.125f, out.gpu, t);
                p.cpu->attention(static_cast<float*>(q->cpu), n, static_cast<float*>(kp->cpu), static_cast<float*>(vp->cpu), pre,
                                 static_cast<float*>(kc->cpu), static_cast<float*>(vc->cpu), static_cast<std::int32_t*>(rg->cpu), s, 0.125f, out.cpu, t);
                compare(p, out, t, static_cast<std::size_t>(n) * s.q_dim(), t == DType::f32 ? 1e-5 : 1e-2,
                        "attention " + tn + (pre > 0 ? " with prefix" : ""));
            }
        }
        {  // swiglu
            const int n = 11, ff = 1000;
            auto gu = both(p, random_floats(static_cast<std::size_t>(n) * 2 * ff, 3.0f, rng));
            Both out(p, nullptr, static_cast<std::size_t>(n) * ff * dtype_bytes(t));
            p.gpu->swiglu(static_cast<float*>(gu->gpu), n, ff, out.gpu, t);
            p.cpu->swiglu(static_cast<float*>(gu->cpu), n, ff, out.cpu, t);
            compare(p, out, t, static_cast<std::size_t>(n) * ff, t == DType::f32 ? 1e-5 : 1e-2, "swiglu " + tn);
        }
    }
    {  // rope + split, with positions up to 4000
        const HeadShape s{4, 2, 16};
        const int n = 9, n_rot = 16, n_ctx = 4096;
        const int width = s.q_dim() + 2 * s.kv_dim();
        auto qkv = both(p, random_floats(static_cast<std::size_t>(n) * width, 1.0f, rng));
        std::vector<float> rope(static_cast<std::size_t>(n_ctx) * n_rot);
        for (int pos = 0; pos < n_ctx; ++pos) {
            float theta = static_cast<float>(pos);
            for (int i = 0; i < n_rot; i += 2) {
                rope[static_cast<std::size_t>(pos) * n_rot + i] = std::cos(theta);
                rope[static_cast<std::size_t>(pos) * n_rot + i + 1] = std::sin(theta);
                theta *= std::pow(10000.0f, -2.0f / n_rot);
            }
        }
        auto table = both(p, rope);
        auto pos = both(p, std::vector<std::int32_t>{0, 1, 2, 3, 100, 1000, 2047, 3000, 4095});
        Both qo(p, nullptr, static_cast<std::size_t>(n) * s.q_dim() * 4), ko(p, nullptr, static_cast<std::size_t>(n) * s.kv_dim() * 4),
            vo(p, nullptr, static_cast<std::size_t>(n) * s.kv_dim() * 4);
        p.gpu->rope_split(static_cast<float*>(qkv->gpu), n, static_cast<std::int32_t*>(pos->gpu), static_cast<float*>(table->gpu), n_rot, s,
                          static_cast<float*>(qo.gpu), static_cast<float*>(ko.gpu), static_cast<float*>(vo.gpu));
        p.cpu->rope_split(static_cast<float*>(qkv->cpu), n, static_cast<std::int32_t*>(pos->cpu), static_cast<float*>(table->cpu), n_rot, s,
                          static_cast<float*>(qo.cpu), static_cast<float*>(ko.cpu), static_cast<float*>(vo.cpu));
        compare(p, qo, DType::f32, static_cast<std::size_t>(n) * s.q_dim(), 1e-6, "rope q");
        compare(p, ko, DType::f32, static_cast<std::size_t>(n) * s.kv_dim(), 1e-6, "rope k");
        compare(p, vo, DType::f32, static_cast<std::size_t>(n) * s.kv_dim(), 0, "rope v (copied)");
    }
    {  // the logprob op of the model (FP32 logits)
        const int rows = 5, vocab = 32000;
        auto logits = both(p, random_floats(static_cast<std::size_t>(rows) * vocab, 3.0f, rng));
        auto offsets = both(p, std::vector<std::int32_t>{0, 2, 2, 3, 7, 8});
        auto targets = both(p, std::vector<std::int32_t>{1, 31999, 5, 0, 1, 2, 3, 17});
        Both lp(p, nullptr, 8 * 4), am(p, nullptr, rows * 4);
        p.gpu->logprob(static_cast<float*>(logits->gpu), rows, vocab, static_cast<std::int32_t*>(offsets->gpu), static_cast<std::int32_t*>(targets->gpu),
                       static_cast<float*>(lp.gpu), static_cast<std::int32_t*>(am.gpu));
        p.cpu->logprob(static_cast<float*>(logits->cpu), rows, vocab, static_cast<std::int32_t*>(offsets->cpu), static_cast<std::int32_t*>(targets->cpu),
                       static_cast<float*>(lp.cpu), static_cast<std::int32_t*>(am.cpu));
        compare(p, lp, DType::f32, 8, 1e-5, "logprob op");
        std::vector<std::int32_t> ga(rows), ca(rows);
        p.gpu->download(ga.data(), am.gpu, rows * 4);
        p.cpu->download(ca.data(), am.cpu, rows * 4);
        INFO("logprob op: argmax");
        CHECK(ga == ca);
    }
}

}  // namespace

TEST_CASE("the fused log-probability kernel matches the CPU reference: FP32 within 1e-5, BF16 and FP16 within 1e-2 relative, the same argmax") {
    skip_without_gpu();
    cudaDeviceProp prop{};
    cuda(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
    std::printf("device: %s (%d multiprocessors)\n", prop.name, prop.multiProcessorCount);
    std::mt19937_64 rng(42);
    for (LogitType type : {LogitType::f32, LogitType::bf16, LogitType::f16}) {
        for (int vocab : {32000, 32001, 128256, 256000}) {
            check_logprob(type, 300, vocab, 0, 0, rng);
            check_logprob(type, 7, vocab, 3, 0, rng);    // few rows: split across blocks
            check_logprob(type, 3, vocab, 1, 5, rng);    // forced splits, odd ld
        }
        check_logprob(type, 70000, 8, 0, 1, rng);  // more rows than one launch takes (grid.y), tiny rows
    }
}

TEST_CASE("every CudaOps operation matches its CpuOps twin on random data") {
    skip_without_gpu();
    std::mt19937_64 rng(42);
    check_ops(rng);
}
