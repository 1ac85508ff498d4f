// Kernels of the LLaMA forward pass (see llama_kernels.cuh and the CpuOps twins in cpu_ops.cpp).
#include "llama_kernels.cuh"

#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace clika::cuda_native {

namespace {

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(__half v) { return __half2float(v); }
__device__ __forceinline__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }

template <class T>
__device__ __forceinline__ T from_float(float v);
template <>
__device__ __forceinline__ float from_float<float>(float v) { return v; }
template <>
__device__ __forceinline__ __half from_float<__half>(float v) { return __float2half_rn(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// Calls f(T{}) with T the CUDA type of `t`.
template <class F>
cudaError_t with_type(DType t, F&& f) {
    switch (t) {
        case DType::f32: return f(float{});
        case DType::f16: return f(__half{});
        case DType::bf16: return f(__nv_bfloat16{});
    }
    return cudaErrorInvalidValue;
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int d = 16; d > 0; d >>= 1) v += __shfl_xor_sync(0xffffffffu, v, d);
    return v;
}
__device__ __forceinline__ float warp_max(float v) {
    for (int d = 16; d > 0; d >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, d));
    return v;
}

// ---- embedding ------------------------------------------------------------------------------------------------------

template <class T>
__global__ void embed_kernel(const std::int32_t* tokens, const T* table, int dim, float* out) {
    const int t = blockIdx.x;
    const T* row = table + static_cast<std::int64_t>(tokens[t]) * dim;
    for (int d = threadIdx.x; d < dim; d += blockDim.x) out[static_cast<std::int64_t>(t) * dim + d] = to_float(row[d]);
}

// ---- RMSNorm: one block per row ---------------------------------------------------------------------------------------

constexpr int kNormThreads = 256;

template <class T>
__global__ void __launch_bounds__(kNormThreads) rmsnorm_kernel(const float* x, const std::int32_t* rows, int dim, const float* weight,
                                                                 float eps, T* out) {
    const int r = blockIdx.x;
    const float* row = x + static_cast<std::int64_t>(rows != nullptr ? rows[r] : r) * dim;
    float sum = 0.0f;
    for (int d = threadIdx.x; d < dim; d += kNormThreads) sum += row[d] * row[d];
    __shared__ float partial[kNormThreads / 32];
    sum = warp_sum(sum);
    if ((threadIdx.x & 31) == 0) partial[threadIdx.x >> 5] = sum;
    __syncthreads();
    float total = 0.0f;
#pragma unroll
    for (int w = 0; w < kNormThreads / 32; ++w) total += partial[w];
    const float scale = 1.0f / sqrtf(total / static_cast<float>(dim) + eps);
    T* dst = out + static_cast<std::int64_t>(r) * dim;
    for (int d = threadIdx.x; d < dim; d += kNormThreads) dst[d] = from_float<T>(row[d] * scale * weight[d]);
}

// ---- RoPE (llama.cpp mode 0, adjacent pairs) and the split of fused q|k|v ------------------------------------------------

__global__ void rope_split_kernel(const float* qkv, const std::int32_t* positions, const float* rope, int n_rot, HeadShape s,
                                  float* q_out, float* k_out, float* v_out) {
    const int t = blockIdx.y;
    const int q_dim = s.heads * s.head_dim, kv_dim = s.kv_heads * s.head_dim;
    const int width = q_dim + 2 * kv_dim;
    const int i = 2 * (blockIdx.x * blockDim.x + threadIdx.x);  // first element of this thread's pair
    if (i >= width) return;
    const float* src = qkv + static_cast<std::int64_t>(t) * width;
    float* dst;
    int local;  // index inside the q, k or v row
    if (i < q_dim) {
        dst = q_out + static_cast<std::int64_t>(t) * q_dim;
        local = i;
    } else if (i < q_dim + kv_dim) {
        dst = k_out + static_cast<std::int64_t>(t) * kv_dim;
        local = i - q_dim;
    } else {
        dst = v_out + static_cast<std::int64_t>(t) * kv_dim;
        local = i - q_dim - kv_dim;
        dst[local] = src[i];
        dst[local + 1] = src[i + 1];
        return;
    }
    const int d = local % s.head_dim;  // even
    const float x0 = src[i], x1 = src[i + 1];
    if (d < n_rot) {
        const float* cs = rope + static_cast<std::int64_t>(positions[t]) * n_rot + d;
        const float c = cs[0], sn = cs[1];
        // Rounded products, no fused multiply-add: the same float arithmetic as the CPU loop.
        dst[local] = __fsub_rn(__fmul_rn(x0, c), __fmul_rn(x1, sn));
        dst[local + 1] = __fadd_rn(__fmul_rn(x0, sn), __fmul_rn(x1, c));
    } else {
        dst[local] = x0;
        dst[local + 1] = x1;
    }
}

// ---- attention: one warp per (query token, head), online softmax over 32 keys at a time ---------------------------------

constexpr int kAttnWarps = 4;
constexpr int kMaxHeadDim = 256;

struct KeySource {
    const float* k_pre;
    const float* v_pre;
    int n_pre;
    const float* k_cur;
    const float* v_cur;
    int b0, n0;  // first range: rows [b0, b0 + n0) of the current batch
    int b1, n1;  // second range
    // Row j of the query's key list: prefix rows, then range 0, then range 1.
    __device__ __forceinline__ std::int64_t row(int j, bool& in_prefix) const {
        in_prefix = j < n_pre;
        if (in_prefix) return j;
        j -= n_pre;
        return j < n0 ? b0 + j : b1 + (j - n0);
    }
};

template <class T>
__global__ void __launch_bounds__(kAttnWarps * 32) attention_kernel(const float* q, int n, KeySource src, const std::int32_t* ranges,
                                                                     HeadShape s, float scale, T* out) {
    __shared__ float q_shared[kAttnWarps][kMaxHeadDim];
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const std::int64_t item = static_cast<std::int64_t>(blockIdx.x) * kAttnWarps + warp;  // t * heads + h
    if (item >= static_cast<std::int64_t>(n) * s.heads) return;  // whole warps leave together
    const int t = static_cast<int>(item / s.heads), h = static_cast<int>(item % s.heads);
    const int hd = s.head_dim, q_dim = s.heads * hd, kv_dim = s.kv_heads * hd;
    const int kv_off = (h / (s.heads / s.kv_heads)) * hd;

    float* qs = q_shared[warp];
    for (int d = lane; d < hd; d += 32) qs[d] = q[static_cast<std::int64_t>(t) * q_dim + static_cast<std::int64_t>(h) * hd + d];
    __syncwarp();

    KeySource ks = src;
    ks.b0 = ranges[4 * t];
    ks.n0 = ranges[4 * t + 1] - ranges[4 * t];
    ks.b1 = ranges[4 * t + 2];
    ks.n1 = ranges[4 * t + 3] - ranges[4 * t + 2];
    const int total = ks.n_pre + ks.n0 + ks.n1;

    constexpr int kPerLane = kMaxHeadDim / 32;
    float acc[kPerLane];
#pragma unroll
    for (int k = 0; k < kPerLane; ++k) acc[k] = 0.0f;
    float m = -INFINITY, sum = 0.0f;

    for (int base = 0; base < total; base += 32) {
        // Each lane scores one key.
        const int j = base + lane;
        float score = -INFINITY;
        if (j < total) {
            bool pre;
            const std::int64_t r = ks.row(j, pre);
            const float* krow = (pre ? ks.k_pre : ks.k_cur) + r * kv_dim + kv_off;
            float dot = 0.0f;
            for (int d = 0; d < hd; d += 2) {
                const float2 kk = *reinterpret_cast<const float2*>(krow + d);
                dot = fmaf(qs[d], kk.x, dot);
                dot = fmaf(qs[d + 1], kk.y, dot);
            }
            score = dot * scale;
        }
        const float chunk_max = warp_max(score);
        const float new_m = fmaxf(m, chunk_max);
        const float correction = expf(m - new_m);  // m = -inf at first: 0
        const float p = j < total ? expf(score - new_m) : 0.0f;
        sum = sum * correction + warp_sum(p);
#pragma unroll
        for (int k = 0; k < kPerLane; ++k) acc[k] *= correction;
        m = new_m;
        const int count = total - base < 32 ? total - base : 32;
        for (int jj = 0; jj < count; ++jj) {
            const float pj = __shfl_sync(0xffffffffu, p, jj);
            bool pre;
            const std::int64_t r = ks.row(base + jj, pre);
            const float* vrow = (pre ? ks.v_pre : ks.v_cur) + r * kv_dim + kv_off;
#pragma unroll
            for (int k = 0; k < kPerLane; ++k) {
                const int d = lane + 32 * k;
                if (d < hd) acc[k] = fmaf(pj, vrow[d], acc[k]);
            }
        }
    }
    T* dst = out + static_cast<std::int64_t>(t) * q_dim + static_cast<std::int64_t>(h) * hd;
    const float inv = total > 0 ? 1.0f / sum : 0.0f;
#pragma unroll
    for (int k = 0; k < kPerLane; ++k) {
        const int d = lane + 32 * k;
        if (d < hd) dst[d] = from_float<T>(acc[k] * inv);
    }
}

// ---- SwiGLU ------------------------------------------------------------------------------------------------------------

template <class T>
__global__ void swiglu_kernel(const float* gu, int n, int ff, T* out) {
    const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= static_cast<std::int64_t>(n) * ff) return;
    const std::int64_t t = i / ff, j = i % ff;
    const float g = gu[t * 2 * ff + j], u = gu[t * 2 * ff + ff + j];
    out[i] = from_float<T>(g / (1.0f + expf(-g)) * u);
}

}  // namespace

cudaError_t launch_embed(const std::int32_t* tokens, int n, const void* table, DType table_type, int dim, float* out, cudaStream_t stream) {
    if (n == 0) return cudaSuccess;
    return with_type(table_type, [&](auto tag) {
        using T = decltype(tag);
        embed_kernel<T><<<n, 256, 0, stream>>>(tokens, static_cast<const T*>(table), dim, out);
        return cudaGetLastError();
    });
}

cudaError_t launch_rmsnorm(const float* x, const std::int32_t* rows, int n, int dim, const float* weight, float eps, void* out, DType out_type,
                           cudaStream_t stream) {
    if (n == 0) return cudaSuccess;
    return with_type(out_type, [&](auto tag) {
        using T = decltype(tag);
        rmsnorm_kernel<T><<<n, kNormThreads, 0, stream>>>(x, rows, dim, weight, eps, static_cast<T*>(out));
        return cudaGetLastError();
    });
}

cudaError_t launch_rope_split(const float* qkv, int n, const std::int32_t* positions, const float* rope, int n_rot, HeadShape shape,
                              float* q_out, float* k_out, float* v_out, cudaStream_t stream) {
    if (n == 0) return cudaSuccess;
    if (shape.head_dim % 2 != 0 || n_rot % 2 != 0 || n_rot > shape.head_dim) return cudaErrorInvalidValue;
    const int pairs = (shape.q_dim() + 2 * shape.kv_dim()) / 2;
    const dim3 grid(static_cast<unsigned>((pairs + 127) / 128), static_cast<unsigned>(n));
    rope_split_kernel<<<grid, 128, 0, stream>>>(qkv, positions, rope, n_rot, shape, q_out, k_out, v_out);
    return cudaGetLastError();
}

cudaError_t launch_attention(const float* q, int n, const float* k_pre, const float* v_pre, int n_pre, const float* k_cur, const float* v_cur,
                             const std::int32_t* ranges, HeadShape shape, float scale, void* out, DType out_type, cudaStream_t stream) {
    if (n == 0) return cudaSuccess;
    if (shape.head_dim > kMaxHeadDim || shape.head_dim % 2 != 0 || shape.kv_heads <= 0 || shape.heads % shape.kv_heads != 0)
        return cudaErrorInvalidValue;
    const KeySource src{k_pre, v_pre, n_pre, k_cur, v_cur, 0, 0, 0, 0};
    const std::int64_t items = static_cast<std::int64_t>(n) * shape.heads;
    const auto blocks = static_cast<unsigned>((items + kAttnWarps - 1) / kAttnWarps);
    return with_type(out_type, [&](auto tag) {
        using T = decltype(tag);
        attention_kernel<T><<<blocks, kAttnWarps * 32, 0, stream>>>(q, n, src, ranges, shape, scale, static_cast<T*>(out));
        return cudaGetLastError();
    });
}

cudaError_t launch_swiglu(const float* gu, int n, int ff, void* out, DType out_type, cudaStream_t stream) {
    if (n == 0) return cudaSuccess;
    const std::int64_t total = static_cast<std::int64_t>(n) * ff;
    const auto blocks = static_cast<unsigned>((total + 255) / 256);
    return with_type(out_type, [&](auto tag) {
        using T = decltype(tag);
        swiglu_kernel<T><<<blocks, 256, 0, stream>>>(gu, n, ff, static_cast<T*>(out));
        return cudaGetLastError();
    });
}

}  // namespace clika::cuda_native
