/**
 * The GPU backend: a {@link org.badfl.gpu.Device} abstraction over CUDA kernels ({@code kernels/*.cu}) with two
 * implementations of the same kernel sources, {@link org.badfl.gpu.CudaDevice} (a GPU through the JCuda driver
 * API, kernels from the fatbin in the jar) and {@link org.badfl.gpu.EmulatedDevice} (the CPU, the kernels built
 * by the host C++ compiler against {@code native/cuda_emu.h}, over JNI), chosen by {@link org.badfl.gpu.Devices};
 * host launchers of the aggregation kernels ({@link org.badfl.gpu.GpuAggregation}) whose specification is the
 * Java code in {@code org.badfl.server.kernels} and {@code org.badfl.server.noise}; and the self-test that checks
 * every kernel against it on any device ({@link org.badfl.gpu.DeviceSelfTest}).
 * <p>Adding a kernel: write it in {@code kernels/<op>.cu} ({@code extern "C"}, {@code <op>_forward_kernel} /
 * {@code <op>_backward_kernel}, dynamic shared memory through {@code BADFL_DYNAMIC_SHARED}), include it from
 * {@code kernels/all_kernels.cu}, add one line to {@code native/cuda_emu_kernels.cpp}, a host launcher in Java,
 * and a {@link org.badfl.gpu.DeviceCheck} against the Java reference.
 */
package org.badfl.gpu;
