// Weighted sums of update rows (clip factors folded into the weights by the caller): the aggregation step of
// every defense. CPU reference (the specification): org.badfl.server.kernels.WeightedSum.accumulate and
// accumulateLayerScaled.
// One thread per coordinate (grid-stride), rows summed in order in double with explicitly rounded multiply and
// add (__dmul_rn/__dadd_rn keep nvcc from fusing them into an FMA), so each coordinate is bit-identical to the
// CPU loop whenever the CPU sums the rows in the same order.
#pragma once
#include "common.cuh"

// out[c] = (float)(out[c] + Σ_i w[i]·X[i][c]) for c < d.
extern "C" __global__ void weighted_sum_forward_kernel(const float* __restrict__ X, long long ld, int n, int d,
                                                       const double* __restrict__ w, float* __restrict__ out) {
    for (long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x; c < d; c += (long long)gridDim.x * blockDim.x) {
        double s = 0.0;
        for (int i = 0; i < n; i++) s = __dadd_rn(s, __dmul_rn(w[i], (double)X[(long long)i * ld + c]));
        out[c] = (float)__dadd_rn((double)out[c], s);
    }
}

// out[c] = (float)(out[c] + Σ_i coef[i][e(c)]·X[i][c]), e(c) = the layout entry holding c: the first e with
// entryEnd[e] > c (entryEnd ascending, E entries). coef[i][e] = weights[i]·layerScale[i][e], computed by the host
// in double exactly as the CPU reference groups it ((w·f)·x).
extern "C" __global__ void weighted_sum_layer_scaled_forward_kernel(const float* __restrict__ X, long long ld, int n, int d,
                                                                    const double* __restrict__ coef,
                                                                    const int* __restrict__ entryEnd, int E,
                                                                    float* __restrict__ out) {
    for (long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x; c < d; c += (long long)gridDim.x * blockDim.x) {
        int lo = 0, hi = E - 1; // binary search: first entry whose end exceeds c
        while (lo < hi) {
            const int mid = (lo + hi) >> 1;
            if (entryEnd[mid] > c) hi = mid; else lo = mid + 1;
        }
        double s = 0.0;
        for (int i = 0; i < n; i++) s = __dadd_rn(s, __dmul_rn(coef[(long long)i * E + lo], (double)X[(long long)i * ld + c]));
        out[c] = (float)__dadd_rn((double)out[c], s);
    }
}
