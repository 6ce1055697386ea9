// Gram matrix G = X·Xᵀ of n update rows over selected coordinates, summed in double.
// CPU reference (the specification): org.badfl.server.kernels.Gram.compute.
//
// Two launches (host launcher: org.badfl.gpu.GpuAggregation.gram):
//   1. gram_forward_kernel: grid (tile pairs, chunks). The coordinate ranges are cut into chunks (a chunk never
//      spans two ranges); block (p, c) computes the 32x32 tile pair p = (ti, tj), tj <= ti, of the Gram matrix over
//      chunk c into partial[c][pair(i, j)] (lower triangle, pair(i, j) = i(i+1)/2 + j). 8x8 threads, each a 4x4
//      register tile of double accumulators; X tiles go through shared memory 16 coordinates at a time.
//   2. gram_reduce_forward_kernel: G[i][j] = G[j][i] = Σ_c partial[c][pair(i, j)], chunks in order.
// Products of two floats are exact in double, so each term equals the CPU's; only the order of the double
// additions differs (within a chunk in coordinate order, then chunk by chunk). The result depends on the chunking
// only, which the launcher derives from the problem size: the same inputs give the same bits on every device.
#pragma once
#include "common.cuh"

#define BADFL_GRAM_TILE 32
#define BADFL_GRAM_KT 16
#define BADFL_GRAM_THREADS 64

// Row index i of lower-triangle pair p (p = i(i+1)/2 + j, 0 <= j <= i).
__device__ __forceinline__ long long badfl_pair_row(long long p) {
    long long i = (long long)((sqrt(8.0 * (double)p + 1.0) - 1.0) * 0.5);
    while (i * (i + 1) / 2 > p) i--;
    while ((i + 1) * (i + 2) / 2 <= p) i++;
    return i;
}

// X: row i at X + i*ld (n rows). chunks: nChunks pairs [start, end) of coordinates. partial: nChunks x n(n+1)/2.
extern "C" __global__ void __launch_bounds__(BADFL_GRAM_THREADS)
gram_forward_kernel(const float* __restrict__ X, long long ld, int n, const int* __restrict__ chunks, int nChunks,
                    double* __restrict__ partial) {
    __shared__ __align__(16) float As[BADFL_GRAM_KT][BADFL_GRAM_TILE + 4];
    __shared__ __align__(16) float Bs[BADFL_GRAM_KT][BADFL_GRAM_TILE + 4];
    const int ti = (int)badfl_pair_row(blockIdx.x);
    const int tj = (int)blockIdx.x - ti * (ti + 1) / 2;
    const int chunk = blockIdx.y;
    const int c0 = chunks[2 * chunk], c1 = chunks[2 * chunk + 1];
    const int tx = threadIdx.x % 8, ty = threadIdx.x / 8;
    const int rowA = ti * BADFL_GRAM_TILE, rowB = tj * BADFL_GRAM_TILE;

    double acc[4][4];
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++) acc[a][b] = 0.0;

    for (int k0 = c0; k0 < c1; k0 += BADFL_GRAM_KT) {
        // Coalesced loads: consecutive threads read consecutive coordinates of one row; zero outside (n, c1).
        for (int e = threadIdx.x; e < BADFL_GRAM_TILE * BADFL_GRAM_KT; e += BADFL_GRAM_THREADS) {
            const int r = e / BADFL_GRAM_KT, k = e % BADFL_GRAM_KT, c = k0 + k;
            const bool inCols = c < c1;
            As[k][r] = (inCols && rowA + r < n) ? X[(long long)(rowA + r) * ld + c] : 0.0f;
            Bs[k][r] = (inCols && rowB + r < n) ? X[(long long)(rowB + r) * ld + c] : 0.0f;
        }
        __syncthreads();
#pragma unroll 4
        for (int k = 0; k < BADFL_GRAM_KT; k++) {
            float ra[4], rb[4];
            for (int a = 0; a < 4; a++) ra[a] = As[k][ty * 4 + a];
            for (int b = 0; b < 4; b++) rb[b] = Bs[k][tx * 4 + b];
            for (int a = 0; a < 4; a++)
                for (int b = 0; b < 4; b++) acc[a][b] += (double)ra[a] * (double)rb[b]; // exact product
        }
        __syncthreads();
    }

    const long long pairs = (long long)n * (n + 1) / 2;
    double* out = partial + (long long)chunk * pairs;
    for (int a = 0; a < 4; a++) {
        const int i = rowA + ty * 4 + a;
        for (int b = 0; b < 4; b++) {
            const int j = rowB + tx * 4 + b;
            if (i < n && j <= i) {
                out[(long long)i * (i + 1) / 2 + j] = acc[a][b];
            }
        }
    }
}

// G (n x n, row-major, full symmetric) from the chunk partials, chunks summed in order.
extern "C" __global__ void gram_reduce_forward_kernel(const double* __restrict__ partial, int n, int nChunks,
                                                      double* __restrict__ G) {
    const long long pairs = (long long)n * (n + 1) / 2;
    for (long long p = (long long)blockIdx.x * blockDim.x + threadIdx.x; p < pairs; p += (long long)gridDim.x * blockDim.x) {
        double s = 0.0;
        for (int c = 0; c < nChunks; c++) s += partial[(long long)c * pairs + p];
        const long long i = badfl_pair_row(p), j = p - i * (i + 1) / 2;
        G[i * n + j] = s;
        G[j * n + i] = s;
    }
}
