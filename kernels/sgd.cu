// SGD with momentum and weight decay on the trainable ranges of the flat parameter buffer (torch.optim.SGD,
// dampening 0, no Nesterov). CPU reference (the specification): org.badfl.engine.Sgd, element-wise in float:
//   d = g + wd*w ;  v = mu*v + d ;  w = w - lr*v        (mu = 0: w = w - lr*d, no velocity)
// Each operation rounded separately as in Java (explicit IEEE operations, no FMA): bit-identical.
// BatchNorm running statistics (outside the ranges) are never touched. Host launcher: org.badfl.gpu.nn.DeviceSgd.
#pragma once
#include "common.cuh"

// ranges: pairs [start, end) of the trainable slices. 1-D grid: every thread walks the ranges in order and updates the
// elements i = start + tid, start + tid + stride, ... of each (stride = all threads), so short slices cost nothing.
// v may be null when mu == 0.
extern "C" __global__ void sgd_forward_kernel(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ v,
                                              const int* __restrict__ ranges, int nRanges, float lr, float mu,
                                              float wd) {
    const int stride = gridDim.x * blockDim.x;
    const int tid = blockIdx.x * blockDim.x + threadIdx.x;
    for (int r = 0; r < nRanges; r++) {
        const int start = ranges[2 * r], end = ranges[2 * r + 1];
        for (int i = start + tid; i < end; i += stride) {
            const float wi = w[i];
            const float d = __fadd_rn(g[i], __fmul_rn(wd, wi));
            if (mu == 0.0f) {
                w[i] = __fsub_rn(wi, __fmul_rn(lr, d));
            } else {
                const float vi = __fadd_rn(__fmul_rn(mu, v[i]), d);
                v[i] = vi;
                w[i] = __fsub_rn(wi, __fmul_rn(lr, vi));
            }
        }
    }
}
