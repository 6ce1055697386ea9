// BatchNorm2d (PyTorch semantics: eps 1e-5, momentum 0.1, biased variance normalises, unbiased variance enters the
// running estimate). CPU reference (the specification): org.badfl.engine.BatchNorm2d; host launcher:
// org.badfl.gpu.nn.DeviceBatchNorm2d. Per channel c over n = batch*P values (P = H*W), in double:
//   train: mu = Σx/n, var = Σ(x-mu)²/n (two passes), istd = 1/sqrt(var + eps)
//          running_mean = (float)(0.9*rm + 0.1*mu), running_var = (float)(0.9*rv + 0.1*var*n/(n-1))
//   eval:  mu = running_mean, istd = 1/sqrt(running_var + eps)
//   y = x*scale + shift in float, scale = (float)(gamma*istd), shift = (float)(beta - mu*gamma*istd)
//   backward (train): sdy = Σdy, sdyx = Σdy*xhat, xhat = (x-mu)*istd; dgamma = sdyx, dbeta = sdy;
//                     dx = (float)(gamma*istd*(dy - sdy/n - xhat*sdyx/n))
//   backward (eval):  dx = dy*scale (and the same dgamma, dbeta when parameter gradients are wanted)
// Sums are block reductions in double (one block per channel, grid-stride over channels): they differ from the
// sequential Java sums by double reassociation only; everything after them uses the Java expressions with
// explicit IEEE operations (no FMA contraction), so equal sums give equal bits.
// stats (double, per channel): [2c] = mu, [2c+1] = istd; affine (float): [2c] = scale, [2c+1] = shift;
// sums (double): [2c] = Σdy, [2c+1] = Σdy*xhat.
#pragma once
#include "common.cuh"

#define BADFL_BN_EPS 1e-5
#define BADFL_BN_MOMENTUM 0.1

// Sum of `v` over the block into s[0] (returned to every thread); s: blockDim.x doubles. Any block size.
__device__ __forceinline__ double badfl_block_sum(double v, double* s) {
    const int t = threadIdx.x, T = blockDim.x;
    s[t] = v;
    __syncthreads();
    for (int stride = 1; stride < T; stride *= 2) {
        if (t % (2 * stride) == 0 && t + stride < T) s[t] = __dadd_rn(s[t], s[t + stride]);
        __syncthreads();
    }
    const double total = s[0];
    __syncthreads(); // s is reused by the next reduction
    return total;
}

// Index in the NCHW batch of value e (0 <= e < batch*P) of channel c: image e / P, pixel e % P (32-bit math).
__device__ __forceinline__ long long badfl_bn_index(int e, int P, int C, int c) {
    const int n = e / P;
    return ((long long)n * C + c) * P + (e - n * P);
}

// Statistics (train: batch statistics and the running-statistic update; eval: from the running statistics),
// then the per-channel affine map of the forward. Dynamic shared memory: blockDim.x doubles.
extern "C" __global__ void batchnorm2d_stats_forward_kernel(const float* __restrict__ x, int batch, int C, int P,
                                                            int training, const float* __restrict__ gamma,
                                                            const float* __restrict__ beta,
                                                            float* __restrict__ runningMean,
                                                            float* __restrict__ runningVar, double* __restrict__ stats,
                                                            float* __restrict__ affine) {
    BADFL_DYNAMIC_SHARED(double, s);
    const int t = threadIdx.x, T = blockDim.x;
    const int count = batch * P; // < 2^31: the launcher checks
    for (int c = blockIdx.x; c < C; c += gridDim.x) {
        double mu, is;
        if (training) {
            const double n = (double)count;
            double sum = 0.0;
            for (int e = t; e < count; e += T) sum = __dadd_rn(sum, (double)x[badfl_bn_index(e, P, C, c)]);
            mu = badfl_block_sum(sum, s) / n;
            double sq = 0.0;
            for (int e = t; e < count; e += T) {
                const double d = __dsub_rn((double)x[badfl_bn_index(e, P, C, c)], mu);
                sq = __dadd_rn(sq, __dmul_rn(d, d));
            }
            const double var = badfl_block_sum(sq, s) / n;
            is = 1.0 / sqrt(__dadd_rn(var, BADFL_BN_EPS));
            if (t == 0) {
                const double keep = 1.0 - BADFL_BN_MOMENTUM;
                runningMean[c] = (float)__dadd_rn(__dmul_rn(keep, (double)runningMean[c]), __dmul_rn(BADFL_BN_MOMENTUM, mu));
                const double unbiased = __ddiv_rn(__dmul_rn(__dmul_rn(BADFL_BN_MOMENTUM, var), n), n - 1.0);
                runningVar[c] = (float)__dadd_rn(__dmul_rn(keep, (double)runningVar[c]), unbiased);
            }
        } else {
            mu = (double)runningMean[c];
            is = 1.0 / sqrt(__dadd_rn((double)runningVar[c], BADFL_BN_EPS));
        }
        if (t == 0) {
            const double g = (double)gamma[c];
            stats[2 * c] = mu;
            stats[2 * c + 1] = is;
            affine[2 * c] = (float)__dmul_rn(g, is);
            affine[2 * c + 1] = (float)__dsub_rn((double)beta[c], __dmul_rn(__dmul_rn(mu, g), is));
        }
        __syncthreads();
    }
}

// y = x*scale + shift (float, two roundings as in Java).
extern "C" __global__ void batchnorm2d_forward_kernel(const float* __restrict__ x, float* __restrict__ y, int batch,
                                                      int C, int P, const float* __restrict__ affine) {
    const int total = batch * C * P;
    for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
        const int c = (e / P) % C;
        y[e] = __fadd_rn(__fmul_rn(x[e], affine[2 * c]), affine[2 * c + 1]);
    }
}

// Per channel Σdy and Σdy*xhat into sums; dgamma/dbeta (when not null) = those sums as float.
// Dynamic shared memory: blockDim.x doubles.
extern "C" __global__ void batchnorm2d_reduce_backward_kernel(const float* __restrict__ x, const float* __restrict__ dy,
                                                              int batch, int C, int P, const double* __restrict__ stats,
                                                              double* __restrict__ sums, float* __restrict__ dgamma,
                                                              float* __restrict__ dbeta) {
    BADFL_DYNAMIC_SHARED(double, s);
    const int t = threadIdx.x, T = blockDim.x;
    const int count = batch * P;
    for (int c = blockIdx.x; c < C; c += gridDim.x) {
        const double mu = stats[2 * c], is = stats[2 * c + 1];
        double sdy = 0.0, sdyx = 0.0;
        for (int e = t; e < count; e += T) {
            const long long i = badfl_bn_index(e, P, C, c);
            const double g = (double)dy[i];
            sdy = __dadd_rn(sdy, g);
            sdyx = __dadd_rn(sdyx, __dmul_rn(g, __dmul_rn(__dsub_rn((double)x[i], mu), is)));
        }
        sdy = badfl_block_sum(sdy, s);
        sdyx = badfl_block_sum(sdyx, s);
        if (t == 0) {
            sums[2 * c] = sdy;
            sums[2 * c + 1] = sdyx;
            if (dgamma) dgamma[c] = (float)sdyx;
            if (dbeta) dbeta[c] = (float)sdy;
        }
    }
}

// dx: training = (float)(k*(dy - sdy/n - xhat*sdyx/n)), k = gamma*istd; eval = dy*scale.
extern "C" __global__ void batchnorm2d_backward_kernel(const float* __restrict__ x, const float* __restrict__ dy,
                                                       float* __restrict__ dx, int batch, int C, int P, int training,
                                                       const float* __restrict__ gamma, const double* __restrict__ stats,
                                                       const double* __restrict__ sums, const float* __restrict__ affine) {
    const int total = batch * C * P;
    const double n = (double)batch * P;
    for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
        const int c = (e / P) % C;
        if (!training) {
            dx[e] = __fmul_rn(dy[e], affine[2 * c]);
            continue;
        }
        const double mu = stats[2 * c], is = stats[2 * c + 1];
        const double meanDy = sums[2 * c] / n, meanDyXhat = sums[2 * c + 1] / n;
        const double k = __dmul_rn((double)gamma[c], is);
        const double xhat = __dmul_rn(__dsub_rn((double)x[e], mu), is);
        const double inner = __dsub_rn(__dsub_rn((double)dy[e], meanDy), __dmul_rn(xhat, meanDyXhat));
        dx[e] = (float)__dmul_rn(k, inner);
    }
}
