package org.badfl.data;

import java.util.List;

/**
 * A training split and a test split of the same source, sharing shape, class count and the normalisation
 * statistics of the training split.
 *
 * @param spec        the source specification that loads it again (e.g. "mnist-embedded", "idx:/data/emnist")
 * @param description one line for listings: where the files are and what they hold
 * @param files       the files both splits were read from, with their checksums (empty for generated data)
 */
public record TrainTest(Dataset train, Dataset test, String spec, String description, List<DataFile> files) {

    public TrainTest {
        if (train.channels() != test.channels() || train.height() != test.height() || train.width() != test.width()
            || train.numClasses() != test.numClasses()) {
            throw new IllegalArgumentException(spec + ": train and test splits expected to share shape and classes, "
                + "found train " + train.shapeString() + " with " + train.numClasses() + " classes and test "
                + test.shapeString() + " with " + test.numClasses() + " classes");
        }
        files = List.copyOf(files);
    }

    /** Generated data: no files. */
    public TrainTest(Dataset train, Dataset test, String spec, String description) {
        this(train, test, spec, description, List.of());
    }
}
