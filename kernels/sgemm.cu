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
// conflict-free stores). Global loads are coalesced for every transpose combination: one float4 per thread and tile
// where the tile lies inside the matrix and its rows are 16-byte aligned, else scalar with bounds checks, so any
// lda/ldb/alignment works (odd convolution shapes) and both paths give the same bits.
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

// r[0..3] = the 4 floats at p (16-byte aligned: the caller checked the base, the leading dimension and the column).
__device__ __forceinline__ void badfl_gemm_load4(const float* __restrict__ p, float* r) {
    const float4 v = *reinterpret_cast<const float4*>(p);
    r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
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

    // Vector path: a tile lying wholly inside the matrix, with 16-byte aligned rows (ld % 4 == 0, aligned base;
    // k tiles start at multiples of 8), is read with one float4 load per thread instead of BM*BK/256 scalar loads
    // with bounds checks: the same values land in the same shared-memory places, so the products and their order -
    // the bits of C - do not change. Edge tiles and unaligned operands take the scalar path. Both choices are
    // uniform per block (and per k tile), so no lane diverges.
    constexpr int AV = BM * BK / 4, BV = BK * BN / 4; // float4s per tile
    static_assert(AV <= T && BV <= T, "at most one float4 per thread and tile");
    constexpr int RA = A_LOADS > 4 ? A_LOADS : 4;
    constexpr int RB = B_LOADS > 4 ? B_LOADS : 4;
    const bool vecA = m0 + BM <= M && (lda & 3) == 0 && (reinterpret_cast<unsigned long long>(A) & 15) == 0;
    const bool vecB = n0 + BN <= N && (ldb & 3) == 0 && (reinterpret_cast<unsigned long long>(B) & 15) == 0;
    // this thread's float4 of each tile: A as (row, 4 k) or (k, 4 rows), B as (k, 4 columns) or (column, 4 k)
    const int vaR = transA ? t / (BM / 4) : t / (BK / 4), vaC = transA ? (t % (BM / 4)) * 4 : (t % (BK / 4)) * 4;
    const int vbR = transB ? t / (BK / 4) : t / (BN / 4), vbC = transB ? (t % (BK / 4)) * 4 : (t % (BN / 4)) * 4;

    float ra[RA], rb[RB];
    auto loadTiles = [&](int kt) { // global -> registers, the tile starting at k = kt
        if (vecA && kt + BK <= kEnd) {
            if (t < AV)
                badfl_gemm_load4(transA ? A + (long long)(kt + vaR) * lda + m0 + vaC : A + (long long)(m0 + vaR) * lda + kt + vaC, ra);
        } else {
            for (int l = 0; l < A_LOADS; l++) ra[l] = badfl_gemm_a(A, transA, lda, M, kEnd, m0 + aM + l * aDm, kt + aK + l * aDk);
        }
        if (vecB && kt + BK <= kEnd) {
            if (t < BV)
                badfl_gemm_load4(transB ? B + (long long)(n0 + vbR) * ldb + kt + vbC : B + (long long)(kt + vbR) * ldb + n0 + vbC, rb);
        } else {
            for (int l = 0; l < B_LOADS; l++) rb[l] = badfl_gemm_b(B, transB, ldb, N, kEnd, kt + bK + l * bDk, n0 + bN + l * bDn);
        }
    };
    auto storeTiles = [&](int b, int kt) { // registers -> shared buffer b (k-major A and B)
        if (vecA && kt + BK <= kEnd) {
            if (t < AV) {
                if (transA) {
                    *reinterpret_cast<float4*>(&As[b][vaR][vaC]) = make_float4(ra[0], ra[1], ra[2], ra[3]);
                } else {
                    for (int q = 0; q < 4; q++) As[b][vaC + q][vaR] = ra[q];
                }
            }
        } else {
            for (int l = 0; l < A_LOADS; l++) As[b][aK + l * aDk][aM + l * aDm] = ra[l];
        }
        if (vecB && kt + BK <= kEnd) {
            if (t < BV) {
                if (transB) {
                    for (int q = 0; q < 4; q++) Bs[b][vbC + q][vbR] = rb[q];
                } else {
                    *reinterpret_cast<float4*>(&Bs[b][vbR][vbC]) = make_float4(rb[0], rb[1], rb[2], rb[3]);
                }
            }
        } else {
            for (int l = 0; l < B_LOADS; l++) Bs[b][bK + l * bDk][bN + l * bDn] = rb[l];
        }
    };

    if (kBegin < kEnd) {
        loadTiles(kBegin);
        storeTiles(0, kBegin);
    }
    __syncthreads();

    int buf = 0;
    for (int k0 = kBegin; k0 < kEnd; k0 += BK) {
        const bool more = k0 + BK < kEnd;
        if (more) { // prefetch the next tile into registers while this one is multiplied
            loadTiles(k0 + BK);
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
            storeTiles(buf ^ 1, k0 + BK);
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
// (At most 85 registers, 3 blocks per SM, as before the vector path added a few.)
extern "C" __global__ void __launch_bounds__(BADFL_GEMM_THREADS, 3)
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
