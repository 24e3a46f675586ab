package io.xray.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import io.xray.backbone.Backbone;
import io.xray.image.Equalization;
import io.xray.image.Preprocessing;
import io.xray.image.TrainingAugmentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The string form of a {@link TrainingRecipe}: one key per value, spelled as the command line's
 * options, and a strict reader.
 *
 * <p>Reading: the {@code preset} key, when present, picks the starting recipe; every other key
 * replaces one value. A value that is a JSON string literal is decoded first, repeatedly (the
 * SageMaker Python SDK JSON-encodes every hyperparameter, and tuning jobs encode categorical values
 * twice); other values are taken as they are, which is the SageMaker training toolkit's rule ("JSON
 * if it parses, else the raw string") for every value a recipe holds. Keys that start with
 * {@code sagemaker_} and {@code _tuning_objective_metric} are SageMaker's own and are ignored. An
 * unknown key, white space around a value, a value that does not parse or is out of range fails
 * with an {@link InvalidConfigurationException} whose field is the key and whose message quotes the
 * value. When {@code image-size} is given without {@code resize}, the resize follows at
 * {@code round(image-size * 8 / 7)} (146 for 128, 256 for 224).
 */
final class RecipeHyperparameters {

    static final String PRESET = "preset";
    static final String IMAGE_SIZE = "image-size";
    static final String RESIZE = "resize";
    static final String MEAN = "mean";
    static final String STD = "std";
    static final String EQUALIZATION = "equalization";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_JSON_DECODES = 3;

    /** How one key reads into a builder (with the working augmentation settings) and writes from a recipe. */
    private record Key(String name, Function<TrainingRecipe, String> writer, BiConsumer<Reading, String> reader) {}

    /** A recipe being read: its builder, its augmentation settings and preprocessing, changed key by key. */
    private static final class Reading {
        final TrainingRecipe.Builder recipe;
        TrainingAugmentation.Builder augmentation;
        Preprocessing.Builder preprocessing;
        boolean augmented;
        final double[] cropScale;
        final double[] aspectRatio;

        Reading(TrainingRecipe base) {
            TrainingAugmentation settings = base.augmentationSettings();
            recipe = base.toBuilder();
            augmentation = settings.toBuilder();
            preprocessing = base.preprocessing().toBuilder();
            augmented = base.augmentation().isPresent();
            cropScale = new double[] {settings.minScale(), settings.maxScale()};
            aspectRatio = new double[] {settings.minAspectRatio(), settings.maxAspectRatio()};
        }
    }

    /**
     * The keys that spell the preprocessing, in the recipe's order, each with how it writes from a
     * {@link Preprocessing}: one spelling for the recipe's map and for {@link #write(Preprocessing)}.
     */
    private static final Map<String, Function<Preprocessing, String>> PREPROCESSING_WRITERS = preprocessingWriters();

    private static final List<Key> KEYS = List.of(
            new Key("backbone", r -> r.backbone().toString(), (x, v) -> x.recipe.backbone(Backbone.parse(v))),
            new Key("trainable", r -> r.trainableLayers().toString(),
                    (x, v) -> x.recipe.trainableLayers(TrainableLayers.parse(v))),
            new Key("optimizer", r -> optimizerName(r.optimizer()), (x, v) -> x.recipe.optimizer(optimizer(v))),
            new Key("learning-rate", r -> Double.toString(r.learningRate()),
                    (x, v) -> x.recipe.learningRate(number(v))),
            new Key("weight-decay", r -> Double.toString(r.weightDecay()), (x, v) -> x.recipe.weightDecay(number(v))),
            new Key("momentum", r -> Double.toString(r.momentum()), (x, v) -> x.recipe.momentum(number(v))),
            new Key("schedule", r -> r.schedule().toString(),
                    (x, v) -> x.recipe.schedule(LearningRateSchedule.parse(v))),
            new Key("batch-size", r -> Integer.toString(r.batchSize()), (x, v) -> x.recipe.batchSize(integer(v))),
            new Key("epochs", r -> Integer.toString(r.epochs()), (x, v) -> x.recipe.epochs(integer(v))),
            new Key("patience", r -> Integer.toString(r.earlyStoppingPatience()),
                    (x, v) -> x.recipe.earlyStoppingPatience(integer(v))),
            new Key("monitor", r -> metricName(r.monitor()), (x, v) -> x.recipe.monitor(ValidationMetric.parse(v))),
            new Key("positive-class-weight",
                    r -> r.positiveClassWeight().isPresent() ? Double.toString(r.positiveClassWeight().getAsDouble()) : "auto",
                    (x, v) -> {
                        if (v.equals("auto")) {
                            x.recipe.positiveClassWeightFromData();
                        } else {
                            x.recipe.positiveClassWeight(number(v));
                        }
                    }),
            new Key("oversample", r -> Boolean.toString(r.oversampleMinority()),
                    (x, v) -> x.recipe.oversampleMinority(bool(v))),
            new Key("seed", r -> Long.toString(r.seed()), (x, v) -> x.recipe.seed(longInteger(v))),
            new Key(IMAGE_SIZE, preprocessingWriter(IMAGE_SIZE), (x, v) -> x.preprocessing.cropSize(integer(v))),
            new Key(RESIZE, preprocessingWriter(RESIZE), (x, v) -> x.preprocessing.resizeShorterSide(integer(v))),
            new Key(MEAN, preprocessingWriter(MEAN), (x, v) -> x.preprocessing.mean(floats(v))),
            new Key(STD, preprocessingWriter(STD), (x, v) -> x.preprocessing.std(floats(v))),
            new Key(EQUALIZATION, preprocessingWriter(EQUALIZATION),
                    (x, v) -> x.preprocessing.equalization(Equalization.parse(v))),
            new Key("augmentation", r -> Boolean.toString(r.augmentation().isPresent()), (x, v) -> x.augmented = bool(v)),
            new Key("crop-scale-min", r -> Double.toString(r.augmentationSettings().minScale()),
                    (x, v) -> x.cropScale[0] = number(v)),
            new Key("crop-scale-max", r -> Double.toString(r.augmentationSettings().maxScale()),
                    (x, v) -> x.cropScale[1] = number(v)),
            new Key("aspect-ratio-min", r -> Double.toString(r.augmentationSettings().minAspectRatio()),
                    (x, v) -> x.aspectRatio[0] = number(v)),
            new Key("aspect-ratio-max", r -> Double.toString(r.augmentationSettings().maxAspectRatio()),
                    (x, v) -> x.aspectRatio[1] = number(v)),
            new Key("rotation", r -> Double.toString(r.augmentationSettings().maxRotationDegrees()),
                    (x, v) -> x.augmentation.maxRotationDegrees(number(v))),
            new Key("brightness", r -> Double.toString(r.augmentationSettings().brightness()),
                    (x, v) -> x.augmentation.brightness(number(v))),
            new Key("contrast", r -> Double.toString(r.augmentationSettings().contrast()),
                    (x, v) -> x.augmentation.contrast(number(v))),
            new Key("gamma", r -> Double.toString(r.augmentationSettings().gamma()),
                    (x, v) -> x.augmentation.gamma(number(v))),
            new Key("horizontal-flip", r -> Boolean.toString(r.augmentationSettings().horizontalFlip()),
                    (x, v) -> x.augmentation.horizontalFlip(bool(v))),
            new Key("threshold-rule", r -> r.thresholdRule().toString(),
                    (x, v) -> x.recipe.thresholdRule(ThresholdRule.parse(v))));

    private static final Map<String, Key> BY_NAME = byName();

    /**
     * Keys added to recipes after their first version, each with the value that says what xray did
     * before the key existed. A complete map written by an earlier xray (a model's provenance, a
     * checkpoint) lacks them and means those values, not today's defaults.
     */
    private static final Map<String, String> ADDED_KEYS = Map.of(EQUALIZATION, "none");

    private RecipeHyperparameters() {}

    /** @return every key a recipe writes, in order (without {@code preset}, which only reading knows) */
    static List<String> keys() {
        return KEYS.stream().map(Key::name).toList();
    }

    static Map<String, String> write(TrainingRecipe recipe) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Key key : KEYS) {
            map.put(key.name(), key.writer().apply(recipe));
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * @param preprocessing a preprocessing, such as an earlier model's
     * @return its values as a recipe writes them ({@code image-size, resize, mean, std,
     *     equalization}, in that order), so that they can be given back with {@code -H key=value}
     */
    static Map<String, String> write(Preprocessing preprocessing) {
        Map<String, String> map = new LinkedHashMap<>();
        PREPROCESSING_WRITERS.forEach((key, writer) -> map.put(key, writer.apply(preprocessing)));
        return Collections.unmodifiableMap(map);
    }

    static TrainingRecipe read(TrainingRecipe base, Map<String, String> hyperparameters) {
        if (hyperparameters == null) {
            throw new InvalidConfigurationException("hyperparameters", "must not be null");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : hyperparameters.entrySet()) {
            String key = entry.getKey();
            if (key == null) {
                throw new InvalidConfigurationException("hyperparameters", "a key is null");
            }
            if (key.startsWith("sagemaker_") || key.equals("_tuning_objective_metric")) {
                continue;
            }
            if (!key.equals(PRESET) && !BY_NAME.containsKey(key)) {
                throw new InvalidConfigurationException(key, "unknown hyperparameter (value '" + entry.getValue()
                        + "'); known: " + PRESET + ", " + String.join(", ", keys()));
            }
            values.put(key, decode(key, entry.getValue()));
        }
        values = withKeysAddedSince(values);
        TrainingRecipe start = values.containsKey(PRESET) ? TrainingRecipe.preset(values.get(PRESET)) : base;
        Reading reading = new Reading(start);
        for (Map.Entry<String, String> entry : values.entrySet()) {
            if (entry.getKey().equals(PRESET)) {
                continue;
            }
            apply(reading, entry.getKey(), entry.getValue());
        }
        int imageSize = values.containsKey(IMAGE_SIZE) ? Integer.parseInt(values.get(IMAGE_SIZE)) : 0;
        if (imageSize > 0 && !values.containsKey(RESIZE)) {
            reading.preprocessing.resizeShorterSide(Math.round(imageSize * 8f / 7f));
        }
        reading.augmentation.randomResizedCrop(reading.cropScale[0], reading.cropScale[1])
                .aspectRatio(reading.aspectRatio[0], reading.aspectRatio[1]);
        Preprocessing preprocessing = built("preprocessing", values, reading.preprocessing::build);
        TrainingAugmentation augmentation = built("augmentation", values, reading.augmentation::build);
        reading.recipe.preprocessing(preprocessing).augmentation(augmentation);
        if (!reading.augmented) {
            reading.recipe.noAugmentation();
        }
        return built("recipe", values, reading.recipe::build);
    }

    /**
     * @param hyperparameters a recipe's map, complete or partial
     * @return the map itself, unless it is complete but for keys added since (written by an earlier
     *     xray): then a copy with those keys at the values that mean what that xray did
     */
    static Map<String, String> withKeysAddedSince(Map<String, String> hyperparameters) {
        boolean olderComplete = KEYS.stream().map(Key::name)
                .allMatch(key -> hyperparameters.containsKey(key) || ADDED_KEYS.containsKey(key));
        if (!olderComplete || hyperparameters.keySet().containsAll(ADDED_KEYS.keySet())) {
            return hyperparameters;
        }
        Map<String, String> completed = new LinkedHashMap<>(hyperparameters);
        ADDED_KEYS.forEach(completed::putIfAbsent);
        return completed;
    }

    private static void apply(Reading reading, String key, String value) {
        try {
            BY_NAME.get(key).reader().accept(reading, value);
        } catch (InvalidConfigurationException | IllegalArgumentException e) {
            throw new InvalidConfigurationException(key, "'" + value + "' is not valid: " + reason(e));
        }
    }

    /** Builds a part, naming the hyperparameter (and its value) that made it invalid. */
    private static <T> T built(String part, Map<String, String> values, Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidConfigurationException e) {
            String key = keyOf(e.field());
            String value = values.get(key);
            throw new InvalidConfigurationException(key, (value != null ? "'" + value + "' is not valid: " : "")
                    + reason(e));
        }
    }

    /** Maps a builder's field name to the hyperparameter that sets it. */
    private static String keyOf(String field) {
        return switch (field) {
            case "learningRate" -> "learning-rate";
            case "weightDecay" -> "weight-decay";
            case "batchSize" -> "batch-size";
            case "earlyStoppingPatience" -> "patience";
            case "positiveClassWeight" -> "positive-class-weight";
            case "trainableLayers" -> "trainable";
            case "thresholdRule" -> "threshold-rule";
            case "cropSize" -> IMAGE_SIZE;
            case "resizeShorterSide" -> RESIZE;
            case "randomResizedCrop" -> "crop-scale-min";
            case "aspectRatio" -> "aspect-ratio-min";
            case "maxRotationDegrees" -> "rotation";
            default -> field;
        };
    }

    private static String decode(String key, String raw) {
        if (raw == null) {
            throw new InvalidConfigurationException(key, "has no value");
        }
        String value = raw;
        for (int i = 0; i < MAX_JSON_DECODES && value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2; i++) {
            try {
                JsonNode node = JSON.readTree(value);
                if (!node.isTextual()) {
                    break;
                }
                value = node.textValue();
            } catch (JsonProcessingException e) {
                throw new InvalidConfigurationException(key, "'" + raw + "' is a malformed JSON string");
            }
        }
        if (value.isEmpty() || !value.strip().equals(value)) {
            throw new InvalidConfigurationException(key, "'" + raw + "' is not valid: "
                    + (value.isEmpty() ? "empty" : "white space around the value"));
        }
        return value;
    }

    private static String reason(RuntimeException e) {
        return e instanceof InvalidConfigurationException ice
                ? ice.getMessage().substring(ice.field().length() + 2)
                : e.getMessage();
    }

    private static double number(String value) {
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number");
        }
        if (!Double.isFinite(parsed) || !value.matches("[-+0-9.eE]+")) {
            throw new IllegalArgumentException("expected a finite decimal number");
        }
        return parsed;
    }

    private static int integer(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number");
        }
    }

    private static long longInteger(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number");
        }
    }

    private static boolean bool(String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("expected true or false");
    }

    private static String floats(float[] values) {
        List<String> parts = new ArrayList<>(values.length);
        for (float v : values) {
            parts.add(Float.toString(v));
        }
        return String.join(",", parts);
    }

    private static float[] floats(String value) {
        String[] parts = value.split(",", -1);
        float[] parsed = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            parsed[i] = (float) number(parts[i]);
        }
        return parsed;
    }

    private static String optimizerName(OptimizerKind kind) {
        return switch (kind) {
            case ADAM -> "adam";
            case ADAMW -> "adamw";
            case SGD_MOMENTUM -> "sgd";
        };
    }

    private static OptimizerKind optimizer(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "adam" -> OptimizerKind.ADAM;
            case "adamw" -> OptimizerKind.ADAMW;
            case "sgd", "sgd-momentum" -> OptimizerKind.SGD_MOMENTUM;
            default -> throw new IllegalArgumentException("expected adam, adamw or sgd");
        };
    }

    private static String metricName(ValidationMetric metric) {
        return metric.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Map<String, Function<Preprocessing, String>> preprocessingWriters() {
        Map<String, Function<Preprocessing, String>> writers = new LinkedHashMap<>();
        writers.put(IMAGE_SIZE, p -> Integer.toString(p.cropSize()));
        writers.put(RESIZE, p -> Integer.toString(p.resizeShorterSide()));
        writers.put(MEAN, p -> floats(p.mean()));
        writers.put(STD, p -> floats(p.std()));
        writers.put(EQUALIZATION, p -> p.equalization().toString());
        return Collections.unmodifiableMap(writers);
    }

    private static Function<TrainingRecipe, String> preprocessingWriter(String key) {
        Function<Preprocessing, String> writer = PREPROCESSING_WRITERS.get(key);
        return recipe -> writer.apply(recipe.preprocessing());
    }

    private static Map<String, Key> byName() {
        Map<String, Key> map = new LinkedHashMap<>();
        for (Key key : KEYS) {
            map.put(key.name(), key);
        }
        return map;
    }
}
