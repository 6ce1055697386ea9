package org.badfl.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The layer table of a model's flat parameter buffer: which named slice (offset, length) holds what.
 * <p>One {@code float[]} of {@link #size()} values holds every parameter of a model, in the order of the
 * entries; a parallel buffer of the same size holds the gradients. This flat vector is what an FL client
 * sends (as an update) and what every defense reads; {@link ParamKind#trainable()} tells defenses which
 * slices are trained (BatchNorm running statistics are not).
 * Immutable; entries are contiguous and start at offset 0.
 */
public final class ParamLayout {

    /** One named slice of the flat buffer. */
    public record Entry(String name, int offset, int length, ParamKind kind) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            if (offset < 0 || length < 0) {
                throw new IllegalArgumentException("entry " + name + ": offset " + offset + " and length " + length + " must be >= 0");
            }
        }

        /** One past the last index of this slice. */
        public int end() {
            return offset + length;
        }
    }

    private final List<Entry> entries;
    private final int size;
    private final int trainableSize;

    private ParamLayout(List<Entry> entries) {
        this.entries = Collections.unmodifiableList(new ArrayList<>(entries));
        int at = 0;
        int trainable = 0;
        for (Entry e : this.entries) {
            if (e.offset() != at) {
                throw new IllegalArgumentException("entry " + e.name() + " starts at " + e.offset() + ", expected " + at);
            }
            at += e.length();
            if (e.kind().trainable()) {
                trainable += e.length();
            }
        }
        this.size = at;
        this.trainableSize = trainable;
    }

    /** Builds a layout by appending slices in order. */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private long next;

        /** Appends a slice and returns its offset. */
        public int add(String name, int length, ParamKind kind) {
            if (next + length > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("parameter buffer too large at " + name);
            }
            int offset = (int) next;
            entries.add(new Entry(name, offset, length, kind));
            next += length;
            return offset;
        }

        public ParamLayout build() {
            return new ParamLayout(entries);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ParamLayout of(List<Entry> entries) {
        return new ParamLayout(entries);
    }

    /** Entries in buffer order (not modifiable). */
    public List<Entry> entries() {
        return entries;
    }

    /** Total length of the flat buffer. */
    public int size() {
        return size;
    }

    /** Number of values SGD trains (excludes BatchNorm running statistics). */
    public int trainableSize() {
        return trainableSize;
    }

    /** The entry with this name. */
    public Entry entry(String name) {
        for (Entry e : entries) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no parameter named '" + name + "'");
    }

    /**
     * Trainable coordinate ranges as pairs {@code [start0, end0, start1, end1, ...]}, adjacent slices merged.
     * Defenses that must ignore BatchNorm statistics iterate these.
     */
    public int[] trainableRanges() {
        List<int[]> ranges = new ArrayList<>();
        for (Entry e : entries) {
            if (!e.kind().trainable() || e.length() == 0) {
                continue;
            }
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == e.offset()) {
                ranges.get(ranges.size() - 1)[1] = e.end();
            } else {
                ranges.add(new int[] {e.offset(), e.end()});
            }
        }
        int[] out = new int[ranges.size() * 2];
        for (int i = 0; i < ranges.size(); i++) {
            out[2 * i] = ranges.get(i)[0];
            out[2 * i + 1] = ranges.get(i)[1];
        }
        return out;
    }

    /** Checks that a flat vector fits this layout; the message names {@code what} and both lengths. */
    public void checkLength(String what, float[] vector) {
        Objects.requireNonNull(vector, what);
        if (vector.length != size) {
            throw new IllegalArgumentException(what + ": expected " + size + " parameters (layout), found " + vector.length);
        }
    }

    @Override
    public String toString() {
        return "ParamLayout[" + entries.size() + " entries, " + size + " values, " + trainableSize + " trainable]";
    }
}
