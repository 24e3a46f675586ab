/**
 * Hyperparameter tuning: {@link io.xray.tune.HyperparameterTuner} searches a
 * {@link io.xray.tune.SearchSpace} of {@link io.xray.tune.ContinuousParameter} (linear or log),
 * {@link io.xray.tune.IntegerParameter} and {@link io.xray.tune.CategoricalParameter} with a
 * {@link io.xray.tune.SearchStrategy} (random, or Bayesian: a Gaussian process with a Matérn 5/2
 * kernel and log expected improvement, on Apache Commons Math), scores each trial by an
 * {@link io.xray.tune.Objective} at its best epoch by default, may stop poor trials early with
 * SageMaker's median rule or asynchronous successive halving ({@link io.xray.tune.EarlyStopping}),
 * may start warm from earlier runs' trials, and runs trials through a
 * {@link io.xray.tune.TrialRunner}: {@link io.xray.tune.LocalTrialRunner} trains in this process,
 * {@link io.xray.tune.CommandTrialRunner} runs any command and reads its metrics with regular
 * expressions as SageMaker does, and the SageMaker module runs training jobs.
 *
 * <p>A run's state, {@code tuning.json} in its run folder, is rewritten atomically after every
 * trial start, epoch and trial end; a killed run resumes to the trials an uninterrupted one ends
 * with. The result, a {@link io.xray.tune.TuningResult}, lists every trial as a
 * {@link io.xray.tune.TrialRecord}.
 */
package io.xray.tune;
