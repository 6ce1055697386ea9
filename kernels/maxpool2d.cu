// Max pooling (kernel k, stride s, no padding, floor mode). CPU reference (the specification):
// org.badfl.engine.MaxPool2d (forwardPlane: first maximum in row-major window order wins ties, a NaN wins over
// numbers; backward routes each output gradient to its winner, adding in output order where windows overlap).
// Host launcher: org.badfl.gpu.nn.DeviceMaxPool2d. Both kernels are bit-identical to the Java code.
#pragma once
#include "common.cuh"

// out/argmax for `planes` channel planes of H x W (argmax = winner's index within its plane).
extern "C" __global__ void maxpool2d_forward_kernel(const float* __restrict__ x, int planes, int H, int W, int k,
                                                    int stride, int OH, int OW, float* __restrict__ out,
                                                    int* __restrict__ argmax) {
    const int total = planes * OH * OW; // < 2^31: the launcher checks
    for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
        int q = e / OW;
        const int ow = e - q * OW;
        const int oh = q % OH;
        q /= OH;
        const float* in = x + (long long)q * H * W;
        const int h0 = oh * stride, w0 = ow * stride;
        int best = h0 * W + w0;
        float max = in[best];
        if (max == max) { // a NaN propagates: once one has won, the window is done
            for (int ki = 0; ki < k; ki++) {
                const int rowIdx = (h0 + ki) * W + w0;
                for (int kj = 0; kj < k; kj++) {
                    const float v = in[rowIdx + kj];
                    if (v > max || (v != v && max == max)) {
                        max = v;
                        best = rowIdx + kj;
                    }
                }
            }
        }
        out[e] = max;
        argmax[e] = best;
    }
}

// dx[q][h][w] = Σ of dOut over the outputs of plane q whose window contains (h, w) and whose winner it is, in
// output order, from +0 (a gather: no atomics; every element of dx written).
extern "C" __global__ void maxpool2d_backward_kernel(const float* __restrict__ dout, const int* __restrict__ argmax,
                                                     int planes, int H, int W, int k, int stride, int OH, int OW,
                                                     float* __restrict__ dx) {
    const int total = planes * H * W; // < 2^31: the launcher checks
    for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
        int q = e / W;
        const int w = e - q * W;
        const int h = q % H;
        q /= H;
        const int idx = h * W + w;
        // outputs whose window [o*s, o*s + k) contains the position
        const int ohLo = h >= k ? (h - k + stride) / stride : 0, ohHi = min(OH - 1, h / stride);
        const int owLo = w >= k ? (w - k + stride) / stride : 0, owHi = min(OW - 1, w / stride);
        const long long base = (long long)q * OH * OW;
        float sum = 0.0f;
        for (int oh = ohLo; oh <= ohHi; oh++) {
            for (int ow = owLo; ow <= owHi; ow++) {
                const long long o = base + oh * OW + ow;
                if (argmax[o] == idx) sum = __fadd_rn(sum, dout[o]);
            }
        }
        dx[e] = sum;
    }
}
