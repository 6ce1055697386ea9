// Runtime of the CUDA emulation (internal to libbadfl_cudaemu.so): the kernel registry, the launch engine
// (fibers + worker threads, emu_runtime.cpp) and "device" memory (emu_memory.cpp). emu_jni.cpp exposes it to Java.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>
#include "cuda_emu.h"

namespace cuda_emu {

// Bad input from the caller (Java: IllegalArgumentException).
struct BadArgument : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A launch that went wrong while running (Java: IllegalStateException).
struct KernelFault : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// ---- kernel registry ---------------------------------------------------------------------------------------
// Packed kernel arguments: one code per argument, values little-endian and unpadded in the same order.
//   p pointer (8 bytes)   i 32-bit int/unsigned   l 64-bit integer   f float   d double
template <typename T, typename = void>
struct ArgCode; // no definition: a kernel parameter of another type fails to compile
template <typename T>
struct ArgCode<T*> { static constexpr char code = 'p'; };
template <> struct ArgCode<int> { static constexpr char code = 'i'; };
template <> struct ArgCode<unsigned> { static constexpr char code = 'i'; };
template <> struct ArgCode<long long> { static constexpr char code = 'l'; };
template <> struct ArgCode<unsigned long long> { static constexpr char code = 'l'; };
template <> struct ArgCode<long> { static constexpr char code = 'l'; };
template <> struct ArgCode<unsigned long> { static constexpr char code = 'l'; };
template <> struct ArgCode<float> { static constexpr char code = 'f'; };
template <> struct ArgCode<double> { static constexpr char code = 'd'; };

inline size_t arg_size(char code) { return code == 'i' || code == 'f' ? 4 : 8; }

struct KernelInfo {
    const char* name;
    std::string signature;
    void* (*bind)(const unsigned char* packed); // unpacked argument tuple (heap)
    void (*invoke)(const void* bound);          // runs the kernel body for the current emulated thread
    void (*release)(void* bound);
};

template <typename Fn, Fn F>
struct KernelOf;
template <typename... A, void (*F)(A...)>
struct KernelOf<void (*)(A...), F> {
    using Tuple = std::tuple<std::decay_t<A>...>;
    static void* bind(const unsigned char* packed) {
        Tuple* t = new Tuple();
        size_t off = 0;
        std::apply([&](auto&... arg) { ((std::memcpy(&arg, packed + off, sizeof(arg)), off += sizeof(arg)), ...); }, *t);
        return t;
    }
    static void invoke(const void* bound) { std::apply(F, *static_cast<const Tuple*>(bound)); }
    static void release(void* bound) { delete static_cast<Tuple*>(bound); }
    static KernelInfo info(const char* name) {
        static_assert(((sizeof(std::decay_t<A>) == arg_size_of<std::decay_t<A>>()) && ...), "argument sizes");
        return KernelInfo{name, std::string{ArgCode<std::decay_t<A>>::code...}, &bind, &invoke, &release};
    }
    template <typename T>
    static constexpr size_t arg_size_of() { return ArgCode<T>::code == 'i' || ArgCode<T>::code == 'f' ? 4 : 8; }
};

// Filled by native/cuda_emu_kernels.cpp (one line per kernel).
const std::vector<KernelInfo>& kernel_registry();
const KernelInfo* find_kernel(const std::string& name);

// ---- launches ----------------------------------------------------------------------------------------------
constexpr size_t kMaxDynamicShared = 232448; // 227 KiB, sm_90's opt-in maximum per block

constexpr int kMaxWorkerThreads = 256;

// Runs kernel(args) on grid x block with blocks spread over `threads` worker threads; returns when every block
// has finished. Throws BadArgument for an invalid configuration and KernelFault for a launch that deadlocked.
// One launch at a time per process.
void launch(const KernelInfo& kernel, const unsigned char* packedArgs, dim3 grid, dim3 block, size_t sharedBytes,
            int threads);

// ---- device memory -----------------------------------------------------------------------------------------
// Allocations are host memory addressed by their 64-bit address (the handle Java holds), 256-byte aligned,
// filled with 0xFF bytes (NaN as float/double, -1 as integers), with 256-byte canary zones on both sides that
// are checked after each launch for the allocations passed to the kernel.
uint64_t mem_alloc(uint64_t bytes);
void mem_free(uint64_t handle);
// Throws BadArgument unless [address, address + bytes) lies inside one live allocation; `what` names it.
void mem_check_range(uint64_t address, uint64_t bytes, const char* what);
// After a launch: throws KernelFault naming the kernel argument whose allocation's canary zones were overwritten.
void mem_check_canaries(const std::vector<uint64_t>& addresses, const char* kernelName);
uint64_t mem_live_allocations();
uint64_t mem_live_bytes();

} // namespace cuda_emu
