// CUDA emulation: lets the host C++ compiler build kernels/*.cu unchanged and run them on the CPU
// (native/emu_runtime.cpp executes the launches; org.badfl.gpu.EmulatedDevice drives them over JNI).
//
// Execution model
//   * Each block runs on one OS thread. Its threads are fibers (own stacks of 58-124 KiB from a per-thread pool,
//     hand-written x86-64 context switch, ucontext elsewhere). A fiber runs its thread until the thread ends
//     or reaches a barrier; a fiber whose thread ended starts the next unstarted thread of the block itself,
//     so a kernel that never synchronises runs every thread of a block on one fiber with no context switch.
//   * Blocks of one launch are spread over a pool of worker threads (EmulatedDevice's thread count), so
//     atomics are real atomics and blocks may run in any order, as on a GPU.
//   * __syncthreads(): every live thread of the block arrives (threads that returned count as arrived, like
//     sm_70+). A launch in which threads wait forever (e.g. a barrier some threads never reach while others
//     wait at a warp operation) fails with a clear error instead of hanging.
//   * Warps are 32 consecutive linear thread ids (x fastest). __shfl*_sync, __ballot_sync, __any_sync,
//     __all_sync and __syncwarp are warp barriers over the lanes of `mask` (lanes that do not exist or have
//     returned count as arrived) plus an exchange buffer per warp.
//   * __shared__ variables are per block: the macro makes them `static thread_local`, and a worker thread runs
//     one block at a time, so every fiber of the block sees the same storage and concurrent blocks (other
//     threads) see their own. Dynamic shared memory is declared with BADFL_DYNAMIC_SHARED(T, name)
//     (kernels/common.cuh: `extern __shared__` under nvcc); it is filled with 0xFF bytes (NaN) before each
//     block, so a kernel that reads shared memory it did not write produces NaN.
//
// Limitations (documented, checked where cheap)
//   * A thread yields only at a barrier or warp operation: a spin-wait on a value another thread of the same
//     block writes never finishes (the writer never runs), and one across blocks finishes only if the writer's
//     block happens to run at the same time (no guarantee on a GPU either).
//   * No tensor-core instructions (wmma/mma): kernels using them are compiled for the GPU only (see
//     kernels/sgemm_tf32.cu) and are not registered here.
//   * No cooperative groups, no __syncthreads_count/_and/_or, no __constant__/__device__ globals, no textures,
//     no clock(), no half/bfloat16 types, no inline PTX; printf is the host's.
//   * Dynamic shared memory: at most 227 KiB per block (sm_90's opt-in limit).
//   * Floating point is the host's IEEE arithmetic: no FMA contraction (built with -ffp-contract=off), so
//     __fmaf_rn/fmaf are the only fused operations; libm's exp/log/sin/cos stand in for CUDA's (both within
//     1-2 ulp of the exact result); the __expf-style fast intrinsics are the accurate functions here.
//   * Device-side assert/trap are not supported (they would abort the JVM), and a kernel that reads or writes
//     unmapped memory crashes the JVM like any native fault; writes just past a buffer (within 256 bytes) are
//     caught by the canary check instead. A fiber stack overflow hits a guard page (also a crash, not corruption).
#pragma once
#ifndef BADFL_CUDA_EMU_H
#define BADFL_CUDA_EMU_H

#include <math.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <climits>
#include <cfloat>

struct uint3 {
    unsigned x, y, z;
};
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

// CUDA's vector types used by kernels (16-byte float4 loads from shared memory in the SGEMM tiles).
struct __attribute__((aligned(8))) float2 {
    float x, y;
};
struct __attribute__((aligned(16))) float4 {
    float x, y, z, w;
};
inline float2 make_float2(float x, float y) { return float2{x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

namespace cuda_emu {

// What a fiber sees as threadIdx, blockIdx, ...: kept just above the top of the fiber's stack, in a
// kFiberRegionBytes-aligned region, so kernels find it from the stack pointer in a few instructions (no
// thread-local lookup) and it shares pages with the fiber's hot stack frames. Regions are "coloured": the
// context and stack top sit (colour · kFiberColorStride) bytes below the region's end, colour = region index mod
// 16, so that hundreds of equally aligned fibers do not compete for the same cache sets and TLB entries.
// The runtime writes the context when the fiber starts a thread.
constexpr uintptr_t kFiberRegionBytes = 128 * 1024;
constexpr uintptr_t kFiberColors = 16;
constexpr uintptr_t kFiberColorStride = 4096 + 5 * 64;
constexpr uintptr_t kFiberContextBytes = 128;
struct ThreadContext {
    uint3 tidx, bidx, bdim, gdim;
    unsigned tid;                 // linear thread index in the block (x fastest)
    unsigned char* dynamicShared; // this block's dynamic shared memory
    void* worker;                 // the runtime's worker that owns this fiber
    void* fiber;                  // the runtime's fiber record
};

// The context of the fiber running the caller (valid only inside a kernel launch).
inline ThreadContext& current() {
    uintptr_t sp;
#if defined(__x86_64__)
    asm("movq %%rsp, %0" : "=r"(sp));
#else
    sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
#endif
    const uintptr_t region = sp & ~(kFiberRegionBytes - 1);
    const uintptr_t color = (region / kFiberRegionBytes) % kFiberColors;
    return *reinterpret_cast<ThreadContext*>(region + kFiberRegionBytes - kFiberContextBytes - color * kFiberColorStride);
}

// Implemented in emu_runtime.cpp; called only from inside a launch.
void syncthreads();
void syncwarp(unsigned mask);
uint64_t warp_exchange(unsigned mask, uint64_t mine, int srcLane); // srcLane < 0: returns mine
unsigned warp_ballot(unsigned mask, int predicate);
unsigned warp_active_mask();

template <typename T>
inline uint64_t to_bits(T v) {
    static_assert(sizeof(T) <= 8, "warp shuffles move at most 8 bytes");
    uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
}
template <typename T>
inline T from_bits(uint64_t b) {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
}
inline int lane_id() { return (int)(current().tid & 31u); }
} // namespace cuda_emu

#define threadIdx (::cuda_emu::current().tidx)
#define blockIdx (::cuda_emu::current().bidx)
#define blockDim (::cuda_emu::current().bdim)
#define gridDim (::cuda_emu::current().gdim)
constexpr int warpSize = 32;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
// __noinline__ is not defined: GCC's own headers use __attribute__((__noinline__)). __restrict__ is GCC's too.
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
// One copy per block: a worker thread runs one block at a time (see the header comment).
#define __shared__ static thread_local
#define BADFL_DYNAMIC_SHARED(T, name) T* name = reinterpret_cast<T*>(::cuda_emu::current().dynamicShared)

// ---- synchronisation -----------------------------------------------------------------------------------
inline void __syncthreads() { ::cuda_emu::syncthreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { ::cuda_emu::syncwarp(mask); }
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline unsigned __activemask() { return ::cuda_emu::warp_active_mask(); }

// ---- warp shuffles and votes (width: a power of two <= 32, as in CUDA) -----------------------------------
template <typename T>
inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = 32) {
    int lane = ::cuda_emu::lane_id();
    int src = (lane & ~(width - 1)) + (srcLane & (width - 1));
    return ::cuda_emu::from_bits<T>(::cuda_emu::warp_exchange(mask, ::cuda_emu::to_bits(var), src));
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    int lane = ::cuda_emu::lane_id();
    int src = (lane & (width - 1)) < (int)delta ? -1 : lane - (int)delta;
    return ::cuda_emu::from_bits<T>(::cuda_emu::warp_exchange(mask, ::cuda_emu::to_bits(var), src));
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    int lane = ::cuda_emu::lane_id();
    int src = (lane & (width - 1)) + (int)delta >= width ? -1 : lane + (int)delta;
    return ::cuda_emu::from_bits<T>(::cuda_emu::warp_exchange(mask, ::cuda_emu::to_bits(var), src));
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = 32) {
    int lane = ::cuda_emu::lane_id();
    int src = lane ^ laneMask;
    // CUDA: a lane may read earlier groups of `width` lanes, never later ones (it gets its own value).
    if ((src & ~(width - 1)) > (lane & ~(width - 1)) || src > 31) {
        src = -1;
    }
    return ::cuda_emu::from_bits<T>(::cuda_emu::warp_exchange(mask, ::cuda_emu::to_bits(var), src));
}
inline unsigned __ballot_sync(unsigned mask, int predicate) { return ::cuda_emu::warp_ballot(mask, predicate); }
inline int __any_sync(unsigned mask, int predicate) { return ::cuda_emu::warp_ballot(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) { return ::cuda_emu::warp_ballot(mask, !predicate) == 0; }

// ---- atomics (relaxed, like CUDA's; blocks run concurrently on worker threads) ---------------------------
#define BADFL_EMU_INT_ATOMICS(T)                                                                              \
    inline T atomicAdd(T* a, T v) { return __atomic_fetch_add(a, v, __ATOMIC_RELAXED); }                    \
    inline T atomicSub(T* a, T v) { return __atomic_fetch_sub(a, v, __ATOMIC_RELAXED); }                    \
    inline T atomicExch(T* a, T v) { return __atomic_exchange_n(a, v, __ATOMIC_RELAXED); }                  \
    inline T atomicAnd(T* a, T v) { return __atomic_fetch_and(a, v, __ATOMIC_RELAXED); }                    \
    inline T atomicOr(T* a, T v) { return __atomic_fetch_or(a, v, __ATOMIC_RELAXED); }                      \
    inline T atomicXor(T* a, T v) { return __atomic_fetch_xor(a, v, __ATOMIC_RELAXED); }                    \
    inline T atomicCAS(T* a, T expected, T desired) {                                                         \
        __atomic_compare_exchange_n(a, &expected, desired, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);        \
        return expected;                                                                                      \
    }                                                                                                         \
    inline T atomicMax(T* a, T v) {                                                                           \
        T old = __atomic_load_n(a, __ATOMIC_RELAXED);                                                         \
        while (old < v && !__atomic_compare_exchange_n(a, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) \
            ;                                                                                                 \
        return old;                                                                                           \
    }                                                                                                         \
    inline T atomicMin(T* a, T v) {                                                                           \
        T old = __atomic_load_n(a, __ATOMIC_RELAXED);                                                         \
        while (old > v && !__atomic_compare_exchange_n(a, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) \
            ;                                                                                                 \
        return old;                                                                                           \
    }
BADFL_EMU_INT_ATOMICS(int)
BADFL_EMU_INT_ATOMICS(unsigned)
BADFL_EMU_INT_ATOMICS(long long)
BADFL_EMU_INT_ATOMICS(unsigned long long)
#undef BADFL_EMU_INT_ATOMICS

namespace cuda_emu {
// Floating-point read-modify-write as a compare-and-swap loop on the bit pattern (what sm_60- did too).
template <typename F, typename Bits, typename Op>
inline F atomic_float_rmw(F* address, Op op) {
    Bits* a = reinterpret_cast<Bits*>(address);
    Bits old = __atomic_load_n(a, __ATOMIC_RELAXED);
    for (;;) {
        F updated = op(from_bits<F>(old));
        Bits want;
        std::memcpy(&want, &updated, sizeof(F));
        if (__atomic_compare_exchange_n(a, &old, want, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            return from_bits<F>(old);
        }
    }
}
} // namespace cuda_emu
inline float atomicAdd(float* a, float v) {
    return ::cuda_emu::atomic_float_rmw<float, uint32_t>(a, [v](float x) { return x + v; });
}
inline double atomicAdd(double* a, double v) {
    return ::cuda_emu::atomic_float_rmw<double, uint64_t>(a, [v](double x) { return x + v; });
}
inline float atomicExch(float* a, float v) {
    return ::cuda_emu::atomic_float_rmw<float, uint32_t>(a, [v](float) { return v; });
}

// ---- integer and bit intrinsics --------------------------------------------------------------------------
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
inline int __mulhi(int a, int b) { return (int)(((long long)a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __clzll(long long x) { return x == 0 ? 64 : __builtin_clzll((unsigned long long)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    return __builtin_bswap32(x);
}

// ---- reinterpretation and conversion ---------------------------------------------------------------------
inline int __float_as_int(float x) { return ::cuda_emu::from_bits<int>(::cuda_emu::to_bits(x)); }
inline unsigned __float_as_uint(float x) { return ::cuda_emu::from_bits<unsigned>(::cuda_emu::to_bits(x)); }
inline float __int_as_float(int x) { return ::cuda_emu::from_bits<float>(::cuda_emu::to_bits(x)); }
inline float __uint_as_float(unsigned x) { return ::cuda_emu::from_bits<float>(::cuda_emu::to_bits(x)); }
inline long long __double_as_longlong(double x) { return ::cuda_emu::from_bits<long long>(::cuda_emu::to_bits(x)); }
inline double __longlong_as_double(long long x) { return ::cuda_emu::from_bits<double>(::cuda_emu::to_bits(x)); }
inline int __float2int_rn(float x) { return (int)nearbyintf(x); }
inline int __float2int_rz(float x) { return (int)x; }
inline int __float2int_rd(float x) { return (int)floorf(x); }
inline int __float2int_ru(float x) { return (int)ceilf(x); }
inline float __int2float_rn(int x) { return (float)x; }
inline float __double2float_rn(double x) { return (float)x; }

// ---- math: IEEE round-to-nearest operations and the fast-math intrinsics (accurate here) -----------------
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return sqrt(a); }
inline double __drcp_rn(double a) { return 1.0 / a; }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __expf(float x) { return expf(x); }
inline float __exp10f(float x) { return exp10f(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __log10f(float x) { return log10f(x); }
inline float __powf(float a, float b) { return powf(a, b); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline void __sincosf(float x, float* s, float* c) { sincosf(x, s, c); }
inline float __saturatef(float x) { return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; } // NaN -> 0
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float sinpif(float x) { return sinf((float)M_PI * x); }
inline float cospif(float x) { return cosf((float)M_PI * x); }
inline double sinpi(double x) { return sin(M_PI * x); }
inline double cospi(double x) { return cos(M_PI * x); }
template <typename T>
inline T __ldg(const T* p) { return *p; }

// CUDA's global min/max overloads for device code.
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }

#endif // BADFL_CUDA_EMU_H
