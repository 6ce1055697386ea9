// Inverted dropout with a stateless mask. CPU reference (the specification): org.badfl.engine.Dropout (keep(...)
// and forward): element i of the batch tensor at step `step` is kept iff uniform(word i%4 of Philox4x32-10 with
// counter (i/4, 0, step_lo, step_hi) and key (key_lo, key_hi)) < 1 - p, key = Seeds.derive(seed, "dropout",
// stream); kept values are scaled by (float)(1/(1-p)). Host launcher: org.badfl.gpu.nn.DeviceDropout.
// Bit-identical (integer Philox, exact uniform, one float multiply).
#pragma once
#include "common.cuh"
#include "philox.cuh"

// y = x * mask, mask[i] = scale (kept) or 0 (dropped); one thread per Philox block of 4 elements.
extern "C" __global__ void dropout_forward_kernel(const float* __restrict__ x, float* __restrict__ y,
                                                  float* __restrict__ mask, long long n, unsigned long long key,
                                                  unsigned long long step, double keepProbability, float scale) {
    const long long blocks = (n + 3) / 4;
    for (long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += (long long)gridDim.x * blockDim.x) {
        unsigned c[4] = {(unsigned)b, (unsigned)((unsigned long long)b >> 32), (unsigned)step, (unsigned)(step >> 32)};
        badfl_philox4x32_10(c, (unsigned)key, (unsigned)(key >> 32));
        for (int q = 0; q < 4; q++) {
            const long long i = 4 * b + q;
            if (i < n) {
                const float m = badfl_uniform(c[q]) < keepProbability ? scale : 0.0f;
                mask[i] = m;
                y[i] = __fmul_rn(x[i], m);
            }
        }
    }
}

// dx = dy * mask (the mask of the last training forward).
extern "C" __global__ void dropout_backward_kernel(const float* __restrict__ dy, const float* __restrict__ mask,
                                                   float* __restrict__ dx, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        dx[i] = __fmul_rn(dy[i], mask[i]);
    }
}
