// ReLU and its backward, plain and guided. CPU reference (the specification): org.badfl.engine.ReLU
// (y = Math.max(x, 0): NaN propagates, -0 becomes +0; dx = dy where x > 0; guided: dx = dy where x > 0 and
// dy > 0, Springenberg et al. 2015, sec. 3.4). Host launcher: org.badfl.gpu.nn.DeviceReLU. Bit-identical.
#pragma once
#include "common.cuh"

extern "C" __global__ void relu_forward_kernel(const float* __restrict__ x, float* __restrict__ y, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        const float v = x[i];
        y[i] = (v > 0.0f || v != v) ? v : 0.0f;
    }
}

// dx = dy where the forward input x > 0, else 0.
extern "C" __global__ void relu_backward_kernel(const float* __restrict__ x, const float* __restrict__ dy,
                                                float* __restrict__ dx, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
    }
}

// Guided backpropagation: dx = dy where x > 0 and dy > 0, else 0.
extern "C" __global__ void relu_guided_backward_kernel(const float* __restrict__ x, const float* __restrict__ dy,
                                                       float* __restrict__ dx, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        const float g = dy[i];
        dx[i] = x[i] > 0.0f && g > 0.0f ? g : 0.0f;
    }
}
