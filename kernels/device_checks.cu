// Kernels that check the execution model itself: barriers, shared memory (static and dynamic) per block,
// atomics under contention, warp shuffles and votes. org.badfl.gpu.DeviceChecks launches them on any device
// (the CPU emulation in CI, a real GPU where present) and compares with values computed in Java.
// The kernels marked "emulator only" are deliberately invalid CUDA and are never launched on a GPU.
#pragma once
#include "common.cuh"

// Rotates each block's values `rounds` times through dynamic shared memory: thread t ends with the value of
// thread (t + rounds) mod blockDim.x of its block. Wrong without a working barrier or per-block shared memory.
extern "C" __global__ void check_barrier_rotate_kernel(const int* in, int* out, int rounds) {
    BADFL_DYNAMIC_SHARED(int, s);
    const int t = threadIdx.x, B = blockDim.x;
    const long long base = (long long)blockIdx.x * B;
    int v = in[base + t];
    for (int r = 0; r < rounds; r++) {
        s[t] = v;
        __syncthreads();
        v = s[(t + 1) % B];
        __syncthreads();
    }
    out[base + t] = v;
}

// Tree reduction in static shared memory (blockDim.x a power of two <= 1024): sums[b] = Σ of block b's inputs.
// Then, for 16 rounds, thread 0 stores its block index in a static shared tag and every thread checks it after a
// barrier (tagOk = 1 if it always matched): blocks running at the same time must not share __shared__ storage.
extern "C" __global__ void check_shared_reduce_kernel(const float* in, float* sums, int* tagOk) {
    __shared__ float partial[1024];
    __shared__ int tag;
    const int t = threadIdx.x;
    const long long g = (long long)blockIdx.x * blockDim.x + t;
    partial[t] = in[g];
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) partial[t] += partial[t + s];
        __syncthreads();
    }
    if (t == 0) sums[blockIdx.x] = partial[0];
    int ok = 1;
    for (int round = 0; round < 16; round++) {
        if (t == 0) tag = blockIdx.x;
        __syncthreads();
        ok &= tag == (int)blockIdx.x;
        __syncthreads();
    }
    tagOk[g] = ok;
}

// Every thread of the grid hits the same few addresses.
// ints: [0] += 1, [1] = max(gid), [2] = min(-gid), [3] += 1 by a CAS loop, [4] ^= gid, [5] |= 1 << (gid % 31)
extern "C" __global__ void check_atomics_kernel(int* ints, unsigned long long* u64, float* f32, double* f64, int total) {
    const int g = blockIdx.x * blockDim.x + threadIdx.x;
    if (g >= total) return;
    atomicAdd(&ints[0], 1);
    atomicMax(&ints[1], g);
    atomicMin(&ints[2], -g);
    int old = ints[3], assumed;
    do {
        assumed = old;
        old = atomicCAS(&ints[3], assumed, assumed + 1);
    } while (old != assumed);
    atomicXor(&ints[4], g);
    atomicOr(&ints[5], 1 << (g % 31));
    atomicAdd(&u64[0], (unsigned long long)g);
    atomicAdd(&f32[0], 1.0f);
    atomicAdd(&f64[0], 0.5);
}

// Warp collectives on integer inputs (exact). blockDim.x a multiple of 32. N = grid size; out has 9·N ints:
//   [0] warp sum by __shfl_down_sync (lane 0's value)   [1] warp max by __shfl_xor_sync (all lanes)
//   [2] lane 3's value by __shfl_sync                  [3] inclusive prefix sum by __shfl_up_sync
//   [4] __ballot_sync(v > 0)                            [5] sum over groups of 16 lanes (xor, width 16)
//   [6] sum over groups of 8 lanes (down, width 8; lane 0 of each group)  [7] __any_sync(v > 90)
//   [8] __all_sync(v > -100)
extern "C" __global__ void check_warp_kernel(const int* in, int* out) {
    const unsigned full = 0xffffffffu;
    const long long N = (long long)gridDim.x * blockDim.x;
    const long long g = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const int lane = threadIdx.x % 32;
    const int v = in[g];
    int sum = v;
    for (int o = 16; o > 0; o >>= 1) sum += __shfl_down_sync(full, sum, o);
    int mx = v;
    for (int o = 16; o > 0; o >>= 1) mx = max(mx, __shfl_xor_sync(full, mx, o));
    const int third = __shfl_sync(full, v, 3);
    int scan = v;
    for (int o = 1; o < 32; o <<= 1) {
        const int y = __shfl_up_sync(full, scan, o);
        if (lane >= o) scan += y;
    }
    const unsigned ballot = __ballot_sync(full, v > 0);
    int half = v;
    for (int o = 8; o > 0; o >>= 1) half += __shfl_xor_sync(full, half, o, 16);
    int eighth = v;
    for (int o = 4; o > 0; o >>= 1) eighth += __shfl_down_sync(full, eighth, o, 8);
    const int any = __any_sync(full, v > 90);
    const int all = __all_sync(full, v > -100);
    out[0 * N + g] = sum;
    out[1 * N + g] = mx;
    out[2 * N + g] = third;
    out[3 * N + g] = scan;
    out[4 * N + g] = (int)ballot;
    out[5 * N + g] = half;
    out[6 * N + g] = eighth;
    out[7 * N + g] = any;
    out[8 * N + g] = all;
}

// Emulator only (invalid CUDA): lane 0 of each block waits at a warp shuffle that the other threads, waiting at
// __syncthreads, never reach. The emulator must report a deadlock instead of hanging.
extern "C" __global__ void check_emulator_deadlock_kernel(int* out) {
    if (threadIdx.x == 0) {
        out[blockIdx.x] = __shfl_sync(0xffffffffu, 1, 0);
    } else {
        __syncthreads();
    }
}

// Emulator only: copies the block's dynamic shared memory, unwritten, to out (the emulator poisons it with NaN).
extern "C" __global__ void check_emulator_shared_poison_kernel(float* out) {
    BADFL_DYNAMIC_SHARED(float, s);
    out[(long long)blockIdx.x * blockDim.x + threadIdx.x] = s[threadIdx.x];
}
