package org.badfl.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.badfl.engine.gemm.Parallel;

/**
 * A fixed number of threads for data-parallel loops, owned by whoever creates it and closed by them.
 * <p>Determinism rule for every user: the split of work into tasks depends only on the problem size, never on
 * {@link #threads()}, and no floating-point reduction is split across tasks unless the partial results are
 * combined in task order. Then results are bit-identical for any thread count.
 * <p>The calling thread runs tasks too, so {@code create(1)} starts no thread at all.
 */
public final class Compute implements AutoCloseable, Parallel {

    private static final Compute SERIAL = new Compute(1);
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    /** Body of a chunked loop: handles indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private final int threads;
    private final ExecutorService pool;

    private Compute(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        if (threads == 1) {
            this.pool = null;
        } else {
            int id = POOL_IDS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "badfl-compute-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.pool = Executors.newFixedThreadPool(threads - 1, factory);
        }
    }

    /** A context that runs everything on the calling thread (shared, closing it does nothing). */
    public static Compute serial() {
        return SERIAL;
    }

    /** A context with {@code threads} threads (the caller counts as one); close it when done. */
    public static Compute create(int threads) {
        return threads == 1 ? SERIAL : new Compute(threads);
    }

    /** Number of cores this JVM may use. */
    public static int availableCores() {
        return Runtime.getRuntime().availableProcessors();
    }

    @Override
    public int threads() {
        return threads;
    }

    /** Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)}, spread over the threads. */
    @Override
    public void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (pool == null || tasks == 1) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                body.accept(i);
            }
        };
        int helpers = Math.min(threads, tasks) - 1;
        List<Future<?>> futures = new ArrayList<>(helpers);
        for (int h = 0; h < helpers; h++) {
            futures.add(pool.submit(worker));
        }
        Throwable failure = null;
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(tasks); // stop handing out work
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException("parallel task interrupted", failure);
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of {@code grain} indices (the last may be shorter).
     * The chunking depends on {@code n} and {@code grain} only.
     */
    public void parallelRange(int n, int grain, RangeBody body) {
        if (grain < 1) {
            throw new IllegalArgumentException("grain must be >= 1, got " + grain);
        }
        int chunks = (int) ((n + (long) grain - 1) / grain);
        parallelFor(chunks, c -> {
            int start = c * grain;
            body.run(start, (int) Math.min(n, (long) start + grain));
        });
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
