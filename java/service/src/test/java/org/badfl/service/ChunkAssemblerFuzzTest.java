package org.badfl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.SplittableRandom;
import org.badfl.engine.ParamKind;
import org.badfl.engine.ParamLayout;
import org.badfl.service.v1.Chunk;
import org.badfl.service.v1.UpdateMessage;
import org.junit.jupiter.api.Test;

/**
 * Random bytes into the chunk decoder, for a fixed budget of inputs (seeded, so a failure reproduces): as wire
 * messages (which either do not parse, or parse into something the decoder must judge) and as chunk payloads.
 * The decoder may accept or answer INVALID_ARGUMENT, nothing else: no other exception, no out-of-bounds write.
 */
class ChunkAssemblerFuzzTest {

    private static final int INPUTS = 20_000;

    @Test
    void randomBytesNeverCrashTheDecoder() {
        ParamLayout.Builder b = ParamLayout.builder();
        b.add("w", 50, ParamKind.WEIGHT);
        b.add("b", 7, ParamKind.BIAS);
        ParamLayout layout = b.build();
        SplittableRandom rng = new SplittableRandom(20261207L);
        int parsed = 0;
        int accepted = 0;
        int completed = 0;
        for (int input = 0; input < INPUTS; input++) {
            ChunkAssembler assembler = new ChunkAssembler("fuzz " + input, layout);
            int chunks = 1 + rng.nextInt(6);
            try {
                for (int c = 0; c < chunks; c++) {
                    byte[] bytes = new byte[rng.nextInt(260)];
                    rng.nextBytes(bytes);
                    Chunk chunk;
                    if (rng.nextBoolean()) {
                        if (rng.nextBoolean()) {
                            bytes = mutate(validMessage(rng, c), rng); // near-valid wire bytes parse more often
                        }
                        try {
                            UpdateMessage m = UpdateMessage.parseFrom(bytes);
                            parsed++;
                            chunk = m.getChunk();
                        } catch (InvalidProtocolBufferException e) {
                            continue; // the transport answers this one before any handler sees it
                        }
                    } else {
                        // Plausible chunks: mostly the right sequence, random payloads of any length.
                        int sequence = rng.nextInt(10) < 8 ? assembler.received() == 0 ? c : rng.nextInt(8)
                            : rng.nextInt();
                        chunk = Chunk.newBuilder().setSequence(sequence).setData(ByteString.copyFrom(bytes,
                            0, rng.nextInt(10) < 7 ? bytes.length - bytes.length % 4 : bytes.length)).build();
                    }
                    assembler.accept(chunk);
                    accepted++;
                }
                float[] v = assembler.finish();
                assertEquals(layout.size(), v.length);
                for (float x : v) {
                    assertTrue(Float.isFinite(x));
                }
                completed++;
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
                assertTrue(e.getStatus().getDescription().startsWith("fuzz " + input + ": "));
            }
        }
        // The budget reached the decoder's inner paths, not only its first check.
        assertTrue(parsed > 2000, "parsed " + parsed);
        assertTrue(accepted > 1000, "accepted " + accepted);
        assertTrue(completed > 0, "completed " + completed);
    }

    private static byte[] validMessage(SplittableRandom rng, int sequence) {
        float[] values = new float[rng.nextInt(60)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        return UpdateMessage.newBuilder().setChunk(Chunk.newBuilder().setSequence(sequence)
            .setData(ChunkAssembler.encode(values, 0, values.length))).build().toByteArray();
    }

    private static byte[] mutate(byte[] bytes, SplittableRandom rng) {
        int flips = rng.nextInt(4);
        for (int f = 0; f < flips && bytes.length > 0; f++) {
            bytes[rng.nextInt(bytes.length)] = (byte) rng.nextInt(256);
        }
        return rng.nextInt(4) == 0 ? java.util.Arrays.copyOf(bytes, rng.nextInt(bytes.length + 1)) : bytes;
    }
}
