// The fused log-probability kernel (see logprob_kernel.cuh).
#include "logprob_kernel.cuh"

#include <climits>
#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace clika::cuda_native {

namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr int kUnroll = 4;  // independent 16-byte loads in flight per thread

// Running state of one part of a row: max m, sum of exp(x - m), and the first index of the largest value.
struct State {
    float m;
    float s;
    float best;
    int idx;
};

__device__ __forceinline__ State empty_state() { return {-INFINITY, 0.0f, -INFINITY, INT_MAX}; }

__device__ __forceinline__ void merge(State& a, const State& b) {
    const float m = fmaxf(a.m, b.m);
    if (m != -INFINITY) a.s = a.s * expf(a.m - m) + b.s * expf(b.m - m);
    else a.s += b.s;
    a.m = m;
    if (b.best > a.best || (b.best == a.best && b.idx < a.idx)) {
        a.best = b.best;
        a.idx = b.idx;
    }
}

__device__ __forceinline__ State shfl_down(const State& v, int delta) {
    State o;
    o.m = __shfl_down_sync(0xffffffffu, v.m, delta);
    o.s = __shfl_down_sync(0xffffffffu, v.s, delta);
    o.best = __shfl_down_sync(0xffffffffu, v.best, delta);
    o.idx = __shfl_down_sync(0xffffffffu, v.idx, delta);
    return o;
}

__device__ __forceinline__ State warp_reduce(State v) {
    for (int d = 16; d > 0; d >>= 1) merge(v, shfl_down(v, d));
    return v;  // complete in lane 0
}

// Adds n consecutive values starting at index `first`. A thread sees its indices in increasing order, so a strict
// comparison keeps the first maximum.
template <int N>
__device__ __forceinline__ void accumulate(State& st, const float (&x)[N], int first) {
    float vmax = x[0];
#pragma unroll
    for (int i = 1; i < N; ++i) vmax = fmaxf(vmax, x[i]);
    if (vmax > st.best) {
#pragma unroll
        for (int i = 0; i < N; ++i)
            if (x[i] > st.best) {
                st.best = x[i];
                st.idx = first + i;
            }
    }
    if (vmax > st.m) {
        st.s *= __expf(st.m - vmax);
        st.m = vmax;
    }
    if (st.m != -INFINITY) {
        float add = 0.0f;
#pragma unroll
        for (int i = 0; i < N; ++i) add += __expf(x[i] - st.m);
        st.s += add;
    }
}

// 16-byte vectors: 4 floats or 8 halves.
template <class T>
struct Vec;
template <>
struct Vec<float> {
    static constexpr int n = 4;
    __device__ __forceinline__ static void unpack(const uint4& r, float (&x)[4]) {
        x[0] = __uint_as_float(r.x);
        x[1] = __uint_as_float(r.y);
        x[2] = __uint_as_float(r.z);
        x[3] = __uint_as_float(r.w);
    }
};
template <>
struct Vec<__nv_bfloat16> {
    static constexpr int n = 8;
    __device__ __forceinline__ static void unpack(const uint4& r, float (&x)[8]) {
        const unsigned w[4] = {r.x, r.y, r.z, r.w};
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            x[2 * i] = __uint_as_float(w[i] << 16);
            x[2 * i + 1] = __uint_as_float(w[i] & 0xffff0000u);
        }
    }
};
template <>
struct Vec<__half> {
    static constexpr int n = 8;
    __device__ __forceinline__ static void unpack(const uint4& r, float (&x)[8]) {
        const unsigned w[4] = {r.x, r.y, r.z, r.w};
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const float2 f = __half22float2(*reinterpret_cast<const __half2*>(&w[i]));
            x[2 * i] = f.x;
            x[2 * i + 1] = f.y;
        }
    }
};

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ __forceinline__ float to_float(__half v) { return __half2float(v); }

// Where the 16-byte-aligned body of a row starts (in elements) and how many vectors it holds.
template <class T>
__device__ __forceinline__ void row_layout(const T* row, int vocab, int& head, int& nvec) {
    const unsigned mis = static_cast<unsigned>(reinterpret_cast<uintptr_t>(row) & 15u);
    head = mis == 0 ? 0 : static_cast<int>((16u - mis) / sizeof(T));
    if (head > vocab) head = vocab;
    nvec = (vocab - head) / Vec<T>::n;
}

// Reduces the block's states into lane 0 of warp 0 (returned there; other threads get garbage).
__device__ __forceinline__ State block_reduce(State st) {
    __shared__ State warp_states[kWarps];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    st = warp_reduce(st);
    if (lane == 0) warp_states[warp] = st;
    __syncthreads();
    if (warp == 0) {
        st = lane < kWarps ? warp_states[lane] : empty_state();
        st = warp_reduce(st);
    }
    return st;
}

// Writes log p of every target of `row` and its argmax, from the complete state of the row.
template <class T>
__device__ __forceinline__ void finish_row(const LogprobArgs& a, const T* row, int r, const State& st, int tid, int nthreads) {
    const float log_sum = logf(st.s);
    const int first = a.target_offsets[r], last = a.target_offsets[r + 1];
    for (int k = first + tid; k < last; k += nthreads) {
        const int t = a.targets[k];
        a.target_logprob[k] = (t < 0 || t >= a.vocab) ? __int_as_float(0x7fffffff) : (to_float(row[t]) - st.m) - log_sum;
    }
    if (tid == 0) {
        if (a.row_argmax != nullptr) a.row_argmax[r] = st.idx == INT_MAX ? 0 : st.idx;
        if (a.row_log_normalizer != nullptr) a.row_log_normalizer[r] = st.m + log_sum;
    }
}

// grid (splits, rows). Block `split` of a row reads vectors [split * nvec / splits, (split + 1) * nvec / splits) of the
// aligned body; split 0 also reads the unaligned head, the last split the tail.
template <class T>
__global__ void __launch_bounds__(kThreads) logprob_kernel(LogprobArgs a, State* partial) {
    const int r = blockIdx.y;
    const int split = blockIdx.x, splits = gridDim.x;
    const int vocab = static_cast<int>(a.vocab);
    const T* row = static_cast<const T*>(a.logits) + static_cast<int64_t>(r) * a.ld;
    int head = 0, nvec = 0;
    row_layout(row, vocab, head, nvec);
    constexpr int N = Vec<T>::n;
    const uint4* body = reinterpret_cast<const uint4*>(row + head);
    const int v0 = static_cast<int>(static_cast<int64_t>(nvec) * split / splits);
    const int v1 = static_cast<int>(static_cast<int64_t>(nvec) * (split + 1) / splits);

    State st = empty_state();
    if (split == 0 && static_cast<int>(threadIdx.x) < head) {
        const float x[1] = {to_float(row[threadIdx.x])};
        accumulate<1>(st, x, threadIdx.x);
    }
    int v = v0 + threadIdx.x;
    for (; v + (kUnroll - 1) * kThreads < v1; v += kUnroll * kThreads) {
        uint4 raw[kUnroll];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) raw[u] = __ldcs(body + v + u * kThreads);
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
            float x[N];
            Vec<T>::unpack(raw[u], x);
            accumulate<N>(st, x, head + (v + u * kThreads) * N);
        }
    }
    for (; v < v1; v += kThreads) {
        float x[N];
        Vec<T>::unpack(__ldcs(body + v), x);
        accumulate<N>(st, x, head + v * N);
    }
    if (split == splits - 1) {
        for (int i = head + nvec * N + threadIdx.x; i < vocab; i += kThreads) {
            const float x[1] = {to_float(row[i])};
            accumulate<1>(st, x, i);
        }
    }

    st = block_reduce(st);
    __shared__ State total;
    if (threadIdx.x == 0) {
        if (splits > 1) partial[static_cast<int64_t>(r) * splits + split] = st;
        total = st;
    }
    __syncthreads();
    if (splits == 1) finish_row(a, row, r, total, threadIdx.x, kThreads);
}

// One warp per row: merges the row's partial states and finishes it.
template <class T>
__global__ void logprob_merge_kernel(LogprobArgs a, const State* partial, int splits) {
    const int warps_per_block = blockDim.x / 32;
    const int r = blockIdx.x * warps_per_block + (threadIdx.x >> 5);
    if (r >= a.rows) return;
    const int lane = threadIdx.x & 31;
    State st = empty_state();
    for (int k = lane; k < splits; k += 32) merge(st, partial[static_cast<int64_t>(r) * splits + k]);
    st = warp_reduce(st);
    st.m = __shfl_sync(0xffffffffu, st.m, 0);
    st.s = __shfl_sync(0xffffffffu, st.s, 0);
    st.best = __shfl_sync(0xffffffffu, st.best, 0);
    st.idx = __shfl_sync(0xffffffffu, st.idx, 0);
    const T* row = static_cast<const T*>(a.logits) + static_cast<int64_t>(r) * a.ld;
    finish_row(a, row, r, st, lane, 32);
}

template <class T>
cudaError_t launch_typed(const LogprobArgs& a, int splits, void* workspace, cudaStream_t stream) {
    auto* partial = static_cast<State*>(workspace);
    const dim3 grid(static_cast<unsigned>(splits), static_cast<unsigned>(a.rows));
    logprob_kernel<T><<<grid, kThreads, 0, stream>>>(a, partial);
    if (splits > 1) {
        constexpr int warps = 8;
        const auto blocks = static_cast<unsigned>((a.rows + warps - 1) / warps);
        logprob_merge_kernel<T><<<blocks, warps * 32, 0, stream>>>(a, partial, splits);
    }
    return cudaGetLastError();
}

}  // namespace

int logprob_splits(std::int64_t rows, std::int64_t vocab, LogitType type, int multiprocessors) {
    if (rows <= 0) return 1;
    const std::int64_t vec = type == LogitType::f32 ? 4 : 8;
    const std::int64_t nvec = vocab / vec;
    const std::int64_t wanted_blocks = static_cast<std::int64_t>(multiprocessors > 0 ? multiprocessors : 1) * (2048 / kThreads);
    std::int64_t splits = (wanted_blocks + rows - 1) / rows;
    // At least two vectors per thread and split, so that the merge stays cheap.
    const std::int64_t max_by_size = nvec / (2 * kThreads);
    if (splits > max_by_size) splits = max_by_size;
    if (splits > 64) splits = 64;
    return splits < 1 ? 1 : static_cast<int>(splits);
}

std::size_t logprob_workspace_bytes(std::int64_t rows, int splits) {
    return splits <= 1 ? 0 : static_cast<std::size_t>(rows) * static_cast<std::size_t>(splits) * sizeof(State);
}

cudaError_t launch_logprob(const LogprobArgs& args, int splits, void* workspace, cudaStream_t stream) {
    if (args.rows == 0) return cudaSuccess;
    if (args.rows < 0 || args.vocab <= 0 || args.vocab > INT_MAX / 2 || args.ld < args.vocab || splits < 1 ||
        (splits > 1 && workspace == nullptr) || args.logits == nullptr || args.target_offsets == nullptr)
        return cudaErrorInvalidValue;
    // grid.y holds at most 65535 rows: larger batches go in pieces (target indices are absolute, so only the row
    // pointers move; the workspace is reused in stream order).
    constexpr std::int64_t max_rows = 65535;
    for (std::int64_t first = 0; first < args.rows; first += max_rows) {
        LogprobArgs a = args;
        a.rows = args.rows - first < max_rows ? args.rows - first : max_rows;
        a.logits = static_cast<const unsigned char*>(args.logits) + first * args.ld * static_cast<std::int64_t>(logit_bytes(args.type));
        a.target_offsets = args.target_offsets + first;
        if (a.row_argmax != nullptr) a.row_argmax += first;
        if (a.row_log_normalizer != nullptr) a.row_log_normalizer += first;
        cudaError_t rc = cudaErrorInvalidValue;
        switch (args.type) {
            case LogitType::f32: rc = launch_typed<float>(a, splits, workspace, stream); break;
            case LogitType::bf16: rc = launch_typed<__nv_bfloat16>(a, splits, workspace, stream); break;
            case LogitType::f16: rc = launch_typed<__half>(a, splits, workspace, stream); break;
        }
        if (rc != cudaSuccess) return rc;
    }
    return cudaSuccess;
}

}  // namespace clika::cuda_native
