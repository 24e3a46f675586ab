package io.xray.train;

import io.xray.InvalidConfigurationException;
import io.xray.metrics.BinaryMetrics;
import java.util.Locale;

/**
 * The validation figure that early stopping watches and that picks the best epoch, whose weights
 * become the model. Figures at a threshold (F1, accuracy) use 0.5 during training; the model's
 * own threshold is chosen once, on the best epoch.
 */
public enum ValidationMetric {
    /** F1 of pneumonia at threshold 0.5 (the seed notebook's choice); higher is better. */
    F1(true),
    /** Area under the ROC curve; higher is better. */
    ROC_AUC(true),
    /** Average precision; higher is better. */
    PR_AUC(true),
    /** Accuracy at threshold 0.5; higher is better. */
    ACCURACY(true),
    /** Validation loss, the training loss's formula; lower is better. */
    LOSS(false);

    private final boolean higherIsBetter;

    ValidationMetric(boolean higherIsBetter) {
        this.higherIsBetter = higherIsBetter;
    }

    /** @return true unless lower values are better (the loss) */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /**
     * @param epoch an epoch's results
     * @return this figure in those results
     */
    public double of(EpochResult epoch) {
        return of(epoch.validation(), epoch.validationLoss());
    }

    /**
     * @param validation the validation metrics
     * @param validationLoss the validation loss
     * @return this figure among them
     */
    public double of(BinaryMetrics validation, double validationLoss) {
        return switch (this) {
            case F1 -> validation.f1();
            case ROC_AUC -> validation.rocAuc();
            case PR_AUC -> validation.prAuc();
            case ACCURACY -> validation.accuracy();
            case LOSS -> validationLoss;
        };
    }

    /**
     * @param candidate a new value
     * @param best the best so far, NaN when there is none
     * @return true if {@code candidate} is strictly better
     */
    public boolean isBetter(double candidate, double best) {
        if (Double.isNaN(candidate)) {
            return false;
        }
        if (Double.isNaN(best)) {
            return true;
        }
        return higherIsBetter ? candidate > best : candidate < best;
    }

    /**
     * @param text {@code f1}, {@code auc}, {@code roc-auc}, {@code pr-auc}, {@code accuracy} or
     *     {@code loss}, any case
     * @return the metric
     */
    public static ValidationMetric parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (value) {
            case "f1" -> F1;
            case "auc", "roc-auc" -> ROC_AUC;
            case "pr-auc", "average-precision" -> PR_AUC;
            case "accuracy" -> ACCURACY;
            case "loss" -> LOSS;
            default -> throw new InvalidConfigurationException(
                    "monitor", "expected f1, auc, pr-auc, accuracy or loss, got '" + text + "'");
        };
    }
}
