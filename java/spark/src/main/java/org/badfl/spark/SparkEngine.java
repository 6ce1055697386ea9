package org.badfl.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.badfl.clients.ClientTrainer;
import org.badfl.engine.Compute;
import org.badfl.sim.ConfigLoader;
import org.badfl.sim.Scenario;
import org.badfl.sim.TrainingEngine;

/**
 * The {@code spark} engine: clients train on the executors of a Spark master ({@code local[N]} in this JVM, or a
 * standalone cluster {@code spark://HOST:PORT}), see {@link SparkClientTrainer}. Connecting checks the master URL,
 * that a cluster master answers (within {@link #CONNECT_TIMEOUT_MS}), and that the executors can build the scenario
 * (within {@link #CHECK_TIMEOUT_S}), before the run writes anything.
 */
public final class SparkEngine implements TrainingEngine {

    /** How long a cluster master may take to accept a connection. */
    static final int CONNECT_TIMEOUT_MS = 5_000;

    /** How long the executors may take to run the scenario check (includes waiting for executors to start). */
    static final int CHECK_TIMEOUT_S = 120;

    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|[1-9]\\d*)(,\\s*[1-9]\\d*)?\\])?");
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:]+\\]):(\\d{1,5})");

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public Session connect(String master) {
        List<InetSocketAddress> cluster = parseMaster(master);
        for (InetSocketAddress a : cluster) {
            checkReachable(master, a);
        }
        SparkConf conf = new SparkConf().setMaster(master).setAppName("badfl")
            .set("spark.ui.enabled", "false")
            .set("spark.executor.extraJavaOptions", executorJvmOptions());
        if (!cluster.isEmpty()) {
            List<String> jars = badflJars();
            if (!jars.isEmpty()) {
                conf.set("spark.jars", String.join(",", jars));
            }
        }
        try {
            return new SparkSession(new JavaSparkContext(conf), master);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--spark-master " + master + ": Spark did not start (" + e.getMessage()
                + ")", e);
        }
    }

    /** The cluster masters' addresses of {@code master}, none for {@code local...}. */
    static List<InetSocketAddress> parseMaster(String master) {
        String expected = "expected local, local[N], local[*], local[N,F] (F attempts per task) or "
            + "spark://HOST:PORT[,HOST:PORT...]";
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("--spark-master: " + expected + ", found nothing");
        }
        if (LOCAL.matcher(master).matches()) {
            return List.of();
        }
        if (!master.startsWith("spark://")) {
            throw new IllegalArgumentException("--spark-master '" + master + "': " + expected);
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String hp : master.substring("spark://".length()).split(",", -1)) {
            Matcher m = HOST_PORT.matcher(hp);
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                throw new IllegalArgumentException("--spark-master '" + master + "': '" + hp + "' is not HOST:PORT "
                    + "with a port in 1..65535; " + expected);
            }
            String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
            out.add(InetSocketAddress.createUnresolved(host, Integer.parseInt(m.group(2))));
        }
        return out;
    }

    private static void checkReachable(String master, InetSocketAddress address) {
        InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
        if (resolved.isUnresolved()) {
            throw new IllegalArgumentException("--spark-master " + master + ": unknown host '" + address.getHostString()
                + "'");
        }
        try (Socket s = new Socket()) {
            s.connect(resolved, CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            throw new IllegalArgumentException("--spark-master " + master + ": no Spark master answers at "
                + address.getHostString() + ":" + address.getPort() + " within " + CONNECT_TIMEOUT_MS / 1000 + " s ("
                + e.getMessage() + "); start it (sbin/start-master.sh) or correct the URL");
        }
    }

    /**
     * Runs a check job on as many partitions as the cluster has task slots: each executor builds the scenario (and
     * keeps it for the run). Returns the number of executors that ran it.
     */
    private static int checkExecutors(JavaSparkContext spark, String master, Scenario scenario) {
        String configJson = ConfigLoader.toJson(scenario.config());
        String fingerprint = scenario.fingerprint();
        int slots = Math.max(1, spark.defaultParallelism());
        List<Integer> parts = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            parts.add(i);
        }
        JavaFutureAction<List<String>> job = spark.parallelize(parts, slots).map(i -> {
            ExecutorScenarios.get(configJson, fingerprint);
            return ExecutorScenarios.host() + "/" + org.apache.spark.SparkEnv.get().executorId();
        }).collectAsync();
        try {
            Set<String> hosts = new LinkedHashSet<>(job.get(CHECK_TIMEOUT_S, TimeUnit.SECONDS));
            return hosts.size();
        } catch (TimeoutException e) {
            job.cancel(true);
            throw new IllegalArgumentException("--spark-master " + master + ": no executor ran the scenario check within "
                + CHECK_TIMEOUT_S + " s (are workers registered with free cores and memory?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Spark executors", e);
        } catch (ExecutionException e) {
            throw new IllegalArgumentException("--spark-master " + master + ": " + executorFailure(e.getCause()), e);
        }
    }

    /** The executor's own message when a job failed in {@link ExecutorScenarios}, else Spark's first line. */
    static String executorFailure(Throwable failure) {
        String msg = String.valueOf(failure == null ? null : failure.getMessage());
        int at = msg.indexOf(ExecutorScenarios.FAILURE_PREFIX);
        if (at >= 0) {
            String rest = msg.substring(at + ExecutorScenarios.FAILURE_PREFIX.length());
            int eol = rest.indexOf('\n');
            return "executor " + (eol < 0 ? rest : rest.substring(0, eol)).trim();
        }
        int eol = msg.indexOf('\n');
        return "the executors' check failed: " + (eol < 0 ? msg : msg.substring(0, eol));
    }

    /** The executors' JVM flags: the Vector API (as the driver's engine uses it) and Spark's opens. */
    static String executorJvmOptions() {
        try (InputStream in = SparkEngine.class.getResourceAsStream("jvm.options")) {
            if (in == null) {
                throw new IllegalStateException("badfl-spark: resource org/badfl/spark/jvm.options is missing");
            }
            String opens = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().replaceAll("\\s+", " ");
            return "--add-modules jdk.incubator.vector -XX:+UseParallelGC -Xss4m " + opens;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jar files that hold badfl's classes on the driver (shipped to a cluster's executors). */
    private static List<String> badflJars() {
        Set<String> jars = new LinkedHashSet<>();
        for (Class<?> c : List.of(SparkEngine.class, Scenario.class, ClientTrainer.class, Compute.class)) {
            var source = c.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                try {
                    Path p = Path.of(source.getLocation().toURI());
                    if (p.toString().endsWith(".jar")) {
                        jars.add(p.toAbsolutePath().toString());
                    }
                } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                    // not a file: nothing to ship from it
                }
            }
        }
        return new ArrayList<>(jars);
    }

    /** An open Spark context, for one or more runs. */
    static final class SparkSession implements Session {
        private final JavaSparkContext spark;
        private final String master;
        private int executorsChecked;

        SparkSession(JavaSparkContext spark, String master) {
            this.spark = spark;
            this.master = master;
        }

        @Override
        public void prepare(Scenario scenario) {
            executorsChecked = checkExecutors(spark, master, scenario);
        }

        @Override
        public ClientTrainer trainer(Scenario scenario, Compute compute) {
            return new SparkClientTrainer(spark, scenario, description());
        }

        @Override
        public String description() {
            return "spark " + master + " (" + spark.defaultParallelism() + " task slots"
                + (executorsChecked > 0 ? ", " + executorsChecked + " executor(s) checked" : "") + ")";
        }

        JavaSparkContext context() {
            return spark;
        }

        @Override
        public void close() {
            spark.stop();
        }
    }
}
