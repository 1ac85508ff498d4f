// CpuOps: the reference implementation of ops.hpp, plain loops in double precision. It defines what every GPU operation
// must compute; the plugin runs on it when CLIKA_CUDA_NATIVE_CPU=1 (slow; for checking without a GPU).

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <span>
#include <vector>

#include "logprob_reference.hpp"
#include "ops.hpp"

namespace clika::cuda_native {

namespace {

float load(const void* p, DType t, std::size_t i) {
    switch (t) {
        case DType::f32: return static_cast<const float*>(p)[i];
        case DType::f16: return clika::half::f16_to_f32(static_cast<const std::uint16_t*>(p)[i]);
        case DType::bf16: return clika::half::bf16_to_f32(static_cast<const std::uint16_t*>(p)[i]);
    }
    return 0;
}

void store(void* p, DType t, std::size_t i, float v) {
    switch (t) {
        case DType::f32: static_cast<float*>(p)[i] = v; break;
        case DType::f16: static_cast<std::uint16_t*>(p)[i] = clika::half::f32_to_f16(v); break;
        case DType::bf16: static_cast<std::uint16_t*>(p)[i] = clika::half::f32_to_bf16(v); break;
    }
}

class CpuOps final : public Ops {
public:
    [[nodiscard]] std::string name() const override { return "CPU reference"; }

    [[nodiscard]] void* allocate(std::size_t bytes) override {
        void* p = std::calloc(bytes == 0 ? 1 : bytes, 1);
        if (p == nullptr) throw std::bad_alloc();
        return p;
    }
    void release(void* p) noexcept override { std::free(p); }
    void upload(void* dst, const void* src, std::size_t bytes) override { std::memcpy(dst, src, bytes); }
    void download(void* dst, const void* src, std::size_t bytes) override { std::memcpy(dst, src, bytes); }
    void synchronize() override {}

    void embed(const std::int32_t* tokens, int n, const void* table, DType table_type, int dim, float* out) override {
        for (int t = 0; t < n; ++t)
            for (int d = 0; d < dim; ++d)
                out[static_cast<std::size_t>(t) * dim + d] = load(table, table_type, static_cast<std::size_t>(tokens[t]) * dim + d);
    }

    void rmsnorm(const float* x, const std::int32_t* rows, int n, int dim, const float* weight, float eps, void* out, DType out_type) override {
        for (int r = 0; r < n; ++r) {
            const float* row = x + static_cast<std::size_t>(rows != nullptr ? rows[r] : r) * dim;
            double sum = 0;
            for (int d = 0; d < dim; ++d) sum += static_cast<double>(row[d]) * row[d];
            const double scale = 1.0 / std::sqrt(sum / dim + static_cast<double>(eps));
            for (int d = 0; d < dim; ++d)
                store(out, out_type, static_cast<std::size_t>(r) * dim + d, static_cast<float>(row[d] * scale * weight[d]));
        }
    }

    void gemm(const void* w, DType type, int out_features, int in_features, const void* x, int n, float* y, bool accumulate) override {
        std::vector<double> xr(static_cast<std::size_t>(in_features));
        for (int t = 0; t < n; ++t) {
            for (int i = 0; i < in_features; ++i) xr[i] = load(x, type, static_cast<std::size_t>(t) * in_features + i);
            for (int o = 0; o < out_features; ++o) {
                double acc = 0;
                const std::size_t base = static_cast<std::size_t>(o) * in_features;
                if (type == DType::f32) {
                    const float* wr = static_cast<const float*>(w) + base;
                    for (int i = 0; i < in_features; ++i) acc += wr[i] * xr[i];
                } else {
                    for (int i = 0; i < in_features; ++i) acc += load(w, type, base + i) * xr[i];
                }
                float& dst = y[static_cast<std::size_t>(t) * out_features + o];
                dst = accumulate ? static_cast<float>(dst + acc) : static_cast<float>(acc);
            }
        }
    }

    void rope_split(const float* qkv, int n, const std::int32_t* positions, const float* rope, int n_rot, HeadShape s, float* q_out,
                    float* k_out, float* v_out) override {
        const int q_dim = s.q_dim(), kv_dim = s.kv_dim(), width = q_dim + 2 * kv_dim;
        auto rotate = [&](const float* src, float* dst, int heads, const float* table) {
            for (int h = 0; h < heads; ++h) {
                const float* a = src + static_cast<std::size_t>(h) * s.head_dim;
                float* b = dst + static_cast<std::size_t>(h) * s.head_dim;
                for (int i = 0; i < s.head_dim; i += 2) {
                    if (i < n_rot) {
                        const float c = table[i], sn = table[i + 1];  // pair i/2: (cos, sin)
                        const float x0 = a[i], x1 = a[i + 1];
                        b[i] = x0 * c - x1 * sn;
                        b[i + 1] = x0 * sn + x1 * c;
                    } else {
                        b[i] = a[i];
                        b[i + 1] = a[i + 1];
                    }
                }
            }
        };
        for (int t = 0; t < n; ++t) {
            const float* row = qkv + static_cast<std::size_t>(t) * width;
            const float* table = rope + static_cast<std::size_t>(positions[t]) * n_rot;
            rotate(row, q_out + static_cast<std::size_t>(t) * q_dim, s.heads, table);
            rotate(row + q_dim, k_out + static_cast<std::size_t>(t) * kv_dim, s.kv_heads, table);
            std::memcpy(v_out + static_cast<std::size_t>(t) * kv_dim, row + q_dim + kv_dim, sizeof(float) * static_cast<std::size_t>(kv_dim));
        }
    }

    void attention(const float* q, int n, const float* k_pre, const float* v_pre, int n_pre, const float* k_cur, const float* v_cur,
                   const std::int32_t* ranges, HeadShape s, float scale, void* out, DType out_type) override {
        const int q_dim = s.q_dim(), kv_dim = s.kv_dim(), group = s.heads / s.kv_heads;
        std::vector<const float*> keys, values;
        std::vector<double> scores, acc(static_cast<std::size_t>(s.head_dim));
        for (int t = 0; t < n; ++t) {
            for (int h = 0; h < s.heads; ++h) {
                const int kvh = h / group;
                keys.clear();
                values.clear();
                for (int j = 0; j < n_pre; ++j) {
                    keys.push_back(k_pre + static_cast<std::size_t>(j) * kv_dim + kvh * s.head_dim);
                    values.push_back(v_pre + static_cast<std::size_t>(j) * kv_dim + kvh * s.head_dim);
                }
                for (int range = 0; range < 2; ++range)
                    for (int j = ranges[4 * t + 2 * range]; j < ranges[4 * t + 2 * range + 1]; ++j) {
                        keys.push_back(k_cur + static_cast<std::size_t>(j) * kv_dim + kvh * s.head_dim);
                        values.push_back(v_cur + static_cast<std::size_t>(j) * kv_dim + kvh * s.head_dim);
                    }
                const float* qh = q + static_cast<std::size_t>(t) * q_dim + static_cast<std::size_t>(h) * s.head_dim;
                scores.assign(keys.size(), 0.0);
                double max = -std::numeric_limits<double>::infinity();
                for (std::size_t j = 0; j < keys.size(); ++j) {
                    double dot = 0;
                    for (int d = 0; d < s.head_dim; ++d) dot += static_cast<double>(qh[d]) * keys[j][d];
                    scores[j] = dot * scale;
                    max = std::max(max, scores[j]);
                }
                double sum = 0;
                for (double& v : scores) sum += (v = std::exp(v - max));
                std::fill(acc.begin(), acc.end(), 0.0);
                for (std::size_t j = 0; j < keys.size(); ++j)
                    for (int d = 0; d < s.head_dim; ++d) acc[d] += scores[j] / sum * values[j][d];
                for (int d = 0; d < s.head_dim; ++d)
                    store(out, out_type, static_cast<std::size_t>(t) * q_dim + static_cast<std::size_t>(h) * s.head_dim + d,
                          keys.empty() ? 0.0f : static_cast<float>(acc[d]));
            }
        }
    }

    void swiglu(const float* gu, int n, int ff, void* out, DType out_type) override {
        for (int t = 0; t < n; ++t)
            for (int j = 0; j < ff; ++j) {
                const double g = gu[static_cast<std::size_t>(t) * 2 * ff + j], u = gu[static_cast<std::size_t>(t) * 2 * ff + ff + j];
                store(out, out_type, static_cast<std::size_t>(t) * ff + j, static_cast<float>(g / (1.0 + std::exp(-g)) * u));
            }
    }

    void logprob(const float* logits, int rows, int vocab, const std::int32_t* target_offsets, const std::int32_t* targets,
                 float* target_logprob, std::int32_t* row_argmax) override {
        logprob_rows_reference(logits, LogitType::f32, static_cast<std::size_t>(rows), static_cast<std::size_t>(vocab),
                               static_cast<std::size_t>(vocab), target_offsets, targets, target_logprob, row_argmax);
    }
};

}  // namespace

std::unique_ptr<Ops> make_cpu_ops() { return std::make_unique<CpuOps>(); }

}  // namespace clika::cuda_native
