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
//
// For 33 <= n <= 128 the launcher uses the *_64 / *_128 kernels instead: the same bitonic network on np = 64 or 128
// keys held in registers, fully unrolled (no shared memory, no loop or index arithmetic: about 3x fewer instructions
// than the shared-memory sort at n = 100). The padding is placed so that the wanted ranks land at compile-time
// positions (a runtime index would force the array into local memory). Same keys, same order of the trimmed sum:
// bit-identical to the shared-memory kernels and to the Java reference.
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

// ---- register networks (33 <= n <= 128) --------------------------------------------------------------------------

// Bitonic sort of 2^LOG keys in registers (every index a compile-time constant once unrolled).
template <int LOG>
__device__ __forceinline__ void badfl_sort_registers(int (&s)[1 << LOG]) {
    constexpr int NP = 1 << LOG;
#pragma unroll
    for (int kk = 1; kk <= LOG; kk++) {
#pragma unroll
        for (int jj = kk - 1; jj >= 0; jj--) {
#pragma unroll
            for (int i = 0; i < NP; i++) {
                const int l = i ^ (1 << jj);
                if (l > i) {
                    const int a = s[i], b = s[l];
                    const int lo = min(a, b), hi = max(a, b);
                    const bool up = (i & (1 << kk)) == 0;
                    s[i] = up ? lo : hi;
                    s[l] = up ? hi : lo;
                }
            }
        }
    }
}

// Loads column c: `low` keys of INT_MIN, the n keys of the column, INT_MAX up to 2^LOG (padding keys lie strictly
// outside every float's key), then sorts.
template <int LOG>
__device__ __forceinline__ void badfl_sort_column_registers(const float* __restrict__ X, long long ld, int n, long long c,
                                                            int low, int (&s)[1 << LOG]) {
#pragma unroll
    for (int r = 0; r < (1 << LOG); r++) {
        const int q = r - low;
        s[r] = q < 0 ? (int)0x80000000 : (q < n ? badfl_float_key(X[(long long)q * ld + c]) : 0x7fffffff);
    }
    badfl_sort_registers<LOG>(s);
}

template <int LOG>
__device__ __forceinline__ void badfl_median_registers(const float* __restrict__ X, long long ld, int n, int d,
                                                       float* __restrict__ out) {
    constexpr int NP = 1 << LOG;
    const int low = NP / 2 - n / 2; // the median's rank(s) land at NP/2 (odd n) or NP/2 - 1 and NP/2 (even n)
    for (long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x; c < d; c += (long long)gridDim.x * blockDim.x) {
        int s[NP];
        badfl_sort_column_registers<LOG>(X, ld, n, c, low, s);
        if (n & 1) {
            out[c] = badfl_key_float(s[NP / 2]);
        } else {
            const double lo = badfl_key_float(s[NP / 2 - 1]);
            const double hi = badfl_key_float(s[NP / 2]);
            out[c] = (float)(__dadd_rn(lo, hi) / 2.0);
        }
    }
}

template <int LOG>
__device__ __forceinline__ void badfl_trimmed_mean_registers(const float* __restrict__ X, long long ld, int n, int d,
                                                             int trim, float* __restrict__ out) {
    constexpr int NP = 1 << LOG;
    for (long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x; c < d; c += (long long)gridDim.x * blockDim.x) {
        int s[NP];
        badfl_sort_column_registers<LOG>(X, ld, n, c, 0, s);
        double sum = 0.0;
#pragma unroll
        for (int r = 0; r < NP; r++) { // ascending, as the CPU reference
            if (r >= trim && r < n - trim) sum = __dadd_rn(sum, (double)badfl_key_float(s[r]));
        }
        out[c] = (float)(sum / (double)(n - 2 * trim));
    }
}

// 65 <= n <= 128 and 33 <= n <= 64 (at most 128 threads per block: 128-key variants use ~192 registers).
extern "C" __global__ void __launch_bounds__(128) coordinate_median_128_forward_kernel(const float* __restrict__ X,
                                                                                   long long ld, int n, int d,
                                                                                   float* __restrict__ out) {
    badfl_median_registers<7>(X, ld, n, d, out);
}
extern "C" __global__ void __launch_bounds__(128) coordinate_median_64_forward_kernel(const float* __restrict__ X,
                                                                                  long long ld, int n, int d,
                                                                                  float* __restrict__ out) {
    badfl_median_registers<6>(X, ld, n, d, out);
}
extern "C" __global__ void __launch_bounds__(128) coordinate_trimmed_mean_128_forward_kernel(
    const float* __restrict__ X, long long ld, int n, int d, int trim, float* __restrict__ out) {
    badfl_trimmed_mean_registers<7>(X, ld, n, d, trim, out);
}
extern "C" __global__ void __launch_bounds__(128) coordinate_trimmed_mean_64_forward_kernel(
    const float* __restrict__ X, long long ld, int n, int d, int trim, float* __restrict__ out) {
    badfl_trimmed_mean_registers<6>(X, ld, n, d, trim, out);
}

