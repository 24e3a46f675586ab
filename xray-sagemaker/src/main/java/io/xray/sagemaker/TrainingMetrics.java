package io.xray.sagemaker;

import io.xray.train.EpochLogLine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;

/**
 * The metric definitions a training job sends: one regex per metric over the
 * {@code Val_epoch} line the container prints after every epoch ({@link EpochLogLine}); the
 * first group is the value. SageMaker reads metrics only this way, from the log, and its tuner
 * optimises one of them: {@link #BEST_VALIDATION_F1} is the F1 of the best epoch so far (the one
 * the model keeps), so a tuning job can rank jobs by their best epoch rather than their last one.
 * Every regex requires the line to start with {@code Val_epoch N:}, so no other log line can
 * produce a point; a value that is not a number ({@code NaN}) produces none.
 */
public final class TrainingMetrics {

    /** Validation loss of the epoch. */
    public static final String VALIDATION_LOSS = "validation:loss";
    /** Validation F1 of the epoch. */
    public static final String VALIDATION_F1 = "validation:f1";
    /** Validation accuracy of the epoch. */
    public static final String VALIDATION_ACCURACY = "validation:accuracy";
    /** Validation F1 of the best epoch so far: the tuning objective. */
    public static final String BEST_VALIDATION_F1 = "validation:best_f1";
    /** Validation ROC AUC of the epoch. */
    public static final String VALIDATION_AUC = "validation:auc";
    /** Mean training loss of the epoch. */
    public static final String TRAIN_LOSS = "train:loss";
    /** Training throughput of the epoch. */
    public static final String IMAGES_PER_SECOND = "train:images_per_sec";
    /** The epoch number. */
    public static final String EPOCH = "epoch";

    private static final String LINE = "Val_epoch [0-9]+: ";
    private static final String NUMBER = "([0-9]+(?:\\.[0-9]+)?)";
    private static final Map<String, String> REGEXES = new LinkedHashMap<>();

    static {
        REGEXES.put(VALIDATION_LOSS, LINE + "Val_loss=" + NUMBER);
        REGEXES.put(VALIDATION_F1, LINE + "Val_loss=[^,;]*, Val_f1=" + NUMBER);
        REGEXES.put(VALIDATION_ACCURACY, LINE + ".*; Val_accuracy=" + NUMBER);
        REGEXES.put(BEST_VALIDATION_F1, LINE + ".*; Best_val_f1=" + NUMBER);
        REGEXES.put(VALIDATION_AUC, LINE + ".*; Val_auc=" + NUMBER);
        REGEXES.put(TRAIN_LOSS, LINE + ".*; Train_loss=" + NUMBER);
        REGEXES.put(IMAGES_PER_SECOND, LINE + ".*; Images_per_sec=" + NUMBER);
        REGEXES.put(EPOCH, "Val_epoch ([0-9]+): ");
    }

    private TrainingMetrics() {
    }

    /** @return metric name to regex, in a stable order */
    public static Map<String, String> regexes() {
        return java.util.Collections.unmodifiableMap(REGEXES);
    }

    /** @return the metric definitions as the SDK sends them */
    public static List<MetricDefinition> definitions() {
        return REGEXES.entrySet().stream()
                .map(e -> MetricDefinition.builder().name(e.getKey()).regex(e.getValue()).build())
                .toList();
    }
}
