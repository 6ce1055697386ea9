package org.badfl.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Immutable blueprint of a model architecture for one input shape and class count: creates independent
 * {@link Network} instances cheaply (no shared mutable state, so different threads may own different ones).
 * Obtain one from {@link Models#spec} or {@link Network.Builder#spec()}. Thread-safe.
 */
public final class ModelSpec {

    private final String name;
    private final Shape input;
    private final List<Function<Shape, Layer>> factories;
    private final Shape output;
    private volatile ParamLayout layout;

    ModelSpec(String name, Shape input, List<Function<Shape, Layer>> factories, Shape output) {
        this.name = Objects.requireNonNull(name, "name");
        this.input = Objects.requireNonNull(input, "input");
        this.factories = Collections.unmodifiableList(new ArrayList<>(factories));
        this.output = output;
        if (factories.isEmpty()) {
            throw new IllegalArgumentException("model " + name + " has no layers");
        }
    }

    public String name() {
        return name;
    }

    public Shape inputShape() {
        return input;
    }

    /** Number of outputs per image (the classes of a classifier). */
    public int classes() {
        return output.size();
    }

    /** The parameter layout every network of this spec has. */
    public ParamLayout layout() {
        ParamLayout l = layout;
        if (l == null) {
            l = build().layout();
            layout = l;
        }
        return l;
    }

    /**
     * A network with all parameters 0 (not yet usable): the cheapest way to get an instance when its
     * parameters come from elsewhere ({@link Network#setParams}).
     */
    public Network build() {
        List<Layer> layers = new ArrayList<>(factories.size());
        Shape shape = input;
        for (Function<Shape, Layer> f : factories) {
            Layer layer = f.apply(shape);
            layers.add(layer);
            shape = layer.outputShape();
        }
        return new Network(this, layers);
    }

    /** A network with PyTorch's default initialisation drawn from {@code seed} ({@link Network#initialise}). */
    public Network create(long seed) {
        Network network = build();
        network.initialise(seed);
        return network;
    }

    /** A network holding a copy of {@code params} (length checked against the layout). */
    public Network withParams(float[] params) {
        Network network = build();
        network.setParams(params);
        return network;
    }

    @Override
    public String toString() {
        return name + " (input " + input + ", " + classes() + " outputs)";
    }
}
