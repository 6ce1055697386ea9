// Linear layer y = x·Wᵀ + b. The products run on sgemm.cu (forward: column bias in the epilogue; backward:
// dW = dYᵀ·X, dX = dY·W); this file holds the bias gradient. CPU reference (the specification):
// org.badfl.engine.Linear; host launcher: org.badfl.gpu.nn.DeviceLinear.
#pragma once
#include "common.cuh"

// db[o] = (float) Σ_b dY[b][o], summed in double in batch order (the Java order: bit-identical).
extern "C" __global__ void linear_bias_backward_kernel(const float* __restrict__ dy, int batch, int outF,
                                                       float* __restrict__ db) {
    for (int o = blockIdx.x * blockDim.x + threadIdx.x; o < outF; o += gridDim.x * blockDim.x) {
        double sum = 0.0;
        for (int b = 0; b < batch; b++) sum = __dadd_rn(sum, (double)dy[(long long)b * outF + o]);
        db[o] = (float)sum;
    }
}
