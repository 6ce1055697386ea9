// CUDA emulation for executing kernels/*.cu on the CPU (host C++ compiler).
// Minimal version: threads of a block run one after another, so kernels must not use __syncthreads.
// The GPU backend issue replaces this with fibers (barriers, shared memory, atomics, warp shuffles).
#pragma once
#include <cstdint>

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace cuda_emu {
struct ThreadState { dim3 threadIdx, blockIdx, blockDim, gridDim; };
extern thread_local ThreadState current;
}

#define threadIdx (cuda_emu::current.threadIdx)
#define blockIdx (cuda_emu::current.blockIdx)
#define blockDim (cuda_emu::current.blockDim)
#define gridDim (cuda_emu::current.gridDim)
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict

namespace cuda_emu {
// Runs kernel(args...) for every thread of every block, sequentially.
template <typename Kernel, typename... Args>
void launch(Kernel kernel, dim3 grid, dim3 block, Args... args) {
    for (unsigned bz = 0; bz < grid.z; bz++)
    for (unsigned by = 0; by < grid.y; by++)
    for (unsigned bx = 0; bx < grid.x; bx++)
    for (unsigned tz = 0; tz < block.z; tz++)
    for (unsigned ty = 0; ty < block.y; ty++)
    for (unsigned tx = 0; tx < block.x; tx++) {
        current = ThreadState{dim3(tx, ty, tz), dim3(bx, by, bz), block, grid};
        kernel(args...);
    }
}
}
