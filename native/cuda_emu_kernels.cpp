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
    X(coordinate_median_128_forward_kernel)       \
    X(coordinate_median_64_forward_kernel)        \
    X(coordinate_trimmed_mean_128_forward_kernel) \
    X(coordinate_trimmed_mean_64_forward_kernel)  \
    X(sign_votes_forward_kernel)                  \
    X(weighted_sum_forward_kernel)                \
    X(weighted_sum_layer_scaled_forward_kernel)   \
    X(gaussian_noise_forward_kernel)              \
    X(vector_sub_forward_kernel)                  \
    X(sgemm_128_forward_kernel)                   \
    X(sgemm_64_forward_kernel)                    \
    X(sgemm_64x128_forward_kernel)                \
    X(sgemm_splitk_reduce_forward_kernel)         \
    X(conv2d_im2col_forward_kernel)               \
    X(conv2d_col2im_backward_kernel)              \
    X(conv2d_gather_backward_kernel)              \
    X(conv2d_bias_backward_kernel)                \
    X(maxpool2d_forward_kernel)                   \
    X(maxpool2d_backward_kernel)                  \
    X(relu_forward_kernel)                        \
    X(relu_backward_kernel)                       \
    X(relu_guided_backward_kernel)                \
    X(batchnorm2d_stats_forward_kernel)           \
    X(batchnorm2d_forward_kernel)                 \
    X(batchnorm2d_reduce_backward_kernel)         \
    X(batchnorm2d_backward_kernel)                \
    X(linear_bias_backward_kernel)                \
    X(global_avg_pool_forward_kernel)             \
    X(global_avg_pool_backward_kernel)            \
    X(residual_add_forward_kernel)                \
    X(residual_add_backward_kernel)               \
    X(dropout_forward_kernel)                     \
    X(dropout_backward_kernel)                    \
    X(softmax_cross_entropy_forward_kernel)       \
    X(sgd_forward_kernel)
// Not registered: sgemm_tf32_forward_kernel (tensor cores; GPU only, see kernels/sgemm_tf32.cu).

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
