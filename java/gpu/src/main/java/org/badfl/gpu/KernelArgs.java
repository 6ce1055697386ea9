package org.badfl.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The arguments of one kernel launch, in the kernel's parameter order. Each value carries its CUDA type:
 * {@link #ptr} a device pointer ({@code T*}; a buffer, a slice of one, or null), {@link #i32} {@code int}/
 * {@code unsigned}, {@link #i64} {@code long long}, {@link #f32} {@code float}, {@link #f64} {@code double}.
 * <p>The {@linkplain #signature() signature} spells the types one letter each ({@code p i l f d}); the emulated
 * device checks it against the kernel's C++ parameter list, so a launcher that passes the wrong types fails in CI
 * with a message rather than reading garbage on a GPU.
 */
public final class KernelArgs {

    /** One argument: its type code and value ({@link DeviceBuffer}, Integer, Long, Float or Double). */
    record Arg(char code, Object value) {
    }

    private final List<Arg> args = new ArrayList<>();

    public static KernelArgs create() {
        return new KernelArgs();
    }

    /** A device pointer: the start of {@code buffer} (null passes a null pointer). */
    public KernelArgs ptr(DeviceBuffer buffer) {
        args.add(new Arg('p', buffer));
        return this;
    }

    public KernelArgs i32(int v) {
        args.add(new Arg('i', v));
        return this;
    }

    public KernelArgs i64(long v) {
        args.add(new Arg('l', v));
        return this;
    }

    public KernelArgs f32(float v) {
        args.add(new Arg('f', v));
        return this;
    }

    public KernelArgs f64(double v) {
        args.add(new Arg('d', v));
        return this;
    }

    /** One letter per argument: p pointer, i int32, l int64, f float32, d float64. */
    public String signature() {
        StringBuilder s = new StringBuilder(args.size());
        for (Arg a : args) {
            s.append(a.code());
        }
        return s.toString();
    }

    List<Arg> list() {
        return Collections.unmodifiableList(args);
    }

    /**
     * Packs the values little-endian without padding (the emulator's format); pointers become
     * {@code addressOf.applyAsLong(buffer)}, null pointers 0.
     */
    byte[] pack(java.util.function.ToLongFunction<DeviceBuffer> addressOf) {
        int bytes = 0;
        for (Arg a : args) {
            bytes += a.code() == 'i' || a.code() == 'f' ? 4 : 8;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (Arg a : args) {
            switch (a.code()) {
                case 'p' -> b.putLong(a.value() == null ? 0L : addressOf.applyAsLong((DeviceBuffer) a.value()));
                case 'i' -> b.putInt((Integer) a.value());
                case 'l' -> b.putLong((Long) a.value());
                case 'f' -> b.putFloat((Float) a.value());
                case 'd' -> b.putDouble((Double) a.value());
                default -> throw new IllegalStateException("unknown argument code " + a.code());
            }
        }
        return b.array();
    }

    @Override
    public String toString() {
        return "KernelArgs[" + signature() + "]";
    }
}
