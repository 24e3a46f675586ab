package io.xray.train;

import io.xray.backbone.Architecture;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code checkpoint.json}: everything a resumed run needs besides the weight and
 * optimiser files it names. Written last, atomically, so that it is the commit of an epoch.
 *
 * @param formatVersion {@value #FORMAT_VERSION}
 * @param hyperparameters the run's options; a resume with other options is refused
 * @param startTime ISO-8601 instant the run first started
 * @param epochsCompleted the last complete epoch
 * @param globalStep optimiser steps taken, the position in the learning-rate schedule
 * @param bestEpoch the best epoch so far (0 before the first)
 * @param bestMonitored the monitored metric at the best epoch
 * @param patience epochs since the last improvement
 * @param stopped true once early stopping ended the run
 * @param positiveClassWeight the loss weight of pneumonia examples
 * @param network the architecture naming the last epoch's weight files
 * @param optimizerFile the last epoch's optimiser state file
 * @param best the architecture naming the best epoch's weight files
 * @param history every completed epoch
 */
record CheckpointState(
        int formatVersion,
        Map<String, String> hyperparameters,
        String startTime,
        int epochsCompleted,
        long globalStep,
        int bestEpoch,
        double bestMonitored,
        int patience,
        boolean stopped,
        double positiveClassWeight,
        Architecture network,
        String optimizerFile,
        Architecture best,
        List<EpochResult> history) {

    static final int FORMAT_VERSION = 1;

    CheckpointState {
        hyperparameters = Map.copyOf(hyperparameters);
        history = List.copyOf(history);
    }
}
