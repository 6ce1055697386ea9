// Philox4x32-10 (Salmon et al., SC 2011), the counter-based generator shared by the Gaussian noise and dropout
// kernels. CPU reference: org.badfl.server.noise.Philox4x32 (bit-identical: only integer arithmetic).
#pragma once
#include "common.cuh"

// Ten rounds on counter c[0..3] with key (k0, k1); the result replaces c.
__device__ __forceinline__ void badfl_philox4x32_10(unsigned c[4], unsigned k0, unsigned k1) {
    const unsigned M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    for (int r = 0; r < 10; r++) {
        const unsigned hi0 = __umulhi(M0, c[0]), lo0 = M0 * c[0];
        const unsigned hi1 = __umulhi(M1, c[2]), lo1 = M1 * c[2];
        const unsigned n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = lo1;
        c[2] = n2;
        c[3] = lo0;
        k0 += W0;
        k1 += W1;
    }
}

// Uniform in (0, 1) from a 32-bit word: (w + 0.5)·2⁻³² (Philox4x32.uniform), exact in double.
__device__ __forceinline__ double badfl_uniform(unsigned w) { return ((double)w + 0.5) * (1.0 / 4294967296.0); }
