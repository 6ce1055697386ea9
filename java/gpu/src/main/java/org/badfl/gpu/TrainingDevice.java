package org.badfl.gpu;

import java.util.Locale;

/**
 * Where a run trains its clients, from the {@code --device} option: {@code cpu} (the Java engine), {@code gpu} (the
 * CUDA device; an error with the probe's reason if there is none), {@code emu} (the CUDA kernels on the CPU
 * emulation: slow, for testing the GPU path without a GPU) or {@code auto} (the GPU when the probe finds a usable
 * one, else the Java engine). {@link #message()} is the line to print: it always says where training runs and, when
 * {@code auto} falls back to the CPU, why.
 *
 * @param device  the device to train on, or null for the Java CPU engine
 * @param message what to tell the user
 */
public record TrainingDevice(Device device, String message) implements AutoCloseable {

    /** Where the defenses aggregate when clients train on a device (BADFL's saliency inspection stays on the CPU). */
    private static final String AGGREGATION = "; the defenses aggregate there too (BADFL inspects on the CPU)";

    /** Resolves a {@code --device} value; opens the device (the caller closes this record). */
    public static TrainingDevice select(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "cpu" -> {
                return new TrainingDevice(null, "training on the CPU (Java engine)");
            }
            case "gpu" -> {
                Device d = Devices.open("gpu");
                return new TrainingDevice(d, "training on " + d.name() + AGGREGATION);
            }
            case "emu" -> {
                Device d = Devices.open("emu");
                return new TrainingDevice(d, "training on " + d.name() + ": the CUDA kernels on the CPU, slow (for testing)"
                    + AGGREGATION);
            }
            case "auto" -> {
                GpuProbe p = Devices.probe();
                if (!p.available()) {
                    return new TrainingDevice(null, "no usable GPU (" + p.reason() + "): training on the CPU (Java engine)");
                }
                Device d = Devices.open("gpu");
                return new TrainingDevice(d, "training on " + d.name() + AGGREGATION);
            }
            default -> throw new IllegalArgumentException("--device: expected gpu, emu, cpu or auto, found '" + name + "'");
        }
    }

    /** True when clients train on the Java engine. */
    public boolean onCpu() {
        return device == null;
    }

    /** Closes the device, if any. */
    @Override
    public void close() {
        if (device != null) {
            device.close();
        }
    }
}
