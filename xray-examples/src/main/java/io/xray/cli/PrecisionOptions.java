package io.xray.cli;

import io.xray.InvalidConfigurationException;
import io.xray.data.Dataset;
import io.xray.data.Split;
import io.xray.model.InferenceOptions;
import io.xray.model.Precision;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The inference precision and its accuracy guard, shared by {@code serve}, {@code batch},
 * {@code evaluate} and {@code bench infer}: {@code --precision bf16 --guard-data DIR} checks bf16
 * against fp32 on DIR's validation split before using it.
 */
final class PrecisionOptions {

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|bf16",
            description = "arithmetic of the network: fp32, or bf16 (bfloat16 convolutions, on CPUs with AVX-512 BF16"
                    + " or AMX; otherwise fp32 with a warning) (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(names = "--guard-data", paramLabel = "DIR",
            description = "with --precision bf16: chest_xray folder or manifest whose --guard-split is scored in fp32"
                    + " and bf16 first; bf16 is refused when the ROC AUC moves by more than 0.002 or over 0.5%% of"
                    + " decisions flip")
    Path guardData;

    @Option(names = "--guard-split", defaultValue = "val", paramLabel = "SPLIT",
            description = "split of --guard-data the guard scores (default: ${DEFAULT-VALUE})")
    String guardSplit;

    @Option(names = "--guard-val-fraction", paramLabel = "F",
            description = "carve --guard-data's validation split from train as xray train did (with --guard-seed)")
    Double guardValFraction;

    @Option(names = "--guard-seed", defaultValue = "42", paramLabel = "N",
            description = "seed of --guard-val-fraction's split (default: ${DEFAULT-VALUE})")
    long guardSeed;

    @Option(names = "--no-precision-guard",
            description = "use --precision bf16 without checking it against fp32")
    boolean noGuard;

    /**
     * Checks the numeric options as the command starts, before anything is read.
     *
     * @param checks the command's checks
     */
    void check(OptionChecks checks) {
        checks.fractionOrZero("--guard-val-fraction", guardValFraction);
    }

    /** @return the precision asked for */
    Precision precision() {
        return Precision.parse(precision);
    }

    /**
     * Checks the options without reading anything: a reduced precision needs {@code --guard-data}
     * or {@code --no-precision-guard}.
     *
     * @param skipGuardWithoutData true where a reduced precision may run unchecked without guard data
     * @return the precision asked for
     * @throws InvalidConfigurationException naming {@code --guard-data} when neither is given
     */
    Precision requireGuardChoice(boolean skipGuardWithoutData) {
        Precision chosen = precision();
        if (chosen.isReduced() && guardData == null && !noGuard && !skipGuardWithoutData) {
            throw new InvalidConfigurationException("--guard-data", "--precision " + chosen.label() + " is checked against"
                    + " fp32 on validation images first: give --guard-data DIR (with --guard-val-fraction and"
                    + " --guard-seed as xray train had them), or --no-precision-guard to skip the check");
        }
        return chosen;
    }

    /**
     * @param skipGuardWithoutData true where a reduced precision without {@code --guard-data} is
     *     run unchecked (a speed benchmark on synthetic images) rather than refused
     * @return the options: the precision, and the guard's images when {@code --guard-data} is given
     */
    InferenceOptions toOptions(boolean skipGuardWithoutData) {
        Precision chosen = requireGuardChoice(skipGuardWithoutData);
        InferenceOptions.Builder builder = InferenceOptions.builder().precision(chosen);
        if (guardData != null && !noGuard) {
            Dataset dataset = Dataset.load(guardData);
            if (guardValFraction != null && guardValFraction > 0) {
                dataset = dataset.withValidationFromTrain(guardValFraction, guardSeed);
            }
            builder.guardImages(dataset.records(Split.fromDirectoryName(guardSplit)));
        } else if (noGuard || skipGuardWithoutData) {
            builder.skipGuard();
        }
        return builder.build();
    }
}
