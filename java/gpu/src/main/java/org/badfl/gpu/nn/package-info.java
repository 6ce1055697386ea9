/**
 * GPU training: the device version of {@code org.badfl.engine}, whose CPU code is the specification.
 * <ul>
 * <li>{@link org.badfl.gpu.nn.GpuNetwork}: a model built from an engine {@link org.badfl.engine.ModelSpec}, with one
 *     flat parameter buffer, one gradient buffer (and {@link org.badfl.gpu.nn.DeviceSgd}'s velocity) on the device,
 *     addressed by the engine's {@link org.badfl.engine.ParamLayout} offsets; forward, backward, train steps,
 *     prediction and (guided) saliency as {@link org.badfl.engine.Network}.</li>
 * <li>{@link org.badfl.clients.GpuTrainer}: local training of FL clients (upload G once per round, train, leave
 *     Δ = W − G on the device for the aggregation kernels or download it).</li>
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
 * Example: one client's local training on whatever device is there, the update left on the host.
 * <pre>{@code
 * ModelSpec spec = Models.spec("resnet18", 3, 32, 32, 10);
 * try (Device dev = Devices.open("auto");
 *      GpuTrainer trainer = new GpuTrainer(dev, spec, 0.01, 0.9, 5e-4)) {
 *     trainer.setGlobal(global);                                   // once per round
 *     sampler.startEpoch(0);
 *     float[] delta = trainer.trainToHost(b -> sampler.next(b, true), sampler.newBatch(), dropoutSeed);
 * }
 * }</pre>
 * The TF32 path ({@link org.badfl.gpu.nn.GpuNetwork#setTf32}) needs a GPU of compute capability 8.0+: the CPU emulation
 * cannot execute tensor-core instructions, so it is tested on a GPU only.
 */
package org.badfl.gpu.nn;
