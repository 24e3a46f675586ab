package io.xray.metrics;

import org.apache.commons.math3.analysis.UnivariateFunction;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;
import org.apache.commons.math3.optim.univariate.UnivariatePointValuePair;

/**
 * Temperature scaling (Guo et al., 2017): one number {@code T > 0} that divides a model's logits
 * before the sigmoid, {@code p = sigmoid(logit / T)}. A network trained to separate the classes is
 * usually over-confident ({@code T > 1} softens it); {@code T < 1} sharpens an under-confident one.
 * Dividing by a positive number keeps the order of the logits, so the ranking (ROC AUC, average
 * precision) and the decisions at a threshold moved along with the probabilities do not change;
 * only what the probabilities mean does.
 *
 * <p>{@link #fit} chooses {@code T} that minimises the binary negative log-likelihood of labelled
 * logits (for example the validation split's), by Brent's method on {@code log T} within
 * [{@value #MIN_TEMPERATURE}, {@value #MAX_TEMPERATURE}]. As in Platt (1999), the labels are
 * smoothed to {@code (P + 1) / (P + 2)} for the P pneumonia images and {@code 1 / (N + 2)} for the N
 * normal ones: without that, logits that separate the classes perfectly (a small or easy validation
 * split) would keep improving the likelihood as {@code T} shrinks towards 0, and the fit would
 * return probabilities of exactly 0 and 1; with a few hundred images the smoothing moves the
 * targets by well under 1%. The objective is convex in {@code 1/T} (a logistic regression on the
 * logit with no intercept), so the minimum found is the only one.
 *
 * <p>Temperatures below 1 sharpen: a logit above about {@code 36.7 T} then gives a probability of
 * exactly 1.0 in double precision, so two very confident images can tie where their logits did not.
 */
public final class TemperatureScaling {

    /** The lowest temperature {@link #fit} returns. */
    public static final double MIN_TEMPERATURE = 0.05;
    /** The highest temperature {@link #fit} returns. */
    public static final double MAX_TEMPERATURE = 20.0;

    private TemperatureScaling() {}

    /**
     * @param logit a logit
     * @param temperature the temperature, positive
     * @return {@code sigmoid(logit / temperature)}
     */
    public static double probability(double logit, double temperature) {
        return 1.0 / (1.0 + Math.exp(-(logit / temperature)));
    }

    /**
     * @param logit a logit
     * @param temperature the temperature, positive
     * @param offset added after dividing by the temperature
     * @return {@code sigmoid(logit / temperature + offset)}
     */
    public static double probability(double logit, double temperature, double offset) {
        return 1.0 / (1.0 + Math.exp(-(logit / temperature + offset)));
    }

    /**
     * Platt scaling (Platt, 1999): temperature scaling with an offset, {@code p = sigmoid(logit / T + b)},
     * both fitted by minimising the negative log-likelihood with the same smoothed labels as
     * {@link #fit}. The offset undoes a shift of every logit, such as the one a positive-class weight
     * in the training loss brings, which no temperature can. A logistic regression on one input, so
     * the objective is convex in {@code (1/T, b)}: Newton's method from {@code (1, 0)} with step
     * halving finds its minimum.
     *
     * @param logits logits, finite
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as logits
     * @return {@code {T, b}}, T within [{@value #MIN_TEMPERATURE}, {@value #MAX_TEMPERATURE}]
     * @throws IllegalArgumentException on invalid input (see the package's conventions)
     */
    public static double[] fitWithOffset(double[] logits, int[] labels) {
        Inputs.validate(logits, labels);
        long positives = 0;
        for (int label : labels) {
            positives += label;
        }
        double positiveTarget = (positives + 1.0) / (positives + 2.0);
        double negativeTarget = 1.0 / (labels.length - positives + 2.0);
        double a = 1.0;
        double b = 0.0;
        double loss = plattLoss(logits, labels, a, b, positiveTarget, negativeTarget);
        for (int iteration = 0; iteration < 100; iteration++) {
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            for (int i = 0; i < logits.length; i++) {
                double p = 1.0 / (1.0 + Math.exp(-(a * logits[i] + b)));
                double residual = p - (labels[i] == 1 ? positiveTarget : negativeTarget);
                double weight = Math.max(p * (1 - p), 1e-12);
                ga += residual * logits[i];
                gb += residual;
                haa += weight * logits[i] * logits[i];
                hab += weight * logits[i];
                hbb += weight;
            }
            double determinant = haa * hbb - hab * hab;
            if (Math.abs(determinant) < 1e-300) {
                break;
            }
            double da = (hbb * ga - hab * gb) / determinant;
            double db = (haa * gb - hab * ga) / determinant;
            double step = 1.0;
            double next = Double.NaN;
            while (step > 1e-6) {
                next = plattLoss(logits, labels, a - step * da, b - step * db, positiveTarget, negativeTarget);
                if (next <= loss) {
                    break;
                }
                step /= 2;
            }
            if (!(next <= loss)) {
                break;
            }
            a -= step * da;
            b -= step * db;
            boolean converged = loss - next < 1e-12;
            loss = next;
            if (converged) {
                break;
            }
        }
        double temperature = Math.min(MAX_TEMPERATURE, Math.max(MIN_TEMPERATURE, 1.0 / Math.max(a, 1e-12)));
        return new double[] {temperature, b};
    }

    private static double plattLoss(double[] logits, int[] labels, double a, double b, double positiveTarget,
            double negativeTarget) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double x = a * logits[i] + b;
            double target = labels[i] == 1 ? positiveTarget : negativeTarget;
            sum += Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) - target * x;
        }
        return sum / logits.length;
    }

    /**
     * The mean binary negative log-likelihood of labels under {@code sigmoid(logit / T)}, computed
     * without overflow for large logits.
     *
     * @param logits logits, finite
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as logits
     * @param temperature the temperature, positive and finite
     * @return the mean negative log-likelihood, in nats
     * @throws IllegalArgumentException on invalid input (see the package's conventions) or a
     *     temperature that is not positive and finite
     */
    public static double negativeLogLikelihood(double[] logits, int[] labels, double temperature) {
        Inputs.validate(logits, labels);
        requireTemperature(temperature);
        return meanNll(logits, labels, temperature);
    }

    /**
     * Fits the temperature that minimises the negative log-likelihood of labelled logits, with
     * Platt's smoothed labels (see the class description).
     *
     * @param logits logits, finite, such as the validation split's
     * @param labels 0 (NORMAL) or 1 (PNEUMONIA), as many as logits
     * @return the temperature, in [{@value #MIN_TEMPERATURE}, {@value #MAX_TEMPERATURE}]; 1.0 when
     *     every logit is 0 (any temperature fits those equally)
     * @throws IllegalArgumentException on invalid input (see the package's conventions)
     */
    public static double fit(double[] logits, int[] labels) {
        Inputs.validate(logits, labels);
        boolean allZero = true;
        for (double logit : logits) {
            allZero &= logit == 0;
        }
        if (allZero) {
            return 1.0;
        }
        long positives = 0;
        for (int label : labels) {
            positives += label;
        }
        double positiveTarget = (positives + 1.0) / (positives + 2.0);
        double negativeTarget = 1.0 / (labels.length - positives + 2.0);
        UnivariateFunction objective = logT -> crossEntropy(logits, labels, Math.exp(logT), positiveTarget, negativeTarget);
        double low = Math.log(MIN_TEMPERATURE);
        double high = Math.log(MAX_TEMPERATURE);
        UnivariatePointValuePair best = new BrentOptimizer(1e-10, 1e-12).optimize(
                new MaxEval(500),
                new UnivariateObjectiveFunction(objective),
                GoalType.MINIMIZE,
                new SearchInterval(low, high, 0.0));
        double logT = best.getPoint();
        // Brent stops inside the interval; an objective still falling at a bound belongs at the bound.
        if (Math.abs(low - logT) < 1e-3 && objective.value(low) <= best.getValue()) {
            return MIN_TEMPERATURE;
        }
        if (Math.abs(high - logT) < 1e-3 && objective.value(high) <= best.getValue()) {
            return MAX_TEMPERATURE;
        }
        return Math.exp(logT);
    }

    private static double meanNll(double[] logits, int[] labels, double temperature) {
        return crossEntropy(logits, labels, temperature, 1.0, 0.0);
    }

    /** The mean cross-entropy of targets (one value per class) under {@code sigmoid(logit / T)}. */
    private static double crossEntropy(double[] logits, int[] labels, double temperature, double positiveTarget,
            double negativeTarget) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double x = logits[i] / temperature;
            double target = labels[i] == 1 ? positiveTarget : negativeTarget;
            // -[t log s(x) + (1 - t) log(1 - s(x))] = softplus(x) - t x
            sum += Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) - target * x;
        }
        return sum / logits.length;
    }

    private static void requireTemperature(double temperature) {
        if (!(temperature > 0 && Double.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature is " + temperature + "; it must be positive and finite");
        }
    }
}
