// Element-wise vector kernels. CPU reference: org.badfl.gpu.DeviceChecks (y += a * x), Java float subtraction.
#pragma once
#include "common.cuh"

// y[i] += a * x[i] for i < n. Grid-stride loop: any grid and block size covers n.
extern "C" __global__ void axpy_forward_kernel(float* y, const float* x, float a, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        y[i] += a * x[i];
    }
}

// out[i] = a[i] - b[i] for i < n (a model update W - G on the device). Bit-identical to Java's float subtraction.
extern "C" __global__ void vector_sub_forward_kernel(const float* __restrict__ a, const float* __restrict__ b,
                                                     float* __restrict__ out, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        out[i] = __fsub_rn(a[i], b[i]);
    }
}
