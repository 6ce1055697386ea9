// Residual add of a BasicBlock: out = main + shortcut (forward), dx = dMain + dShortcut (backward: the block's
// input receives the gradients of both paths). CPU reference: org.badfl.engine.BasicBlock. Host launcher:
// org.badfl.gpu.nn.DeviceResidualAdd. Bit-identical (one IEEE addition).
#pragma once
#include "common.cuh"

extern "C" __global__ void residual_add_forward_kernel(const float* __restrict__ a, const float* __restrict__ b,
                                                       float* __restrict__ out, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        out[i] = __fadd_rn(a[i], b[i]);
    }
}

extern "C" __global__ void residual_add_backward_kernel(const float* __restrict__ dMain,
                                                        const float* __restrict__ dShortcut, float* __restrict__ dx,
                                                        long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        dx[i] = __fadd_rn(dMain[i], dShortcut[i]);
    }
}
