package org.badfl.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads and writes {@link ScenarioConfig} as JSON or YAML in the flat form users write: the first adversary's
 * keys ({@code attack}, {@code attackers}, ...) at the top level next to the run keys, further adversaries in
 * {@code more-adversaries}. A key that does not exist is an error that lists the valid keys; a value of the
 * wrong type names the key, the expected type and the value found.
 * <p>Layering ({@link #merge}): defaults, then a config file, then command-line flags; a later layer replaces
 * a scalar or a list and merges into an object ({@code defense-options}).
 */
public final class ConfigLoader {

    private static final ObjectMapper JSON = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .build();

    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
        .build();

    /**
     * One config key: its name (= flag without "--"), description, default (null for attack keys whose default
     * depends on the attack), whether it belongs to an adversary, and its Java type.
     */
    public record Key(String name, String description, JsonNode defaultValue, boolean adversaryKey, Class<?> type) {

        /** Default as shown in help: text, or "(attack default)" for unset adversary keys. */
        public String defaultText() {
            if (defaultValue == null || defaultValue.isNull()) {
                return adversaryKey ? "attack's default" : "none";
            }
            if (defaultValue.isArray()) {
                List<String> parts = new ArrayList<>();
                defaultValue.forEach(v -> parts.add(v.isTextual() ? v.asText() : v.toString()));
                return String.join(",", parts);
            }
            return defaultValue.isTextual() ? defaultValue.asText() : defaultValue.toString();
        }
    }

    private ConfigLoader() {
    }

    /** The mapper used for run outputs (indented JSON). */
    public static ObjectMapper json() {
        return JSON;
    }

    // ------------------------------------------------------------------ keys

    /** Every config key in file order: run keys, the first adversary's keys, defenses, more-adversaries. */
    public static List<Key> keys() {
        Map<String, String> scenario = descriptions(ScenarioConfig.class);
        Map<String, String> adversary = descriptions(AdversaryConfig.class);
        Map<String, Class<?>> types = types(ScenarioConfig.class);
        types.putAll(types(AdversaryConfig.class));
        ObjectNode defaults = toTree(new ScenarioConfig());
        List<Key> keys = new ArrayList<>();
        for (Iterator<String> it = defaults.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            boolean adv = adversary.containsKey(name);
            keys.add(new Key(name, adv ? adversary.get(name) : scenario.get(name), defaults.get(name), adv,
                types.get(name)));
        }
        // attack keys left out of the written config while unset (so that adding one changes no existing output)
        for (Map.Entry<String, String> e : adversary.entrySet()) {
            if (!defaults.has(e.getKey())) {
                keys.add(new Key(e.getKey(), e.getValue(), null, true, types.get(e.getKey())));
            }
        }
        // Keys written only when set (@JsonInclude NON_DEFAULT) are absent from the defaults' tree.
        ScenarioConfig fresh = new ScenarioConfig();
        BeanDescription bd = JSON.getSerializationConfig().introspect(JSON.constructType(ScenarioConfig.class));
        for (BeanPropertyDefinition p : bd.findProperties()) {
            if (p.couldSerialize() && !defaults.has(p.getName()) && !adversary.containsKey(p.getName())
                && p.getField() != null) {
                keys.add(new Key(p.getName(), scenario.get(p.getName()),
                    JSON.valueToTree(p.getField().getValue(fresh)), false, types.get(p.getName())));
            }
        }
        return keys;
    }

    /** Names of the keys of one adversary (the entries of {@code more-adversaries}). */
    public static List<String> adversaryKeys() {
        return new ArrayList<>(descriptions(AdversaryConfig.class).keySet());
    }

    private static Map<String, Class<?>> types(Class<?> type) {
        BeanDescription bd = JSON.getSerializationConfig().introspect(JSON.constructType(type));
        Map<String, Class<?>> out = new LinkedHashMap<>();
        for (BeanPropertyDefinition p : bd.findProperties()) {
            if (p.couldSerialize()) {
                out.put(p.getName(), p.getRawPrimaryType());
            }
        }
        return out;
    }

    private static Map<String, String> descriptions(Class<?> type) {
        BeanDescription bd = JSON.getSerializationConfig().introspect(JSON.constructType(type));
        Map<String, String> out = new LinkedHashMap<>();
        for (BeanPropertyDefinition p : bd.findProperties()) {
            if (p.couldSerialize()) {
                String d = p.getMetadata().getDescription();
                out.put(p.getName(), d == null ? "" : d);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads a config file: {@code .json}, {@code .yaml} or {@code .yml}. Keys not in the file keep their defaults.
     *
     * @throws IllegalArgumentException missing or unreadable file, syntax error, unknown key, wrong value type
     */
    public static ObjectNode readTree(Path file) {
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = lower.endsWith(".yaml") || lower.endsWith(".yml");
        if (!yaml && !lower.endsWith(".json")) {
            throw new IllegalArgumentException("config file " + file + ": expected a .json, .yaml or .yml file name");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("config file " + file + ": expected an existing file, found nothing");
        } catch (IOException e) {
            throw new IllegalArgumentException("config file " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        JsonNode node;
        try {
            node = (yaml ? YAML : JSON).readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config file " + file + ": not valid " + (yaml ? "YAML" : "JSON") + " ("
                + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr() + ")");
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("config file " + file + ": expected a mapping of keys to values at the "
                + "top level, found " + node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        checkKeys((ObjectNode) node, "config file " + file);
        return (ObjectNode) node;
    }

    /** Reads a config file into a config (defaults for absent keys). */
    public static ScenarioConfig load(Path file) {
        return fromTree(readTree(file), "config file " + file);
    }

    /** Parses config text (JSON or YAML, which is a superset), for tests and embedding. */
    public static ScenarioConfig parse(String text, String source) {
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON/YAML (" + e.getOriginalMessage() + ")");
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new ScenarioConfig();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(source + ": expected a mapping of keys to values");
        }
        return fromTree((ObjectNode) node, source);
    }

    /**
     * Binds a flat tree (defaults for absent keys).
     *
     * @param source how to name the input in messages ("config file x.yaml", "command line")
     */
    public static ScenarioConfig fromTree(ObjectNode flat, String source) {
        checkKeys(flat, source);
        List<String> advKeys = adversaryKeys();
        ObjectNode top = JsonNodeFactory.instance.objectNode();
        ObjectNode adversary = (ObjectNode) JSON.valueToTree(AdversaryConfig.defaultPrimary());
        boolean attackGiven = flat.has("attack");
        for (Map.Entry<String, JsonNode> e : flat.properties()) {
            (advKeys.contains(e.getKey()) ? adversary : top).set(e.getKey(), e.getValue());
        }
        if (attackGiven && !flat.has("attackers") && flat.path("attack").isTextual()
            && flat.path("attack").asText().trim().equalsIgnoreCase("none")) {
            adversary.putNull("attackers"); // "attack: none" alone must not inherit the default 4 attackers
        }
        ScenarioConfig c = bind(top, ScenarioConfig.class, source);
        c.primary = bind(adversary, AdversaryConfig.class, source);
        if (c.moreAdversaries == null) {
            c.moreAdversaries = new ArrayList<>();
        }
        if (c.defenseOptions == null) {
            c.defenseOptions = new LinkedHashMap<>();
        }
        return c;
    }

    private static <T> T bind(ObjectNode node, Class<T> type, String source) {
        try {
            return JSON.treeToValue(node, type);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(source + ": " + describe(e));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": " + e.getOriginalMessage());
        }
    }

    /** "key 'rounds': expected an integer, found "abc"" from a Jackson binding error. */
    private static String describe(JsonMappingException e) {
        String path = e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining(".")).replace(".[", "[");
        String where = path.isEmpty() ? "" : "key '" + path + "': ";
        if (e instanceof InvalidFormatException f) {
            return where + "expected " + typeName(f.getTargetType()) + ", found " + quote(f.getValue());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return where + "expected " + typeName(m.getTargetType()) + " (" + e.getOriginalMessage().split("\n")[0] + ")";
        }
        return where + e.getOriginalMessage().split("\n")[0];
    }

    private static String typeName(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "text";
        }
        if (List.class.isAssignableFrom(t)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(t)) {
            return "a mapping";
        }
        return t.getSimpleName();
    }

    private static String quote(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }

    /** Rejects keys that do not exist (top level and in {@code more-adversaries} entries), listing the valid ones. */
    static void checkKeys(ObjectNode flat, String source) {
        List<String> valid = keys().stream().map(Key::name).toList();
        for (Iterator<String> it = flat.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!valid.contains(k)) {
                throw new IllegalArgumentException(source + ": unknown config key '" + k + "'; valid keys: "
                    + String.join(", ", valid));
            }
        }
        JsonNode more = flat.get("more-adversaries");
        if (more != null && more.isArray()) {
            List<String> adv = adversaryKeys();
            for (int i = 0; i < more.size(); i++) {
                JsonNode entry = more.get(i);
                if (entry.isObject()) {
                    for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
                        String k = it.next();
                        if (!adv.contains(k)) {
                            throw new IllegalArgumentException(source + ": unknown key '" + k + "' in more-adversaries["
                                + i + "]; valid keys: " + String.join(", ", adv));
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ layering

    /**
     * {@code base} with {@code overrides} applied (neither modified): scalars and lists are replaced, objects
     * merged key by key (recursively).
     */
    public static ObjectNode merge(ObjectNode base, ObjectNode overrides) {
        ObjectNode out = base.deepCopy();
        for (Map.Entry<String, JsonNode> e : overrides.properties()) {
            JsonNode existing = out.get(e.getKey());
            if (existing != null && existing.isObject() && e.getValue().isObject()) {
                out.set(e.getKey(), merge((ObjectNode) existing, (ObjectNode) e.getValue()));
            } else {
                out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ writing

    /** The flat tree of a config: run keys, then the first adversary's keys, then defenses and more-adversaries. */
    public static ObjectNode toTree(ScenarioConfig c) {
        ObjectNode top = JSON.valueToTree(c);
        ObjectNode adversary = JSON.valueToTree(c.primary);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : top.properties()) {
            if (e.getKey().equals("defenses")) {
                adversary.properties().forEach(a -> out.set(a.getKey(), a.getValue()));
            }
            out.set(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Indented JSON of the flat tree. */
    public static String toJson(ScenarioConfig c) {
        try {
            return JSON.writeValueAsString(toTree(c)) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** YAML of the flat tree. */
    public static String toYaml(ScenarioConfig c) {
        try {
            return YAML.writeValueAsString(toTree(c));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A deep copy. */
    public static ScenarioConfig copy(ScenarioConfig c) {
        return fromTree(toTree(c), "copy");
    }
}
