/**
 * Metrics for the binary pneumonia classifier: confusion matrix, ratios, ROC AUC, average
 * precision, the naive all-pneumonia baseline, threshold selection and curves.
 *
 * <h2>Conventions shared by every type in this package</h2>
 * <ul>
 *   <li><b>Labels</b> are {@code int} 0 or 1: 1 = PNEUMONIA, the <em>positive</em> class;
 *       0 = NORMAL, the negative class.</li>
 *   <li><b>Scores</b> are {@code double} probabilities of pneumonia (any finite value works: only
 *       their order and the comparison with the threshold matter).</li>
 *   <li><b>Decision rule</b>: an example is predicted positive (pneumonia) when
 *       {@code score >= threshold}, negative otherwise. A threshold equal to a score therefore
 *       counts that score as positive.</li>
 *   <li><b>Zero denominators</b>: a ratio whose denominator is zero (for example precision when
 *       nothing is predicted positive, or recall when there are no positive labels) is
 *       {@code 0.0}, never NaN, so every ratio serializes to a plain JSON number.</li>
 *   <li><b>Undefined AUCs</b>: ROC AUC needs both classes and average precision needs at least one
 *       positive. When they are undefined, {@link io.xray.metrics.BinaryMetrics} holds
 *       {@link java.lang.Double#NaN} in Java and writes {@code null} in JSON (and reads
 *       {@code null} back as NaN).</li>
 *   <li><b>Invalid input</b> (arrays of different lengths, empty arrays, a label other than 0/1, a
 *       score that is NaN or infinite, a non-finite threshold) is refused with an
 *       {@link java.lang.IllegalArgumentException} whose message names the argument and, for
 *       arrays, the first offending index.</li>
 *   <li><b>Cost</b>: every computation over all thresholds sorts the scores once
 *       (O(n log n)) and sweeps the distinct thresholds once; none rescans the data per
 *       threshold.</li>
 * </ul>
 *
 * <p>Every result is an immutable value that Jackson serializes to JSON and reads back equal.
 */
package io.xray.metrics;
