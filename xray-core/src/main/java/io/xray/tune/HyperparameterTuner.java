package io.xray.tune;

import io.xray.InvalidConfigurationException;
import io.xray.train.TrainingRecipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Searches hyperparameters: suggests values with a {@link SearchStrategy}, runs each trial with a
 * {@link TrialRunner}, scores it by an {@link Objective} (at its best epoch by default), may stop
 * poor trials early ({@link EarlyStopping}), and records everything in a run folder so that a
 * killed run resumes where it was.
 *
 * <pre>{@code
 * TuningResult result = HyperparameterTuner.builder()
 *         .parameter(ContinuousParameter.log("learning-rate", 1e-4, 0.1))
 *         .parameter(CategoricalParameter.of("batch-size", "32", "64", "128"))
 *         .objective(Objective.maximize("Val_f1"))
 *         .maxTrials(10)
 *         .runner(LocalTrialRunner.builder().dataset(dataset).recipe(TrainingRecipe.seedNotebook()).build())
 *         .runDirectory(Path.of("tuning"))
 *         .build()
 *         .run();
 * }</pre>
 *
 * <p><b>Determinism.</b> Trial {@code n}'s values depend only on the seed, the space, the strategy
 * and the results of trials {@code 1..n-P} (P = trials in parallel); trials {@code n-P+1..n-1}
 * count as pending. Trial {@code n} starts only when trials {@code 1..n-P} are finished, so the
 * same seed gives the same suggestions whatever the timing, and a resumed run gives the trials of
 * an uninterrupted one.
 *
 * <p><b>The run folder.</b> {@code tuning.json} holds the settings and every trial (values, status,
 * per-epoch metrics, time, failure reason, model), rewritten atomically after every trial start,
 * epoch and trial end; {@code trials/trial-NNNN/} is each trial's own folder. With
 * {@link Builder#resume(boolean) resume}, finished trials are kept, interrupted ones run again (from
 * their checkpoint when the runner {@linkplain TrialRunner#continuesInterruptedTrials() can}), and
 * the run goes on to {@code maxTrials}. Without it, a folder that already holds a run is refused.
 * When the best trial kept a model, it is copied to {@code best-model/} at the end.
 *
 * <p><b>Warm start.</b> {@link Builder#warmStart(Path)} lets earlier runs' trials inform the
 * suggestions (the Bayesian model starts with them) without being trials of this run.
 */
public final class HyperparameterTuner {

    private final SearchSpace space;
    private final Objective objective;
    private final SearchStrategy strategy;
    private final int maxTrials;
    private final int parallelTrials;
    private final long seed;
    private final EarlyStopping earlyStopping;
    private final Path runDirectory;
    private final boolean resume;
    private final TrialRunner runner;
    private final List<Path> warmStart;

    private HyperparameterTuner(Builder b, SearchSpace space, int parallelTrials) {
        this.space = space;
        this.objective = b.objective;
        this.strategy = b.strategy;
        this.maxTrials = b.maxTrials;
        this.parallelTrials = parallelTrials;
        this.seed = b.seed;
        this.earlyStopping = b.earlyStopping;
        this.runDirectory = b.runDirectory;
        this.resume = b.resume;
        this.runner = b.runner;
        this.warmStart = List.copyOf(b.warmStart);
    }

    /** @return a builder: Bayesian, 10 trials, seed 42, no early stopping, one trial at a time unless the runner says more */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The seed notebook's search, which it ran as a SageMaker tuning job: learning rate 1e-4..0.1
     * on a log scale, batch size 32, 64 or 128, 10 Bayesian trials, maximising validation F1 -
     * here at each trial's best epoch, where SageMaker took the last. Pair it with a
     * {@link LocalTrialRunner} on {@link TrainingRecipe#seedNotebook()}, or with a command; set the
     * runner and the run folder before {@code build()}.
     *
     * @return a builder holding the search
     */
    public static Builder seedNotebookSearch() {
        return builder()
                .parameter(ContinuousParameter.log("learning-rate", 1e-4, 0.1))
                .parameter(CategoricalParameter.of("batch-size", "32", "64", "128"))
                .objective(Objective.maximize("Val_f1"))
                .strategy(SearchStrategy.bayesian())
                .maxTrials(10);
    }

    /** @return the recipe the seed notebook's search starts from: {@link TrainingRecipe#seedNotebook()} */
    public static TrainingRecipe seedNotebookRecipe() {
        return TrainingRecipe.seedNotebook();
    }

    /**
     * Runs (or resumes) the search to {@code maxTrials} trials.
     *
     * @return every trial and the best
     */
    public TuningResult run() {
        return run(null);
    }

    /**
     * Runs the search as {@link #run()} does, telling a listener about every trial and epoch.
     *
     * @param listener hears progress; may be null
     * @return every trial and the best
     */
    public TuningResult run(TuningListener listener) {
        return new TuningRun(this, listener == null ? new TuningListener() {} : listener).run();
    }

    /** @return a builder holding this configuration, for variations */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.parameters.addAll(space.parameters());
        b.objective = objective;
        b.strategy = strategy;
        b.maxTrials = maxTrials;
        b.parallelTrials = parallelTrials;
        b.seed = seed;
        b.earlyStopping = earlyStopping;
        b.runDirectory = runDirectory;
        b.resume = resume;
        b.runner = runner;
        b.warmStart.addAll(warmStart);
        return b;
    }

    /** @return the search space */
    public SearchSpace space() {
        return space;
    }

    /** @return the objective */
    public Objective objective() {
        return objective;
    }

    /** @return the strategy */
    public SearchStrategy strategy() {
        return strategy;
    }

    /** @return how many trials the run ends with */
    public int maxTrials() {
        return maxTrials;
    }

    /** @return how many trials run at once */
    public int parallelTrials() {
        return parallelTrials;
    }

    /** @return the seed of the suggestions */
    public long seed() {
        return seed;
    }

    /** @return the early-stopping rule */
    public EarlyStopping earlyStopping() {
        return earlyStopping;
    }

    /** @return the run folder */
    public Path runDirectory() {
        return runDirectory;
    }

    /** @return whether a run the folder holds is resumed */
    public boolean resume() {
        return resume;
    }

    /** @return the trial runner */
    public TrialRunner runner() {
        return runner;
    }

    /** @return earlier run folders whose trials inform the suggestions */
    public List<Path> warmStart() {
        return warmStart;
    }

    /** Collects and validates a {@link HyperparameterTuner}'s options. */
    public static final class Builder {

        private final List<Parameter> parameters = new ArrayList<>();
        private Objective objective;
        private SearchStrategy strategy = SearchStrategy.bayesian();
        private int maxTrials = 10;
        private Integer parallelTrials;
        private long seed = 42;
        private EarlyStopping earlyStopping = EarlyStopping.none();
        private Path runDirectory;
        private boolean resume;
        private TrialRunner runner;
        private final List<Path> warmStart = new ArrayList<>();

        private Builder() {}

        /**
         * @param parameter a parameter to add to the space; a parameter of the same name is replaced
         * @return this builder
         */
        public Builder parameter(Parameter parameter) {
            Objects.requireNonNull(parameter, "parameter");
            parameters.removeIf(p -> p.name().equals(parameter.name()));
            parameters.add(parameter);
            return this;
        }

        /**
         * @param space the whole space, replacing any parameters added so far
         * @return this builder
         */
        public Builder space(SearchSpace space) {
            parameters.clear();
            parameters.addAll(space.parameters());
            return this;
        }

        /**
         * @param objective what to optimise; required
         * @return this builder
         */
        public Builder objective(Objective objective) {
            this.objective = objective;
            return this;
        }

        /**
         * @param strategy how to suggest; default {@link SearchStrategy#bayesian()}
         * @return this builder
         */
        public Builder strategy(SearchStrategy strategy) {
            this.strategy = strategy;
            return this;
        }

        /**
         * @param maxTrials how many trials the run ends with, at least 1; default 10. A resumed run
         *     may be given more than it started with.
         * @return this builder
         */
        public Builder maxTrials(int maxTrials) {
            this.maxTrials = maxTrials;
            return this;
        }

        /**
         * @param parallelTrials how many trials run at once, at least 1; default the runner's
         *     {@link TrialRunner#defaultParallelTrials()}, at most {@code maxTrials}
         * @return this builder
         */
        public Builder parallelTrials(int parallelTrials) {
            this.parallelTrials = parallelTrials;
            return this;
        }

        /**
         * @param seed the suggestions' seed; default 42
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param earlyStopping the rule that stops poor trials; default {@link EarlyStopping#none()}
         * @return this builder
         */
        public Builder earlyStopping(EarlyStopping earlyStopping) {
            this.earlyStopping = earlyStopping;
            return this;
        }

        /**
         * @param runDirectory the run folder; required
         * @return this builder
         */
        public Builder runDirectory(Path runDirectory) {
            this.runDirectory = runDirectory;
            return this;
        }

        /**
         * @param resume continue the run the folder holds, when it holds one; default false
         * @return this builder
         */
        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /**
         * @param runner runs each trial; required
         * @return this builder
         */
        public Builder runner(TrialRunner runner) {
            this.runner = runner;
            return this;
        }

        /**
         * Warm start: the scored trials of an earlier run whose values lie in this run's space
         * (scored by this run's objective from their recorded epochs) inform the suggestions from
         * the first trial on, without counting as trials of this run. Call again for more folders.
         *
         * @param runDirectory an earlier run's folder (holding {@code tuning.json})
         * @return this builder
         */
        public Builder warmStart(Path runDirectory) {
            this.warmStart.add(runDirectory);
            return this;
        }

        /**
         * Validates every option, and asks the runner whether it can run the space and report the
         * objective.
         *
         * @return the tuner
         * @throws InvalidConfigurationException naming the first bad field
         */
        public HyperparameterTuner build() {
            SearchSpace space = SearchSpace.of(parameters);
            require(objective != null, "objective", "must be set, for example Objective.maximize(\"Val_f1\")");
            require(strategy != null, "strategy", "must not be null");
            require(maxTrials >= 1, "maxTrials", "must be at least 1, got " + maxTrials);
            require(earlyStopping != null, "earlyStopping", "must not be null");
            require(runDirectory != null, "runDirectory", "must be set: the run's state and trials go there");
            require(runner != null, "runner", "must be set: a LocalTrialRunner, a CommandTrialRunner or your own");
            int parallel = parallelTrials != null ? parallelTrials : Math.min(maxTrials, runner.defaultParallelTrials());
            require(parallel >= 1, "parallelTrials", "must be at least 1, got " + parallel);
            for (Path folder : warmStart) {
                require(folder != null && java.nio.file.Files.isRegularFile(folder.resolve(TuningState.FILE)), "warmStart",
                        folder + " holds no " + TuningState.FILE + " of an earlier tuning run");
            }
            runner.validate(space, objective);
            return new HyperparameterTuner(this, space, parallel);
        }

        private static void require(boolean condition, String field, String reason) {
            if (!condition) {
                throw new InvalidConfigurationException(field, reason);
            }
        }
    }
}
