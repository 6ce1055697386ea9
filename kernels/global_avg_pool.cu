// Global average pooling (AdaptiveAvgPool2d(1)). CPU reference (the specification): org.badfl.engine.GlobalAvgPool
// (y = (float)(Σ x / P), summed in double in index order; dx = (float)((double) dy / P)). Host launcher:
// org.badfl.gpu.nn.DeviceGlobalAvgPool. Bit-identical (one thread per plane, same order).
#pragma once
#include "common.cuh"

extern "C" __global__ void global_avg_pool_forward_kernel(const float* __restrict__ x, int planes, int P,
                                                          float* __restrict__ y) {
    for (int q = blockIdx.x * blockDim.x + threadIdx.x; q < planes; q += gridDim.x * blockDim.x) {
        const float* in = x + (long long)q * P;
        double sum = 0.0;
        for (int i = 0; i < P; i++) sum = __dadd_rn(sum, (double)in[i]);
        y[q] = (float)(sum / P);
    }
}

extern "C" __global__ void global_avg_pool_backward_kernel(const float* __restrict__ dy, int planes, int P,
                                                           float* __restrict__ dx) {
    const int total = planes * P; // < 2^31: the launcher checks
    for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
        dx[e] = (float)((double)dy[e / P] / P);
    }
}
