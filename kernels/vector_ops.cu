// Element-wise vector kernels. CPU reference: org.badfl.gpu.DeviceChecks (y += a * x).
#pragma once
#include "common.cuh"

// y[i] += a * x[i] for i < n. Grid-stride loop: any grid and block size covers n.
extern "C" __global__ void axpy_forward_kernel(float* y, const float* x, float a, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        y[i] += a * x[i];
    }
}
