package io.xray.cli;

import io.xray.Devices;
import io.xray.InvalidConfigurationException;
import io.xray.data.Dataset;
import io.xray.train.TrainingRecipe;
import io.xray.tune.CommandTrialRunner;
import io.xray.tune.EarlyStopping;
import io.xray.tune.HyperparameterTuner;
import io.xray.tune.LocalTrialRunner;
import io.xray.tune.Objective;
import io.xray.tune.Parameter;
import io.xray.tune.SearchStrategy;
import io.xray.tune.TrialRecord;
import io.xray.tune.TrialRunner;
import io.xray.tune.TrialStatus;
import io.xray.tune.TuningListener;
import io.xray.tune.TuningResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code xray tune}: searches hyperparameters by training in this process ({@code --data}) or by
 * running a command per trial ({@code --command}, metrics read by a regex as SageMaker does), with
 * a run folder that {@code --resume} continues.
 */
@Command(
        name = "tune",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Search hyperparameters: each trial trains a recipe in this process (--data) or runs a command with the"
                    + " suggested values ({NAME} placeholders, --command), and is scored by a metric at its best epoch."
                    + " The run folder (--out) holds tuning.json, rewritten after every epoch, and one folder per trial;"
                    + " --resume continues a killed run. With --data the best trial's model is copied to OUT/best-model.",
            "Parameters: NAME=lin:MIN:MAX, NAME=log:MIN:MAX, NAME=int:MIN:MAX, NAME=intlog:MIN:MAX or NAME=cat:A,B,..."
                    + " With --data the names are recipe keys (xray train --print-recipe lists them). --preset seed is the"
                    + " seed notebook's search: learning-rate=log:1e-4:0.1, batch-size=cat:32,64,128, 10 trials, maximise"
                    + " Val_f1, starting from the seed-notebook recipe."
        })
final class TuneCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Trials trials;

    static final class Trials {
        @Option(names = "--data", description = "train each trial in this process on this chest_xray folder or manifest")
        Path data;

        @Option(names = "--command", paramLabel = "CMD",
                description = "run CMD under sh -c per trial, e.g. 'python train.py --lr {learning-rate}'")
        String command;
    }

    @Option(names = "--metric-regex", paramLabel = "REGEX",
            description = "with --command: regex whose first group is the metric, one value per matching output line"
                    + " (= epoch), e.g. 'Val_f1=([0-9.]+)'")
    private String metricRegex;

    @Option(names = "--metric", defaultValue = "Val_f1",
            description = "the metric to optimise; with --data one of Val_f1, Val_loss, Val_auc, Val_pr_auc, Val_accuracy,"
                    + " ... (default: ${DEFAULT-VALUE})")
    private String metric;

    @Option(names = "--minimize", description = "minimise the metric (default: maximise; Val_loss is always minimised)")
    private boolean minimize;

    @Option(names = "--score-at", defaultValue = "best", paramLabel = "EPOCHS",
            description = "which epoch scores a trial: best, last (as SageMaker) or mean-of-last:K (default: ${DEFAULT-VALUE})")
    private String scoreAt;

    @Option(names = "--preset", paramLabel = "NAME", description = "seed: the seed notebook's search")
    private String preset;

    @Option(names = "--param", paramLabel = "SPEC", description = "a parameter to search; repeat for more")
    private List<String> parameters = new ArrayList<>();

    @Option(names = "--strategy", defaultValue = "bayesian",
            description = "bayesian, random, or hyperband: random suggestions with successive halving over epochs"
                    + " (--early-stopping asha, or the asha:ETA:R given) (default: ${DEFAULT-VALUE})")
    private String strategy;

    @Option(names = "--trials", description = "how many trials (default: 10)")
    private Integer maxTrials;

    @Option(names = "--parallel", paramLabel = "N",
            description = "trials at once (default: 1 per 8 processors with --data, 1 per processor with --command)")
    private Integer parallel;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the suggestions (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--early-stopping", defaultValue = "off",
            description = "off; median (SageMaker's Auto: stop a trial worse than the median of earlier ones at an"
                    + " epoch); or asha / asha:ETA:R (successive halving: at epochs R, R*ETA, ... keep the top 1/ETA)"
                    + " (default: ${DEFAULT-VALUE})")
    private String earlyStopping;

    @Option(names = {"--out", "--output"}, required = true, description = "the run folder")
    private Path out;

    @Option(names = "--resume", description = "continue the run the folder holds")
    private boolean resume;

    @Option(names = "--warm-start", paramLabel = "DIR",
            description = "an earlier run folder whose trials inform the suggestions; repeat for more")
    private List<Path> warmStart = new ArrayList<>();

    @Option(names = "--recipe", paramLabel = "NAME",
            description = "with --data: the recipe the trials vary: default, quickstart or seed-notebook (default: default,"
                    + " or seed-notebook with --preset seed)")
    private String recipe;

    @Option(names = {"-H", "--hyperparameter"}, paramLabel = "KEY=VALUE",
            description = "with --data: change a value of the base recipe, e.g. -H epochs=3")
    private Map<String, String> hyperparameters = new LinkedHashMap<>();

    @Option(names = "--val-fraction",
            description = "with --data: share of train images carved into validation when the data has no val split"
                    + " (default 0.1)")
    private Double valFraction;

    @Option(names = "--device", defaultValue = "auto", description = "with --data: auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
    private String device;

    @Option(names = "--no-feature-cache",
            description = "with --data: trials that train only the head without augmentation run the frozen backbone in"
                    + " every step instead of computing each image's features once (same models, slower; for comparison)")
    private boolean noFeatureCache;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "with --command: fail a trial that runs longer, 0 for no limit (default: ${DEFAULT-VALUE})")
    private long timeoutSeconds;

    @Override
    public Integer call() {
        OptionChecks.of(spec).atLeast("--trials", maxTrials, 1).atLeast("--parallel", parallel, 1)
                .fractionOrZero("--val-fraction", valFraction).atLeast("--timeout", timeoutSeconds, 0);
        boolean seedPreset = preset != null;
        if (seedPreset && !preset.equals("seed")) {
            throw new InvalidConfigurationException("preset", "'" + preset + "' is not a preset; expected seed");
        }
        boolean hyperband = strategy.equals("hyperband");
        if (hyperband && !earlyStopping.equals("off") && !earlyStopping.startsWith("asha")) {
            throw new InvalidConfigurationException("early-stopping", "--strategy hyperband stops trials by successive"
                    + " halving (asha or asha:ETA:R), not by '" + earlyStopping + "'");
        }
        HyperparameterTuner.Builder builder = seedPreset ? HyperparameterTuner.seedNotebookSearch() : HyperparameterTuner.builder();
        for (String parameter : parameters) {
            builder.parameter(Parameter.parse(parameter));
        }
        Objective objective = minimize || metric.equals("Val_loss") ? Objective.minimize(metric) : Objective.maximize(metric);
        objective = Objective.parse(objective.goal().name().toLowerCase(Locale.ROOT) + ":" + metric + "@" + scoreAt);
        builder.objective(objective)
                .strategy(SearchStrategy.parse(hyperband ? "random" : strategy))
                .seed(seed)
                .earlyStopping(EarlyStopping.parse(hyperband && earlyStopping.equals("off") ? "asha" : earlyStopping))
                .runDirectory(out)
                .resume(resume)
                .runner(runner(seedPreset));
        if (maxTrials != null) {
            builder.maxTrials(maxTrials);
        }
        warmStart.forEach(builder::warmStart);
        if (parallel != null) {
            builder.parallelTrials(parallel);
        }
        HyperparameterTuner tuner = builder.build();
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf(Locale.ROOT, "Tuning %s: %s, %s, %d trials, %d at a time, seed %d, run folder %s%n",
                tuner.space(), tuner.objective(), tuner.strategy(), tuner.maxTrials(), tuner.parallelTrials(),
                tuner.seed(), tuner.runDirectory());
        printer.flush();
        TuningResult result = tuner.run(new Progress(printer, objective));
        printTable(printer, result);
        ReportCommand.afterTuning(printer, out);
        printer.flush();
        return result.best().isPresent() ? 0 : 1;
    }

    private TrialRunner runner(boolean seedPreset) {
        if (trials.command != null) {
            if (metricRegex == null) {
                throw new InvalidConfigurationException("metric-regex", "--command needs --metric-regex, e.g. '"
                        + metric + "=([0-9.]+)'");
            }
            return CommandTrialRunner.builder()
                    .shellCommand(trials.command)
                    .metric(metric, metricRegex)
                    .timeout(Duration.ofSeconds(timeoutSeconds))
                    .build();
        }
        if (metricRegex != null) {
            throw new InvalidConfigurationException("metric-regex", "is for --command; with --data the trainer reports"
                    + " its metrics itself");
        }
        TrainingRecipe base = TrainingRecipe.preset(recipe != null ? recipe : seedPreset ? "seed-notebook" : "default")
                .withHyperparameters(hyperparameters);
        Dataset dataset = TrainCommand.withValidation(Dataset.load(trials.data), valFraction, base.seed());
        LocalTrialRunner.Builder runner = LocalTrialRunner.builder().dataset(dataset).recipe(base)
                .featureCache(!noFeatureCache);
        Devices.parse(device).ifPresent(runner::device);
        return BackboneAdvice.forTuning(runner.build());
    }

    /** One line per finished trial. */
    private static final class Progress implements TuningListener {
        private final PrintWriter out;
        private final Objective objective;
        private TrialRecord best;

        Progress(PrintWriter out, Objective objective) {
            this.out = out;
            this.objective = objective;
        }

        @Override
        public synchronized void onResumed(List<TrialRecord> finished) {
            finished.forEach(this::consider);
            out.printf(Locale.ROOT, "Resuming: %d trials finished before%s%n", finished.size(),
                    best == null ? "" : ", best trial " + best.number() + " " + number(best.objective()));
            out.flush();
        }

        private void consider(TrialRecord trial) {
            if (trial.scored() && (best == null || objective.isBetter(trial.objective(), best.objective()))) {
                best = trial;
            }
        }

        @Override
        public synchronized void onTrialFinished(TrialRecord trial, int finished, int total) {
            consider(trial);
            out.printf(Locale.ROOT, "trial %d (%d/%d done) %s: %s %s=%s at epoch %d of %d, %.1f s%s; best so far: %s%n",
                    trial.number(), finished, total, values(trial), trial.status(), objective.metric(),
                    number(trial.objective()), trial.bestEpoch(), trial.epochs().size(), trial.seconds(),
                    trial.status() == TrialStatus.FAILED ? " (" + firstLine(trial.message()) + ")" : "",
                    best == null ? "none" : "trial " + best.number() + " " + number(best.objective()));
            out.flush();
        }
    }

    private static void printTable(PrintWriter out, TuningResult result) {
        List<String> names = result.trials().isEmpty() ? List.of() : List.copyOf(result.trials().get(0).values().keySet());
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-6s", "trial"));
        for (String name : names) {
            header.append(String.format(Locale.ROOT, " %-14s", name));
        }
        header.append(String.format(Locale.ROOT, " %-10s %-10s %-10s %-7s %9s", "status", result.objective().metric(),
                "best-epoch", "epochs", "seconds"));
        out.println();
        out.println(header);
        for (TrialRecord trial : result.trials()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-6d", trial.number()));
            for (String name : names) {
                row.append(String.format(Locale.ROOT, " %-14s", trial.values().get(name)));
            }
            row.append(String.format(Locale.ROOT, " %-10s %-10s %-10d %-7d %9.1f", trial.status(), number(trial.objective()),
                    trial.bestEpoch(), trial.epochs().size(), trial.seconds()));
            out.println(row);
        }
        out.println();
        result.best().ifPresentOrElse(best -> {
            out.printf(Locale.ROOT, "Best: trial %d %s, %s = %s at epoch %d%n", best.number(), values(best),
                    result.objective().metric(), number(best.objective()), best.bestEpoch());
            if (best.model().isPresent()) {
                out.println("Best model: " + result.runDirectory().resolve("best-model"));
            }
        }, () -> out.println("No trial was scored."));
    }

    private static String values(TrialRecord trial) {
        List<String> parts = new ArrayList<>();
        trial.values().forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(" ", parts);
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String firstLine(String message) {
        String line = message.lines().findFirst().orElse("");
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }
}
