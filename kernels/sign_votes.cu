// RLR's sign agreement s_j = |Σ_i sign(x_i[j])|, sign(0) = sign(NaN) = 0.
// CPU reference (the specification): org.badfl.server.kernels.SignVotes.absSignSum.
// One thread per coordinate (grid-stride); reads of one row are coalesced across the warp.
#pragma once
#include "common.cuh"

extern "C" __global__ void sign_votes_forward_kernel(const float* __restrict__ X, long long ld, int n, int d,
                                                     int* __restrict__ out) {
    for (long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x; c < d; c += (long long)gridDim.x * blockDim.x) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            const float v = X[(long long)i * ld + c];
            s += (v > 0.0f) - (v < 0.0f);
        }
        out[c] = s < 0 ? -s : s;
    }
}
