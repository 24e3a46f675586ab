/**
 * Debugger rules evaluated in-process during training, with SageMaker Debugger's rule names,
 * parameter names and defaults ({@link io.xray.debug.RuleName}, {@link io.xray.debug.DebugRule},
 * {@link io.xray.debug.DebuggerConfig}): the training loop hands every step's loss and labels, and on
 * sampled steps the gradients', weights' and ReLUs' statistics, to a {@link io.xray.debug.RuleEngine},
 * whose verdicts ({@link io.xray.debug.DebugReport}) come back with the fit's result and appear in
 * a log line per epoch that a SageMaker metric regex can read ({@code Rule_issues=([0-9]+)}). The
 * rules' state ({@link io.xray.debug.RuleEngineState}) is committed with every epoch's checkpoint, so
 * a resumed run ends with the verdicts of an uninterrupted one.
 */
package io.xray.debug;
