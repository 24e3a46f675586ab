package io.xray.debug;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a {@link DebuggerConfig}'s rules in-process while a training run goes on: the training
 * loop hands it every step ({@link #observeStep}) and every epoch ({@link #observeEpoch}); it asks
 * which steps to measure inside the network ({@link #samples(long)}). After every epoch it logs one
 * line that a SageMaker metric definition can read:
 *
 * <pre>
 * Debugger_epoch 3: Rule_issues=1; VanishingGradient=0; ExplodingTensor=0; ...; DeadRelu=1; ...
 * </pre>
 *
 * ({@code Rule_issues=([0-9]+)}: how many rules have fired so far; each rule's field is 1 once it
 * has fired). {@code StalledTraining} runs a daemon watchdog thread until {@link #close()}.
 * Methods other than {@link #close()} are called from the training thread.
 *
 * <p>The rules' windows, counts and first triggers live in the engine; {@link #state()} takes them
 * (the trainer writes them with each epoch's checkpoint) and {@link #restore} gives them to the
 * engine of a resumed run, which then ends with the verdicts an uninterrupted run ends with.
 */
public final class RuleEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);

    private final DebuggerConfig config;
    private final List<RuleEvaluator> evaluators = new ArrayList<>();
    private final ScheduledExecutorService watchdog;
    private final long firstSampledSteps;
    private long sampledSteps;
    private long inspectionNanos;

    /**
     * @param config the rules; the engine starts the watchdog of {@code StalledTraining} when configured
     */
    public RuleEngine(DebuggerConfig config) {
        this.config = config;
        for (DebugRule rule : config.rules()) {
            evaluators.add(Rules.create(rule));
        }
        this.firstSampledSteps = config.rule(RuleName.POOR_WEIGHT_INITIALIZATION)
                .map(r -> (long) r.parameter("steps")).orElse(1L);
        Rules.StalledTraining stalled = (Rules.StalledTraining) evaluators.stream()
                .filter(e -> e instanceof Rules.StalledTraining).findFirst().orElse(null);
        if (stalled != null) {
            watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "xray-debugger-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            long every = stalled.nextCheckMillis();
            watchdog.scheduleWithFixedDelay(() -> stalled.check(System.nanoTime()), every, every, TimeUnit.MILLISECONDS);
        } else {
            watchdog = null;
        }
    }

    /** @return the configuration */
    public DebuggerConfig config() {
        return config;
    }

    /**
     * @param step the 1-based global step about to run
     * @return whether to measure gradients, weights and activations on it: every
     *     {@link DebuggerConfig#sampleEverySteps()} steps and on the first steps that
     *     {@code PoorWeightInitialization} analyses (step 1 at least)
     */
    public boolean samples(long step) {
        return config.enabled() && (step <= firstSampledSteps || step % config.sampleEverySteps() == 0);
    }

    /**
     * Evaluates the step rules on one step.
     *
     * @param step what the step saw
     */
    public void observeStep(StepObservation step) {
        long start = System.nanoTime();
        if (step.sampled()) {
            sampledSteps++;
        }
        for (RuleEvaluator evaluator : evaluators) {
            evaluator.onStep(step);
        }
        inspectionNanos += System.nanoTime() - start;
    }

    /**
     * Adds time the training loop spent measuring for the debugger (gradient and activation
     * statistics), so the report shows the whole cost.
     *
     * @param nanos nanoseconds spent
     */
    public void addInspectionTime(long nanos) {
        inspectionNanos += nanos;
    }

    /**
     * Evaluates the epoch rules, logs the metric line, and says whether a rule that stops training
     * fired in this epoch.
     *
     * @param epoch what the epoch's validation saw
     * @return true when training should stop after this epoch
     */
    public boolean observeEpoch(EpochObservation epoch) {
        long start = System.nanoTime();
        for (RuleEvaluator evaluator : evaluators) {
            evaluator.onEpoch(epoch);
        }
        inspectionNanos += System.nanoTime() - start;
        LOG.info(logLine(epoch.epoch()));
        boolean stop = false;
        for (RuleEvaluator evaluator : evaluators) {
            if (evaluator.rule.stopTraining() && evaluator.firedIn(epoch.epoch())) {
                LOG.warn("Rule {} fired in epoch {} and is set to stop training: {}",
                        evaluator.rule.name().sageMakerName(), epoch.epoch(), evaluator.verdict().evidence());
                stop = true;
            }
        }
        return stop;
    }

    /** @return whether a rule needs the training loss measured without augmentation ({@code Overfit}) */
    public boolean needsComparableTrainLoss() {
        return config.rule(RuleName.OVERFIT).isPresent();
    }

    /**
     * @param epoch the epoch
     * @return {@code Debugger_epoch N: Rule_issues=K; VanishingGradient=0; ...}, one field per configured rule
     */
    public String logLine(int epoch) {
        StringBuilder fields = new StringBuilder();
        int issues = 0;
        for (RuleEvaluator evaluator : evaluators) {
            boolean fired = evaluator.verdict().fired();
            issues += fired ? 1 : 0;
            fields.append("; ").append(evaluator.rule.name().sageMakerName()).append('=').append(fired ? 1 : 0);
        }
        return String.format(Locale.ROOT, "Debugger_epoch %d: Rule_issues=%d%s", epoch, issues, fields);
    }

    /**
     * @return everything the engine and its rules have accumulated so far, for a checkpoint
     */
    public RuleEngineState state() {
        List<RuleEngineState.Rule> rules = new ArrayList<>(evaluators.size());
        for (RuleEvaluator evaluator : evaluators) {
            rules.add(evaluator.state());
        }
        return new RuleEngineState(sampledSteps, inspectionNanos, rules);
    }

    /**
     * Continues from a state taken by {@link #state()} of an engine that saw the same run so far
     * (a resumed run's checkpoint). A configured rule restores its state when the state holds that
     * rule with the same parameters; otherwise it starts afresh, logged at INFO. Rules in the state
     * that are not configured now are ignored.
     *
     * @param state the state to continue from
     */
    public void restore(RuleEngineState state) {
        Map<RuleName, RuleEngineState.Rule> saved = new EnumMap<>(RuleName.class);
        for (RuleEngineState.Rule rule : state.rules()) {
            saved.put(rule.rule(), rule);
        }
        for (RuleEvaluator evaluator : evaluators) {
            RuleEngineState.Rule rule = saved.get(evaluator.rule.name());
            String name = evaluator.rule.name().sageMakerName();
            if (rule == null) {
                LOG.info("Debugger rule {} has no state in the checkpoint (it was not configured then): it starts"
                        + " afresh", name);
            } else if (!rule.parameters().equals(evaluator.rule.parameters())) {
                LOG.info("Debugger rule {} had the parameters {} when the checkpoint was written, now {}: it starts"
                        + " afresh", name, new TreeMap<>(rule.parameters()),
                        new TreeMap<>(evaluator.rule.parameters()));
            } else {
                evaluator.restore(rule);
            }
        }
        sampledSteps = state.sampledSteps();
        inspectionNanos = state.inspectionNanos();
    }

    /** @return the verdicts so far */
    public DebugReport report() {
        List<RuleVerdict> verdicts = new ArrayList<>();
        Map<RuleName, Integer> triggers = new EnumMap<>(RuleName.class);
        for (RuleEvaluator evaluator : evaluators) {
            verdicts.add(evaluator.verdict());
            triggers.put(evaluator.rule.name(), evaluator.triggers());
        }
        return new DebugReport(verdicts, triggers, sampledSteps, inspectionNanos / 1e9);
    }

    /** Stops the watchdog thread. */
    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
    }
}
