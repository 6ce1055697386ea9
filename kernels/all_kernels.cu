// One translation unit with every kernel of badfl, so the fatbin is a single module.
// nvcc compiles this file (CMakeLists.txt); native/cuda_emu_kernels.cpp includes it for CPU execution and
// registers each kernel by name (add a kernel here and one line there).
#include "vector_ops.cu"
#include "device_checks.cu"
#include "gram.cu"
#include "coordinate_stats.cu"
#include "sign_votes.cu"
#include "weighted_sum.cu"
#include "gaussian_noise.cu"
// training
#include "sgemm.cu"
#include "sgemm_tf32.cu"
#include "conv2d.cu"
#include "maxpool2d.cu"
#include "relu.cu"
#include "batchnorm2d.cu"
#include "linear.cu"
#include "global_avg_pool.cu"
#include "residual.cu"
#include "dropout.cu"
#include "softmax_cross_entropy.cu"
#include "sgd.cu"
