// Counter-based Gaussian noise, element for element the CPU generator's.
// CPU reference (the specification): org.badfl.server.noise.GaussianNoise and Philox4x32.
// Element i of stream (seed, stream): Philox4x32-10 block b = i/4 with counter (b_lo, b_hi, stream_lo, stream_hi)
// and key (seed_lo, seed_hi); words (0,1) and (2,3) give two Box–Muller pairs in double
// (u = (w + 0.5)·2⁻³², r = sqrt(-2 ln u0), θ = 2π·u1, z = r cos θ, r sin θ).
// The integer part is bit-exact; log/cos/sin are the device's double functions (within 1-2 ulp of the host's), and
// target + σ·z is rounded as on the CPU (__dmul_rn/__dadd_rn: no FMA), so results match the CPU to the float ulp
// nearly always, and bit for bit under the emulation (same libm math as the JVM's to within an ulp in double).
#pragma once
#include "common.cuh"
#include "philox.cuh"

// target[k] += σ · z_{first + k} for 0 <= k < count (float target, arithmetic in double).
extern "C" __global__ void gaussian_noise_forward_kernel(float* __restrict__ target, long long count, double sigma,
                                                         unsigned long long seed, unsigned long long stream,
                                                         long long first) {
    if (count <= 0) return;
    const long long b0 = first / 4, b1 = (first + count - 1) / 4;
    for (long long b = b0 + (long long)blockIdx.x * blockDim.x + threadIdx.x; b <= b1; b += (long long)gridDim.x * blockDim.x) {
        unsigned c[4] = {(unsigned)b, (unsigned)((unsigned long long)b >> 32), (unsigned)stream, (unsigned)(stream >> 32)};
        badfl_philox4x32_10(c, (unsigned)seed, (unsigned)(seed >> 32));
        double z[4];
        for (int q = 0; q < 4; q += 2) {
            const double r = sqrt(-2.0 * log(badfl_uniform(c[q])));
            const double theta = 2.0 * 3.141592653589793 * badfl_uniform(c[q + 1]);
            z[q] = r * cos(theta);
            z[q + 1] = r * sin(theta);
        }
        for (int q = 0; q < 4; q++) {
            const long long k = 4 * b + q - first;
            if (k >= 0 && k < count) target[k] = (float)__dadd_rn((double)target[k], __dmul_rn(sigma, z[q]));
        }
    }
}
