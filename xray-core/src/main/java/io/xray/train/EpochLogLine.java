package io.xray.train;

import java.util.Locale;

/**
 * Formats the one INFO line logged after every epoch. It starts exactly like the seed notebook's
 * line, which SageMaker metric definitions were written for
 * ({@code Val_f1=([0-9\.]+)} and the like):
 *
 * <pre>
 * Val_epoch 3: Val_loss=0.2311, Val_f1=0.9402; Val_accuracy=0.9120; Patience=1
 * </pre>
 *
 * and continues with {@code ; Best_val_f1=...; Val_auc=...; Train_loss=...; Images_per_sec=...}
 * and more fields, each {@code ; Name=value}. {@code Best_val_f1} is the F1 of the best epoch so
 * far, so a tuner can optimise the epoch that the model keeps rather than the last one.
 */
public final class EpochLogLine {

    private EpochLogLine() {}

    /**
     * @param epoch an epoch's results
     * @return the line, without a line break
     */
    public static String format(EpochResult epoch) {
        return String.format(
                Locale.ROOT,
                "Val_epoch %d: Val_loss=%.4f, Val_f1=%.4f; Val_accuracy=%.4f; Patience=%d; Best_val_f1=%.4f;"
                        + " Val_auc=%.4f; Train_loss=%.4f; Images_per_sec=%.1f; Best_epoch=%d; Val_precision=%.4f;"
                        + " Val_recall=%.4f; Val_specificity=%.4f; Val_pr_auc=%.4f; Learning_rate=%.6g;"
                        + " Epoch_sec=%.1f; Data_sec=%.1f; Compute_sec=%.1f; Val_sec=%.1f",
                epoch.epoch(),
                epoch.validationLoss(),
                epoch.validation().f1(),
                epoch.validation().accuracy(),
                epoch.bestSoFar().patience(),
                epoch.bestSoFar().validationF1(),
                epoch.validation().rocAuc(),
                epoch.trainLoss(),
                epoch.timings().imagesPerSecond(),
                epoch.bestSoFar().epoch(),
                epoch.validation().precision(),
                epoch.validation().recall(),
                epoch.validation().specificity(),
                epoch.validation().prAuc(),
                epoch.learningRate(),
                epoch.timings().seconds(),
                epoch.timings().dataSeconds(),
                epoch.timings().computeSeconds(),
                epoch.timings().validationSeconds());
    }
}
