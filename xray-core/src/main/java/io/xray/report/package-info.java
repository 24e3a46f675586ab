/**
 * Reports of runs: {@link io.xray.report.RunReport} writes one self-contained HTML page per training
 * or tuning run (charts by uPlot, inlined, no network needed to open it), and
 * {@link io.xray.report.TensorBoardEvents} writes a run's scalars as TensorBoard event files.
 */
package io.xray.report;
