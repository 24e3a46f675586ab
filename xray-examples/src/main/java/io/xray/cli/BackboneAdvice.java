package io.xray.cli;

import io.xray.XrayException;
import io.xray.backbone.BackboneUnavailableException;
import io.xray.tune.Objective;
import io.xray.tune.SearchSpace;
import io.xray.tune.Trial;
import io.xray.tune.TrialOutcome;
import io.xray.tune.TrialRunner;
import java.util.function.Supplier;

/**
 * The command line's advice when a backbone cannot be obtained (DJL's ImageNet ResNet18 without
 * network access): the library's message names {@code Backbone.torchScript(file)}, which a command
 * line user cannot call, so the commands catch {@link BackboneUnavailableException} and name their
 * own options instead: {@code --backbone} for {@code train} and {@code seeds}, {@code -H backbone=}
 * for {@code tune}.
 */
final class BackboneAdvice {

    /** How {@code train} and {@code seeds} choose a backbone. */
    static final String TRAIN_OPTION = "--backbone ";
    /** How {@code tune} changes its base recipe's backbone. */
    static final String TUNE_OPTION = "-H backbone=";

    private BackboneAdvice() {}

    /**
     * @param work the training
     * @param option how the command sets a backbone, {@link #TRAIN_OPTION} or {@link #TUNE_OPTION}
     * @param <T> what the training returns
     * @return what it returned
     * @throws XrayException in the command line's words when the backbone cannot be obtained
     */
    static <T> T around(Supplier<T> work, String option) {
        try {
            return work.get();
        } catch (BackboneUnavailableException e) {
            throw advice(e, option);
        }
    }

    /**
     * @param e the library's exception
     * @param option how the command sets a backbone
     * @return the exception to report: the advice first (a tuning trial's message is shown cut short)
     */
    static XrayException advice(BackboneUnavailableException e, String option) {
        return new XrayException("the " + e.backbone() + " backbone could not be downloaded from DJL's model zoo;"
                + " without network access give " + option + "torchscript:FILE or " + option + "scratch (FILE: a"
                + " ResNet18 feature extractor exported as TorchScript, see"
                + " xray-core/src/test/python/make_torchscript_resnet18_fixture.py). Its first use downloads it, which"
                + " needs network access and the system property ai.djl.offline unset or false; it failed with: "
                + e.reason(), e);
    }

    /**
     * @param runner the trials' runner
     * @return the runner, reporting a backbone that cannot be obtained with {@code tune}'s options
     */
    static TrialRunner forTuning(TrialRunner runner) {
        return new TrialRunner() {
            @Override
            public TrialOutcome run(Trial trial) {
                return around(() -> runner.run(trial), TUNE_OPTION);
            }

            @Override
            public void validate(SearchSpace space, Objective objective) {
                runner.validate(space, objective);
            }

            @Override
            public int defaultParallelTrials() {
                return runner.defaultParallelTrials();
            }

            @Override
            public boolean continuesInterruptedTrials() {
                return runner.continuesInterruptedTrials();
            }
        };
    }
}
