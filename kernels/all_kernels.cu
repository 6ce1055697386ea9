// One translation unit with every kernel of badfl, so the fatbin is a single module.
// nvcc compiles this file (CMakeLists.txt); native/cuda_emu_kernels.cpp includes it for CPU execution.
#include "vector_ops.cu"
