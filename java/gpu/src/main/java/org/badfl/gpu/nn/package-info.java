/**
 * GPU training: the device version of {@code org.badfl.engine}, whose CPU code is the specification.
 * <ul>
 * <li>{@link org.badfl.gpu.nn.GpuNetwork}: a model built from an engine {@link org.badfl.engine.ModelSpec}, with one
 *     flat parameter buffer, one gradient buffer (and {@link org.badfl.gpu.nn.DeviceSgd}'s velocity) on the device,
 *     addressed by the engine's {@link org.badfl.engine.ParamLayout} offsets; forward, backward, train steps,
 *     prediction and (guided) saliency as {@link org.badfl.engine.Network}; both implement
 *     {@link org.badfl.engine.Model}.</li>
 * <li>One launcher per kernel family, each mirroring an engine layer: {@link org.badfl.gpu.nn.DeviceGemm} (our tiled
 *     SGEMM, optional TF32 tensor cores), {@link org.badfl.gpu.nn.DeviceConv2d}, {@link org.badfl.gpu.nn.DeviceLinear},
 *     {@link org.badfl.gpu.nn.DeviceBatchNorm2d}, {@link org.badfl.gpu.nn.DeviceReLU},
 *     {@link org.badfl.gpu.nn.DeviceMaxPool2d}, {@link org.badfl.gpu.nn.DeviceDropout},
 *     {@link org.badfl.gpu.nn.DeviceGlobalAvgPool}, {@link org.badfl.gpu.nn.DeviceBasicBlock} (residual add),
 *     {@link org.badfl.gpu.nn.DeviceFlatten}, {@link org.badfl.gpu.nn.DeviceSoftmaxCrossEntropy},
 *     {@link org.badfl.gpu.nn.DeviceSgd}; kernels in {@code kernels/<op>.cu}.</li>
 * <li>{@link org.badfl.gpu.check.TrainingChecks}: every kernel against its engine layer and whole models against
 *     {@link org.badfl.engine.Network}, on any device (CI: the CPU emulation), with the tolerances and their reasons.</li>
 * </ul>
 * FL clients train on a device through the simulator's training seam ({@code org.badfl.clients.GpuClientTrainer}),
 * which leaves each update on the device for the aggregation kernels.
 * The TF32 path ({@link org.badfl.gpu.nn.GpuNetwork#setTf32}) needs a GPU of compute capability 8.0+: the CPU emulation
 * cannot execute tensor-core instructions, so it is tested on a GPU only.
 */
package org.badfl.gpu.nn;
