// Softmax cross-entropy, mean over the batch (F.cross_entropy, reduction "mean"). CPU reference (the
// specification): org.badfl.engine.SoftmaxCrossEntropy: per row, in double, m = max_j z_j,
// loss_b = log(Σ_j exp(z_j - m)) - (z_y - m), dz_j = (float)((exp(z_j - m - logSum) - [j == y]) / batch).
// One thread per row; the per-row losses go to the host, which adds them in row order (Java's order) and divides
// by the batch. exp/log are the device's double functions (within an ulp of the JVM's).
// Host launcher: org.badfl.gpu.nn.DeviceSoftmaxCrossEntropy.
#pragma once
#include "common.cuh"

// dlogits may be null (loss only).
extern "C" __global__ void softmax_cross_entropy_forward_kernel(const float* __restrict__ logits,
                                                                const int* __restrict__ labels, int batch, int classes,
                                                                double* __restrict__ rowLoss,
                                                                float* __restrict__ dlogits) {
    for (int b = blockIdx.x * blockDim.x + threadIdx.x; b < batch; b += gridDim.x * blockDim.x) {
        const float* z = logits + (long long)b * classes;
        double max = -INFINITY;
        for (int j = 0; j < classes; j++) {
            const double v = (double)z[j];
            // Math.max(double, double): a NaN wins, +0 beats -0
            if (v != v || v > max || (v == 0.0 && max == 0.0 && !signbit(v))) max = v;
        }
        double sum = 0.0;
        for (int j = 0; j < classes; j++) sum = __dadd_rn(sum, exp(__dsub_rn((double)z[j], max)));
        const double logSum = log(sum);
        const int y = labels[b];
        rowLoss[b] = __dsub_rn(logSum, __dsub_rn((double)z[y], max));
        if (dlogits) {
            for (int j = 0; j < classes; j++) {
                const double softmax = exp(__dsub_rn(__dsub_rn((double)z[j], max), logSum));
                dlogits[(long long)b * classes + j] = (float)(__dsub_rn(softmax, j == y ? 1.0 : 0.0) / (double)batch);
            }
        }
    }
}
