// TF32 tensor-core GEMM (opt-in; fp32 sgemm.cu is the default): the same contract as sgemm_128_forward_kernel
// (operands, transposes, output mapping, epilogue, split-K partials) with the products on tensor cores
// (wmma m16n16k8, inputs rounded to TF32 - 10 mantissa bits - accumulation in fp32). Host launcher:
// org.badfl.gpu.nn.DeviceGemm with tf32 = true.
//
// GPU ONLY. The CPU emulation cannot execute tensor-core (mma) instructions, so this file is compiled by nvcc
// alone (it is empty for the host compiler and the kernel is not registered in native/cuda_emu_kernels.cpp);
// its checks in org.badfl.gpu.nn.TrainingChecks run only on a real GPU. On devices below sm_80 the kernel body
// is empty and the launcher refuses TF32 before launching.
//
// Tiling: 128 x 128 block tile, BK = 32, 256 threads = 8 warps in 2 (m) x 4 (n), each warp 64 x 32 = 4 x 2
// accumulator fragments. Tiles are loaded with the scalar, coalesced, bounds-checked loads of sgemm.cu (zero
// outside the matrix), converted to TF32 on the way into shared memory. Results go through a per-warp 16 x 16
// staging area in shared memory so the epilogue (bounds, NCHW mapping, bias, accumulate) is the fp32 kernel's.
#pragma once
#include "common.cuh"
#include "sgemm.cu"

#if defined(__CUDACC__)
#include <mma.h>

#define BADFL_TF32_BM 128
#define BADFL_TF32_BN 128
#define BADFL_TF32_BK 32
#define BADFL_TF32_LDA (BADFL_TF32_BK + 4)  // 36 floats: fragment rows start 32-byte aligned (16 rows apart)
#define BADFL_TF32_LDB (BADFL_TF32_BN + 4)  // 132 floats

extern "C" __global__ void __launch_bounds__(256)
sgemm_tf32_forward_kernel(int transA, int transB, int M, int N, int K, const float* __restrict__ A, int lda,
                          const float* __restrict__ B, int ldb, float* __restrict__ C, int ldc, int cb, long long cbs,
                          const float* __restrict__ rowBias, const float* __restrict__ colBias, int accumulate,
                          int kSlice, float* __restrict__ partial) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    using namespace nvcuda;
    constexpr int BM = BADFL_TF32_BM, BN = BADFL_TF32_BN, BK = BADFL_TF32_BK, T = 256;
    constexpr int LDA = BADFL_TF32_LDA, LDB = BADFL_TF32_LDB;
    __shared__ __align__(128) float As[BM * LDA]; // row-major m x k
    __shared__ __align__(128) float Bs[BK * LDB]; // row-major k x n

    const int t = threadIdx.x, warp = t / 32, lane = t % 32;
    const int wm = warp / 4, wn = warp % 4;
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int kBegin = blockIdx.z * kSlice;
    const int kEnd = min(K, kBegin + kSlice);

    wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[4][2];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) wmma::fill_fragment(acc[i][j], 0.0f);

    for (int k0 = kBegin; k0 < kEnd; k0 += BK) {
        for (int l = 0; l < BM * BK / T; l++) {
            int m, k;
            if (transA) { m = t % BM; k = t / BM + l * (T / BM); }
            else        { m = t / BK + l * (T / BK); k = t % BK; }
            As[m * LDA + k] = wmma::__float_to_tf32(badfl_gemm_a(A, transA, lda, M, kEnd, m0 + m, k0 + k));
        }
        for (int l = 0; l < BK * BN / T; l++) {
            int k, n;
            if (transB) { n = t / BK + l * (T / BK); k = t % BK; }
            else        { n = t % BN; k = t / BN + l * (T / BN); }
            Bs[k * LDB + n] = wmma::__float_to_tf32(badfl_gemm_b(B, transB, ldb, N, kEnd, k0 + k, n0 + n));
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk += 8) {
            wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> af[4];
            wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> bf[2];
#pragma unroll
            for (int i = 0; i < 4; i++) wmma::load_matrix_sync(af[i], As + (wm * 64 + i * 16) * LDA + kk, LDA);
#pragma unroll
            for (int j = 0; j < 2; j++) wmma::load_matrix_sync(bf[j], Bs + kk * LDB + wn * 32 + j * 16, LDB);
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], af[i], bf[j], acc[i][j]);
        }
        __syncthreads();
    }

    // Epilogue through a per-warp 16 x 16 staging area (reusing As: every warp has finished its last mma).
    float* stage = As + warp * 256;
    float* slice = partial ? partial + (long long)blockIdx.z * M * N : nullptr;
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::store_matrix_sync(stage, acc[i][j], 16, wmma::mem_row_major);
            __syncwarp();
            for (int e = lane; e < 256; e += 32) {
                const int row = m0 + wm * 64 + i * 16 + e / 16;
                const int col = n0 + wn * 32 + j * 16 + e % 16;
                if (row < M && col < N) {
                    if (slice) slice[(long long)row * N + col] = stage[e];
                    else badfl_gemm_store(stage[e], row, col, C, ldc, cb, cbs, rowBias, colBias, accumulate);
                }
            }
            __syncwarp();
        }
    }
#endif
}
#endif // __CUDACC__
