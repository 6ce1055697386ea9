// Single-precision GEMM, our own tiled kernel: C = op(A)·op(B) (+ C) (+ bias), every convolution and linear layer
// of the GPU training path runs on it. CPU reference (the specification): org.badfl.engine.gemm.Gemm /
// GemmReference (row-major, transposes as flags); host launcher: org.badfl.gpu.nn.DeviceGemm.
//
// Operands (row-major, as the Java engine):
//   op(A) is M x K: element (m, k) at A[m*lda + k] (transA = 0) or A[k*lda + m] (transA = 1)
//   op(B) is K x N: element (k, n) at B[k*ldb + n] (transB = 0) or B[n*ldb + k] (transB = 1)
// Output mapping: element (i, j) of C lives at C[(j / cb) * cbs + i * ldc + (j % cb)]. A plain row-major C has
// cb >= N (cbs unused); a convolution writes its (channel x (image, pixel)) product straight into NCHW with
// cb = pixels per image, cbs = channels * pixels, ldc = pixels (no scatter pass).
// Epilogue, in this order: v = Σ; if accumulate v = C_old + v; if rowBias v += rowBias[i]; if colBias v += colBias[j].
// With accumulate = 0 the old C is never read (it may hold poison).
//
// Tiling: a block computes a BM x BN tile of C (128x128, 64x128 or 64x64) with 256 threads, each a TM x TN
// register tile (8x8, 4x8 or 4x4) of float accumulators; K advances BK = 8 at a time through double-buffered
// shared-memory tiles (A stored k-major, so a thread reads its TM rows as float4s; rows padded by 4 floats:
// conflict-free stores). Global loads are scalar and coalesced for every transpose combination, so any lda/ldb/
// alignment works (odd convolution shapes).
// Products accumulate with explicit fmaf, in k order within a slice: the emulation (which never contracts) and a
// GPU give the same bits for the same launch shape.
//
// Split-K (for small M x N with long K, e.g. weight gradients): blockIdx.z = slice z covers k in
// [z*kSlice, min(K, (z+1)*kSlice)) and writes its raw sums to partial[z][i][j] (dense M x N); then
// sgemm_splitk_reduce_forward_kernel adds the slices in order and applies the epilogue. The launcher chooses
// tiles and slices from the shape alone, so results never depend on the device.
#pragma once
#include "common.cuh"

#define BADFL_GEMM_BK 8
#define BADFL_GEMM_THREADS 256

// Stores one finished value of C (i < M, j < N) with the epilogue above.
__device__ __forceinline__ void badfl_gemm_store(float v, int i, int j, float* __restrict__ C, int ldc, int cb,
                                                 long long cbs, const float* __restrict__ rowBias,
                                                 const float* __restrict__ colBias, int accumulate) {
    float* p = C + (long long)(j / cb) * cbs + (long long)i * ldc + (j % cb);
    if (accumulate) v = __fadd_rn(*p, v);
    if (rowBias) v = __fadd_rn(v, rowBias[i]);
    if (colBias) v = __fadd_rn(v, colBias[j]);
    *p = v;
}

// Element (m, k) of op(A) or 0 outside [0, M) x [kBegin, kEnd) (kBegin is checked by construction).
__device__ __forceinline__ float badfl_gemm_a(const float* __restrict__ A, int transA, int lda, int M, int kEnd, int m,
                                              int k) {
    if (m >= M || k >= kEnd) return 0.0f;
    return transA ? A[(long long)k * lda + m] : A[(long long)m * lda + k];
}

__device__ __forceinline__ float badfl_gemm_b(const float* __restrict__ B, int transB, int ldb, int N, int kEnd, int k,
                                              int n) {
    if (n >= N || k >= kEnd) return 0.0f;
    return transB ? B[(long long)n * ldb + k] : B[(long long)k * ldb + n];
}

template <int BM, int BN, int TM, int TN>
__device__ __forceinline__ void badfl_sgemm_tile(int transA, int transB, int M, int N, int K,
                                                 const float* __restrict__ A, int lda, const float* __restrict__ B,
                                                 int ldb, float* __restrict__ C, int ldc, int cb, long long cbs,
                                                 const float* __restrict__ rowBias, const float* __restrict__ colBias,
                                                 int accumulate, int kSlice, float* __restrict__ partial) {
    constexpr int BK = BADFL_GEMM_BK;
    constexpr int T = BADFL_GEMM_THREADS;
    static_assert((BM / TM) * (BN / TN) == T, "one thread per register tile");
    static_assert(TM % 4 == 0 && TN % 4 == 0, "register tiles are read as float4 groups");
    constexpr int A_LOADS = BM * BK / T;
    constexpr int B_LOADS = BK * BN / T;
    constexpr int AP = BM + 4; // padded rows: conflict-free stores, float4-aligned reads
    constexpr int BP = BN + 4;
    constexpr int GM = TM / 4; // float4 groups per thread, spaced BM / GM rows apart
    constexpr int GN = TN / 4;
    __shared__ __align__(16) float As[2][BK][AP];
    __shared__ __align__(16) float Bs[2][BK][BP];

    const int t = threadIdx.x;
    const int tx = t % (BN / TN), ty = t / (BN / TN);
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int kBegin = blockIdx.z * kSlice;
    const int kEnd = min(K, kBegin + kSlice);

    // Which tile elements this thread loads: coalesced along the contiguous dimension of each operand. Load l is
    // element (aM + l*aDm, aK + l*aDk) of the A tile and (bK + l*bDk, bN + l*bDn) of the B tile.
    const int aM = transA ? t % BM : t / BK, aK = transA ? t / BM : t % BK;
    const int aDm = transA ? 0 : T / BK, aDk = transA ? T / BM : 0;
    const int bN = transB ? t / BK : t % BN, bK = transB ? t % BK : t / BN;
    const int bDn = transB ? T / BK : 0, bDk = transB ? 0 : T / BN;

    float acc[TM][TN];
    for (int i = 0; i < TM; i++)
        for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;

    float ra[A_LOADS], rb[B_LOADS];
    if (kBegin < kEnd) {
        for (int l = 0; l < A_LOADS; l++) ra[l] = badfl_gemm_a(A, transA, lda, M, kEnd, m0 + aM + l * aDm, kBegin + aK + l * aDk);
        for (int l = 0; l < B_LOADS; l++) rb[l] = badfl_gemm_b(B, transB, ldb, N, kEnd, kBegin + bK + l * bDk, n0 + bN + l * bDn);
        for (int l = 0; l < A_LOADS; l++) As[0][aK + l * aDk][aM + l * aDm] = ra[l];
        for (int l = 0; l < B_LOADS; l++) Bs[0][bK + l * bDk][bN + l * bDn] = rb[l];
    }
    __syncthreads();

    int buf = 0;
    for (int k0 = kBegin; k0 < kEnd; k0 += BK) {
        const bool more = k0 + BK < kEnd;
        if (more) { // prefetch the next tile into registers while this one is multiplied
            for (int l = 0; l < A_LOADS; l++) ra[l] = badfl_gemm_a(A, transA, lda, M, kEnd, m0 + aM + l * aDm, k0 + BK + aK + l * aDk);
            for (int l = 0; l < B_LOADS; l++) rb[l] = badfl_gemm_b(B, transB, ldb, N, kEnd, k0 + BK + bK + l * bDk, n0 + bN + l * bDn);
        }
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float a[TM], b[TN];
            for (int g = 0; g < GM; g++) {
                const float4 v = *reinterpret_cast<const float4*>(&As[buf][kk][g * (BM / GM) + ty * 4]);
                a[g * 4] = v.x; a[g * 4 + 1] = v.y; a[g * 4 + 2] = v.z; a[g * 4 + 3] = v.w;
            }
            for (int g = 0; g < GN; g++) {
                const float4 v = *reinterpret_cast<const float4*>(&Bs[buf][kk][g * (BN / GN) + tx * 4]);
                b[g * 4] = v.x; b[g * 4 + 1] = v.y; b[g * 4 + 2] = v.z; b[g * 4 + 3] = v.w;
            }
            for (int i = 0; i < TM; i++)
                for (int j = 0; j < TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        if (more) {
            for (int l = 0; l < A_LOADS; l++) As[buf ^ 1][aK + l * aDk][aM + l * aDm] = ra[l];
            for (int l = 0; l < B_LOADS; l++) Bs[buf ^ 1][bK + l * bDk][bN + l * bDn] = rb[l];
        }
        __syncthreads();
        buf ^= 1;
    }

    float* slice = partial ? partial + (long long)blockIdx.z * M * N : nullptr;
    for (int i = 0; i < TM; i++) {
        const int row = m0 + (i / 4) * (BM / GM) + ty * 4 + i % 4;
        if (row >= M) continue;
        for (int j = 0; j < TN; j++) {
            const int col = n0 + (j / 4) * (BN / GN) + tx * 4 + j % 4;
            if (col >= N) continue;
            if (slice) slice[(long long)row * N + col] = acc[i][j];
            else badfl_gemm_store(acc[i][j], row, col, C, ldc, cb, cbs, rowBias, colBias, accumulate);
        }
    }
}

// 128 x 128 tiles, 8 x 8 per thread: large products. Grid (ceil(N/128), ceil(M/128), slices).
// (At most 128 registers, 2 blocks per SM: sm_90 spills a few epilogue-only values; the main loop stays in registers.)
extern "C" __global__ void __launch_bounds__(BADFL_GEMM_THREADS, 2)
sgemm_128_forward_kernel(int transA, int transB, int M, int N, int K, const float* __restrict__ A, int lda,
                         const float* __restrict__ B, int ldb, float* __restrict__ C, int ldc, int cb, long long cbs,
                         const float* __restrict__ rowBias, const float* __restrict__ colBias, int accumulate,
                         int kSlice, float* __restrict__ partial) {
    badfl_sgemm_tile<128, 128, 8, 8>(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, cb, cbs, rowBias, colBias,
                                     accumulate, kSlice, partial);
}

// 64 x 64 tiles, 4 x 4 per thread: small or narrow products (more blocks). Grid (ceil(N/64), ceil(M/64), slices).
extern "C" __global__ void __launch_bounds__(BADFL_GEMM_THREADS)
sgemm_64_forward_kernel(int transA, int transB, int M, int N, int K, const float* __restrict__ A, int lda,
                        const float* __restrict__ B, int ldb, float* __restrict__ C, int ldc, int cb, long long cbs,
                        const float* __restrict__ rowBias, const float* __restrict__ colBias, int accumulate,
                        int kSlice, float* __restrict__ partial) {
    badfl_sgemm_tile<64, 64, 4, 4>(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, cb, cbs, rowBias, colBias,
                                   accumulate, kSlice, partial);
}

// 64 x 128 tiles, 4 x 8 per thread: products with 64..127 rows (64-channel convolutions) and many columns.
// Grid (ceil(N/128), ceil(M/64), slices).
extern "C" __global__ void __launch_bounds__(BADFL_GEMM_THREADS)
sgemm_64x128_forward_kernel(int transA, int transB, int M, int N, int K, const float* __restrict__ A, int lda,
                            const float* __restrict__ B, int ldb, float* __restrict__ C, int ldc, int cb, long long cbs,
                            const float* __restrict__ rowBias, const float* __restrict__ colBias, int accumulate,
                            int kSlice, float* __restrict__ partial) {
    badfl_sgemm_tile<64, 128, 4, 8>(transA, transB, M, N, K, A, lda, B, ldb, C, ldc, cb, cbs, rowBias, colBias,
                                    accumulate, kSlice, partial);
}

// Split-K second pass: C(i, j) = epilogue(Σ_z partial[z][i][j]), slices added in order (float).
extern "C" __global__ void sgemm_splitk_reduce_forward_kernel(const float* __restrict__ partial, int slices, int M,
                                                              int N, float* __restrict__ C, int ldc, int cb,
                                                              long long cbs, const float* __restrict__ rowBias,
                                                              const float* __restrict__ colBias, int accumulate) {
    const long long MN = (long long)M * N;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < MN; e += (long long)gridDim.x * blockDim.x) {
        float v = partial[e];
        for (int z = 1; z < slices; z++) v = __fadd_rn(v, partial[z * MN + e]);
        badfl_gemm_store(v, (int)(e / N), (int)(e % N), C, ldc, cb, cbs, rowBias, colBias, accumulate);
    }
}
