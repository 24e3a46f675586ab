package io.xray.train;

import io.xray.XrayException;
import io.xray.backbone.Backbone;
import io.xray.backbone.BackboneKind;
import io.xray.image.Preprocessing;
import io.xray.model.ModelArtifact;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * An earlier model's preprocessing against the recipe's, for a {@link Backbone#fromModel model:DIR}
 * backbone. The backbone keeps that model's layers, not its preprocessing: a recipe that feeds it
 * images of another size, resize, equalisation, mean or deviation trains on features that no longer
 * mean what the backbone learnt. That may be deliberate, so training is not refused; it is warned.
 */
final class BackbonePreprocessing {

    /**
     * One preprocessing value that differs, under the recipe's key ({@code image-size},
     * {@code resize}, {@code mean}, {@code std}, {@code equalization}) and spelt as the recipe spells it.
     *
     * @param key the recipe's key
     * @param backboneValue the value the backbone's model was trained with
     * @param recipeValue the recipe's value
     */
    record Difference(String key, String backboneValue, String recipeValue) {}

    private BackbonePreprocessing() {}

    /**
     * @param trainedWith the preprocessing the backbone's model was trained with
     * @param recipe the recipe's preprocessing
     * @return every value that differs, in the recipe's key order; empty when they are the same
     */
    static List<Difference> differences(Preprocessing trainedWith, Preprocessing recipe) {
        Map<String, String> was = RecipeHyperparameters.write(trainedWith);
        Map<String, String> now = RecipeHyperparameters.write(recipe);
        return was.keySet().stream()
                .filter(key -> !was.get(key).equals(now.get(key)))
                .map(key -> new Difference(key, was.get(key), now.get(key)))
                .toList();
    }

    /**
     * @param backbone the recipe's backbone, named in the message
     * @param trainedWith the preprocessing its model was trained with
     * @param recipe the recipe's preprocessing
     * @return the warning naming each differing value with both values, or empty when none differs
     */
    static Optional<String> warning(Backbone backbone, Preprocessing trainedWith, Preprocessing recipe) {
        List<Difference> differences = differences(trainedWith, recipe);
        if (differences.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("backbone " + backbone + " was trained with "
                + joined(differences, Difference::backboneValue, ", ", "")
                + "; this recipe uses " + joined(differences, Difference::recipeValue, ", ", "")
                + ": its features will not match what the backbone learned. Give the recipe the model's"
                + " preprocessing (" + joined(differences, Difference::backboneValue, " ", "-H ")
                + ") unless this is deliberate");
    }

    /**
     * Logs {@link #warning} once, as a WARN, when the backbone is an earlier xray model whose
     * preprocessing differs from the recipe's. Says nothing for other backbones, and nothing when
     * the model cannot be read: building the network reports that.
     *
     * @param backbone the recipe's backbone
     * @param recipe the recipe's preprocessing
     * @param log where the warning goes
     */
    static void warnIfDifferent(Backbone backbone, Preprocessing recipe, Logger log) {
        if (backbone.kind() != BackboneKind.XRAY_MODEL) {
            return;
        }
        Preprocessing trainedWith;
        try {
            trainedWith = ModelArtifact.read(backbone.file().orElseThrow()).preprocessing();
        } catch (XrayException e) {
            return;
        }
        warning(backbone, trainedWith, recipe).ifPresent(log::warn);
    }

    private static String joined(
            List<Difference> differences, Function<Difference, String> value, String separator, String prefix) {
        return differences.stream()
                .map(d -> prefix + d.key() + "=" + value.apply(d))
                .collect(Collectors.joining(separator));
    }
}
