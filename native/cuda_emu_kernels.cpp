// Every kernel of kernels/all_kernels.cu compiled by the host C++ compiler against cuda_emu.h, and the registry
// that lets Java launch them by name (org.badfl.gpu.EmulatedDevice). Adding a kernel: one line in BADFL_KERNELS.
#include "cuda_emu.h"
#include "emu_runtime.h"

#include "all_kernels.cu"

#define BADFL_KERNELS(X)                          \
    X(axpy_forward_kernel)                        \
    X(check_barrier_rotate_kernel)                \
    X(check_shared_reduce_kernel)                 \
    X(check_atomics_kernel)                       \
    X(check_warp_kernel)                          \
    X(check_emulator_deadlock_kernel)             \
    X(check_emulator_shared_poison_kernel)        \
    X(gram_forward_kernel)                        \
    X(gram_reduce_forward_kernel)                 \
    X(coordinate_median_forward_kernel)           \
    X(coordinate_trimmed_mean_forward_kernel)     \
    X(sign_votes_forward_kernel)                  \
    X(weighted_sum_forward_kernel)                \
    X(weighted_sum_layer_scaled_forward_kernel)   \
    X(gaussian_noise_forward_kernel)

namespace cuda_emu {

#define BADFL_KERNEL_INFO(name) KernelOf<decltype(&name), &name>::info(#name),

const std::vector<KernelInfo>& kernel_registry() {
    static const std::vector<KernelInfo> registry{BADFL_KERNELS(BADFL_KERNEL_INFO)};
    return registry;
}

const KernelInfo* find_kernel(const std::string& name) {
    for (const KernelInfo& k : kernel_registry()) {
        if (name == k.name) return &k;
    }
    return nullptr;
}

} // namespace cuda_emu
