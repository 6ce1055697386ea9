// Coordinate-wise order statistics over n update rows: median (numpy convention) and trimmed mean.
// CPU reference (the specification): org.badfl.server.kernels.CoordinateStats.median / trimmedMean.
//
// One thread per coordinate (grid-stride over tiles of blockDim.x coordinates). The thread sorts its column in
// shared memory (np >= n, a power of two, rows n..np-1 padded with the largest key) with a bitonic network: no
// data-dependent branches, no barriers (a column belongs to one thread), conflict-free banks (column t of the
// tile is word t of each shared row). Keys order floats exactly like Java's Arrays.sort(float[]) (Float.compare:
// -0.0 < 0.0, every NaN equal and above +inf), so the selected values - and the trimmed mean's double sum, taken
// over the sorted values in ascending order as on the CPU - are bit-identical to the reference.
// Dynamic shared memory: np * blockDim.x * 4 bytes (the launcher sizes the block to the device's limit).
#pragma once
#include "common.cuh"

// Total-order key of a float (Java Float.compare order); NaNs collapse to the canonical NaN.
__device__ __forceinline__ int badfl_float_key(float v) {
    int b = __float_as_int(v);
    if (v != v) b = 0x7fc00000;
    return b ^ ((b >> 31) & 0x7fffffff);
}
__device__ __forceinline__ float badfl_key_float(int k) { return __int_as_float(k ^ ((k >> 31) & 0x7fffffff)); }

// Loads column c of X into s[0], s[stride], ... (n keys, then padding up to np) and sorts it ascending.
__device__ __forceinline__ void badfl_sort_column(const float* __restrict__ X, long long ld, int n, int np, long long c,
                                                  int* s, int stride) {
    for (int r = 0; r < n; r++) s[r * stride] = badfl_float_key(X[(long long)r * ld + c]);
    for (int r = n; r < np; r++) s[r * stride] = 0x7fffffff;
    for (int k = 2; k <= np; k <<= 1) {
        for (int j = k >> 1; j > 0; j >>= 1) {
            for (int p = 0; p < np / 2; p++) {
                const int i = ((p & ~(j - 1)) << 1) | (p & (j - 1)); // bit j of i is clear
                const int l = i | j;
                const int a = s[i * stride], b = s[l * stride];
                const int lo = a < b ? a : b, hi = a < b ? b : a;
                const bool up = (i & k) == 0;
                s[i * stride] = up ? lo : hi;
                s[l * stride] = up ? hi : lo;
            }
        }
    }
}

// out[c] = median of X[0..n)[c] for c < d (numpy: mean of the two middle values, in double, for even n).
extern "C" __global__ void coordinate_median_forward_kernel(const float* __restrict__ X, long long ld, int n, int d,
                                                            int np, float* __restrict__ out) {
    BADFL_DYNAMIC_SHARED(int, keys);
    int* s = keys + threadIdx.x;
    for (long long tile = blockIdx.x; tile * blockDim.x < d; tile += gridDim.x) {
        const long long c = tile * blockDim.x + threadIdx.x;
        if (c >= d) continue;
        badfl_sort_column(X, ld, n, np, c, s, blockDim.x);
        if (n & 1) {
            out[c] = badfl_key_float(s[(n / 2) * blockDim.x]);
        } else {
            const double lo = badfl_key_float(s[(n / 2 - 1) * blockDim.x]);
            const double hi = badfl_key_float(s[(n / 2) * blockDim.x]);
            out[c] = (float)(__dadd_rn(lo, hi) / 2.0);
        }
    }
}

// out[c] = mean of the values of column c left after dropping the `trim` smallest and `trim` largest
// (0 <= 2*trim < n), summed in double in ascending order.
extern "C" __global__ void coordinate_trimmed_mean_forward_kernel(const float* __restrict__ X, long long ld, int n, int d,
                                                                  int np, int trim, float* __restrict__ out) {
    BADFL_DYNAMIC_SHARED(int, keys);
    int* s = keys + threadIdx.x;
    for (long long tile = blockIdx.x; tile * blockDim.x < d; tile += gridDim.x) {
        const long long c = tile * blockDim.x + threadIdx.x;
        if (c >= d) continue;
        badfl_sort_column(X, ld, n, np, c, s, blockDim.x);
        double sum = 0.0;
        for (int r = trim; r < n - trim; r++) sum = __dadd_rn(sum, (double)badfl_key_float(s[r * blockDim.x]));
        out[c] = (float)(sum / (double)(n - 2 * trim));
    }
}
