/**
 * The GPU backend: a {@link org.badfl.gpu.Device} abstraction over CUDA kernels ({@code kernels/*.cu}) with two
 * implementations of the same kernel sources, {@link org.badfl.gpu.CudaDevice} (a GPU through the JCuda driver
 * API, kernels from the fatbin in the jar) and {@link org.badfl.gpu.EmulatedDevice} (the CPU, the kernels built
 * by the host C++ compiler against {@code native/cuda_emu.h}, over JNI), chosen by {@link org.badfl.gpu.Devices};
 * host launchers of the aggregation kernels ({@link org.badfl.gpu.GpuAggregation}) whose specification is the
 * Java code in {@code org.badfl.server.kernels} and {@code org.badfl.server.noise}; training on the device in
 * {@link org.badfl.gpu.nn} (specification: {@code org.badfl.engine}); the self-test that checks every kernel against
 * its Java reference on any device ({@link org.badfl.gpu.check.DeviceSelfTest}); and the benchmarks of the GPU check
 * ({@link org.badfl.gpu.check.GpuBenchmark}).
 * <p>Adding a kernel: write it in {@code kernels/<op>.cu} ({@code extern "C"}, {@code <op>_forward_kernel} /
 * {@code <op>_backward_kernel}, dynamic shared memory through {@code BADFL_DYNAMIC_SHARED}), include it from
 * {@code kernels/all_kernels.cu}, add one line to {@code native/cuda_emu_kernels.cpp}, a host launcher in Java,
 * and a {@link org.badfl.gpu.check.DeviceCheck} against the Java reference. Code the emulation cannot run (tensor cores)
 * is compiled for the GPU only, not registered, and its checks are marked {@link org.badfl.gpu.check.DeviceCheck#gpuOnly()}.
 */
package org.badfl.gpu;
