// Conv2d (cross-correlation, square kernel, stride, zero padding, optional bias) as im2col + our SGEMM.
// CPU reference (the specification): org.badfl.engine.Conv2d (im2col, col2im, bias gradient);
// host launcher: org.badfl.gpu.nn.DeviceConv2d. With CKK = C*k*k, P = OH*OW and a chunk of nb images:
//   forward:   cols (CKK x nb*P) = im2col(x)            conv2d_im2col_forward_kernel
//              out (NCHW)        = W (outC x CKK) · cols + bias     sgemm (output mapped to NCHW, row bias)
//   backward:  dY (outC x nb*P)  = gather(dOut)          conv2d_gather_backward_kernel
//              dW (+)= dY · colsᵀ                         sgemm (split-K: K = nb*P is long)
//              dCols = Wᵀ · dY ;  dx = col2im(dCols)      sgemm, conv2d_col2im_backward_kernel
//              db[o] = Σ_{n,p} dOut[n][o][p]              conv2d_bias_backward_kernel (double)
// col2im gathers (one thread per input element, no atomics) and adds its (ki, kj) contributions in the Java
// order, so for the same dCols it is bit-identical to Conv2d.col2im. Element-wise kernels use grid-stride loops.
#pragma once
#include "common.cuh"

// cols[((c*k + ki)*k + kj)*ld + j*P + oh*OW + ow] = x[j][c][oh*s - pad + ki][ow*s - pad + kj] (0 outside),
// for images j < nb of x (each C*H*W floats). One thread per (image, channel, output pixel), grid-stride: it decodes
// its triple once and writes the k*k rows of its column (consecutive threads: consecutive pixels, so every row's
// stores are coalesced and the k*k loads of neighbouring threads share cache lines). Decoding per element instead
// (one thread per row entry, four integer divisions each) made this kernel instruction-bound: 24% of a ResNet-18
// step on an H100, more than any GEMM.
extern "C" __global__ void conv2d_im2col_forward_kernel(const float* __restrict__ x, int nb, int C, int H, int W,
                                                        int k, int stride, int pad, int OH, int OW,
                                                        float* __restrict__ cols, int ld) {
    const int P = OH * OW;
    const long long total = (long long)nb * C * P;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total;
         e += (long long)gridDim.x * blockDim.x) {
        const int p = (int)(e % P);
        const long long q = e / P;
        const int c = (int)(q % C), j = (int)(q / C);
        const int oh = p / OW, ow = p - oh * OW;
        const int ih0 = oh * stride - pad, iw0 = ow * stride - pad;
        const float* xc = x + ((long long)j * C + c) * H * W;
        float* out = cols + (long long)c * k * k * ld + (long long)j * P + p;
        for (int ki = 0; ki < k; ki++) {
            const int ih = ih0 + ki;
            const bool rowInside = ih >= 0 && ih < H;
            for (int kj = 0; kj < k; kj++) {
                const int iw = iw0 + kj;
                out[(long long)(ki * k + kj) * ld] = (rowInside && iw >= 0 && iw < W) ? xc[ih * W + iw] : 0.0f;
            }
        }
    }
}

// dx[j][c][h][w] = Σ over (ki, kj) with h = oh*s - pad + ki, w = ow*s - pad + kj inside the output of
// dCols[((c*k + ki)*k + kj)*ld + j*P + oh*OW + ow], in (ki, kj) order starting from +0 (Conv2d.col2im's order).
// Every element of the nb images of dx is written. Index math in 32 bits (nb*C*H*W < 2^31, checked by the launcher).
extern "C" __global__ void conv2d_col2im_backward_kernel(const float* __restrict__ dcols, int ld, int nb, int C, int H,
                                                         int W, int k, int stride, int pad, int OH, int OW,
                                                         float* __restrict__ dx) {
    const int P = OH * OW;
    const int total = nb * C * H * W; // < 2^31: the launcher checks
    for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
        int q = e / W;
        const int w = e - q * W;
        const int h = q % H;
        q /= H;
        const int c = q % C, j = q / C;
        const float* col = dcols + (long long)j * P;
        float sum = 0.0f;
        for (int ki = 0; ki < k; ki++) {
            const int th = h + pad - ki;
            if (th < 0) break; // th only decreases with ki
            const int oh = stride == 1 ? th : th / stride;
            if (oh * stride != th || oh >= OH) continue;
            for (int kj = 0; kj < k; kj++) {
                const int tw = w + pad - kj;
                if (tw < 0) break;
                const int ow = stride == 1 ? tw : tw / stride;
                if (ow * stride != tw || ow >= OW) continue;
                sum = __fadd_rn(sum, col[(long long)((c * k + ki) * k + kj) * ld + oh * OW + ow]);
            }
        }
        dx[e] = sum;
    }
}

// dY[o][j*P + p] = dOut[j][o][p] for the nb images of dOut (outC*P floats each): the output gradient as the
// channel-major matrix the two backward GEMMs read. Grid: x over the nb*P columns, y over the channels.
extern "C" __global__ void conv2d_gather_backward_kernel(const float* __restrict__ dout, int nb, int outC, int P,
                                                         float* __restrict__ dy) {
    const int n = nb * P;
    for (int o = blockIdx.y; o < outC; o += gridDim.y) {
        for (int col = blockIdx.x * blockDim.x + threadIdx.x; col < n; col += gridDim.x * blockDim.x) {
            const int j = col / P, p = col - j * P;
            dy[(long long)o * n + col] = dout[((long long)j * outC + o) * P + p];
        }
    }
}

// db[o] = (float) Σ_{n < batch, p < P} dOut[n][o][p], summed in double: one block per channel (grid-stride over
// channels), each thread a strided partial sum, then a tree in shared memory (blockDim.x doubles of dynamic
// shared memory; any block size). Differs from the sequential Java sum only by double reassociation.
extern "C" __global__ void conv2d_bias_backward_kernel(const float* __restrict__ dout, int batch, int outC, int P,
                                                       float* __restrict__ db) {
    BADFL_DYNAMIC_SHARED(double, s);
    const int t = threadIdx.x, T = blockDim.x;
    const int count = batch * P;
    for (int o = blockIdx.x; o < outC; o += gridDim.x) {
        double sum = 0.0;
        for (int e = t; e < count; e += T) {
            const int n = e / P, p = e - n * P;
            sum = __dadd_rn(sum, (double)dout[((long long)n * outC + o) * P + p]);
        }
        s[t] = sum;
        __syncthreads();
        for (int stride = 1; stride < T; stride *= 2) {
            if (t % (2 * stride) == 0 && t + stride < T) s[t] = __dadd_rn(s[t], s[t + stride]);
            __syncthreads();
        }
        if (t == 0) db[o] = (float)s[0];
        __syncthreads();
    }
}
