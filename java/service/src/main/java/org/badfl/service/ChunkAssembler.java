package org.badfl.service;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.badfl.engine.ParamLayout;
import org.badfl.service.v1.Chunk;

/**
 * Decodes one streamed float vector (an update or a global model) from its {@link Chunk}s: raw little-endian
 * float32 values, chunk sequence numbers 0, 1, 2, ... with no gap or repeat, exactly {@code expected} values in
 * all, every value finite. Each defect is an {@code INVALID_ARGUMENT} {@link StatusRuntimeException} whose
 * description starts with {@code owner} (e.g. "session 3f.., round 2, client 7") and names the defect; nothing
 * else is thrown for any input, which the fuzz test checks.
 * <p>The target array is allocated once, at the declared length, so a stream cannot make the decoder allocate
 * more than its header announced (and the header's length is checked against the session's dimension first).
 */
public final class ChunkAssembler {

    private final String owner;
    private final ParamLayout layout;
    private final float[] values;
    private int received;
    private int nextSequence;

    /**
     * @param owner    who sends the vector, for messages
     * @param layout   names the layer of a non-finite value; its size is the expected number of values
     */
    public ChunkAssembler(String owner, ParamLayout layout) {
        this.owner = owner;
        this.layout = layout;
        this.values = new float[layout.size()];
    }

    /** Values received so far. */
    public int received() {
        return received;
    }

    /** Decodes the next chunk. */
    public void accept(Chunk chunk) {
        if (chunk.getSequence() != nextSequence) {
            throw defect("chunk " + Integer.toUnsignedString(chunk.getSequence()) + " arrived out of order (expected chunk "
                + nextSequence + ")");
        }
        ByteString data = chunk.getData();
        if (data.size() % Float.BYTES != 0) {
            throw defect("chunk " + nextSequence + " holds " + data.size() + " bytes, not a whole number of float32 "
                + "values (4 bytes each)");
        }
        int count = data.size() / Float.BYTES;
        if (count > values.length - received) {
            throw defect("chunk " + nextSequence + " brings the total to " + ((long) received + count)
                + " values, more than the " + values.length + " declared");
        }
        FloatBuffer floats = data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        floats.get(values, received, count);
        for (int i = received; i < received + count; i++) {
            if (!Float.isFinite(values[i])) {
                throw defect(values[i] + " at index " + i + " (" + position(i) + ")");
            }
        }
        received += count;
        nextSequence++;
    }

    /** The complete vector; throws when fewer values than declared arrived. */
    public float[] finish() {
        if (received != values.length) {
            throw defect("stream ended after " + received + " values, " + values.length + " declared");
        }
        return values;
    }

    private String position(int index) {
        for (ParamLayout.Entry e : layout.entries()) {
            if (index >= e.offset() && index < e.end()) {
                return e.name() + "[" + (index - e.offset()) + "]";
            }
        }
        return "outside the layout";
    }

    private StatusRuntimeException defect(String what) {
        return Status.INVALID_ARGUMENT.withDescription(owner + ": " + what).asRuntimeException();
    }

    /** Little-endian float32 bytes of {@code values[from, from + count)}. */
    public static ByteString encode(float[] values, int from, int count) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values, from, count);
        return com.google.protobuf.UnsafeByteOperations.unsafeWrap(buffer.array());
    }
}
