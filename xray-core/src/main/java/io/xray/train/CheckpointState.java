package io.xray.train;

import io.xray.backbone.Architecture;
import io.xray.debug.RuleEngineState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code checkpoint.json}: everything a resumed run needs besides the weight and
 * optimiser files it names. Written last, atomically, so that it is the commit of an epoch. Made by
 * {@link #start} and changed with {@link #afterEpoch} and {@link #withFiles}.
 *
 * @param formatVersion {@value #FORMAT_VERSION}
 * @param hyperparameters the run's recipe; a resume with another recipe is refused
 * @param startTime ISO-8601 instant the run first started
 * @param positiveClassWeight the loss weight of pneumonia examples
 * @param epochsCompleted the last complete epoch
 * @param globalStep optimiser steps taken, the position in the learning-rate schedule
 * @param bestSoFar the best epoch so far and the patience count
 * @param stopped true once early stopping ended the run
 * @param network the architecture naming the last epoch's weight files
 * @param optimizerFile the last epoch's optimiser state file
 * @param bestNetwork the architecture naming the best epoch's weight files
 * @param history every completed epoch
 * @param debugger the debugger rules' state after the last complete epoch, so that a resumed run ends
 *     with an uninterrupted run's verdicts; {@code null} when the debugger was off, and in
 *     checkpoints written before xray kept it (the rules of a run resumed from one start afresh)
 */
record CheckpointState(
        int formatVersion,
        Map<String, String> hyperparameters,
        String startTime,
        double positiveClassWeight,
        int epochsCompleted,
        long globalStep,
        EpochResult.BestSoFar bestSoFar,
        boolean stopped,
        Architecture network,
        String optimizerFile,
        Architecture bestNetwork,
        List<EpochResult> history,
        RuleEngineState debugger) {

    /**
     * 2 since the recipe's hyperparameter map and the grouped epoch results; 1 is not read. The
     * debugger's state was added within 2: a checkpoint without it reads with {@code null}.
     */
    static final int FORMAT_VERSION = 2;

    CheckpointState {
        hyperparameters = Map.copyOf(hyperparameters);
        history = List.copyOf(history);
    }

    /**
     * @param hyperparameters the run's recipe
     * @param startTime when the run started
     * @param positiveClassWeight the loss weight of pneumonia examples
     * @return the state before the first epoch
     */
    static CheckpointState start(Map<String, String> hyperparameters, String startTime, double positiveClassWeight) {
        return new CheckpointState(FORMAT_VERSION, hyperparameters, startTime, positiveClassWeight, 0, 0,
                EpochResult.BestSoFar.NONE, false, null, null, null, List.of(), null);
    }

    /**
     * @param result the epoch just completed
     * @param step the optimiser steps taken after it
     * @param stop whether early stopping ends the run after it
     * @param rules the debugger rules' state after it, or {@code null} when the debugger is off
     * @return the state after that epoch, still naming the previous epoch's files
     */
    CheckpointState afterEpoch(EpochResult result, long step, boolean stop, RuleEngineState rules) {
        List<EpochResult> longer = new ArrayList<>(history);
        longer.add(result);
        return new CheckpointState(formatVersion, hyperparameters, startTime, positiveClassWeight, result.epoch(), step,
                result.bestSoFar(), stop, network, optimizerFile, bestNetwork, longer, rules);
    }

    /**
     * @param saved the architecture naming the files just written
     * @param optimizer the optimiser state file just written
     * @return this state naming those files, and them as the best network too when the latest epoch is the best
     */
    CheckpointState withFiles(Architecture saved, String optimizer) {
        return new CheckpointState(formatVersion, hyperparameters, startTime, positiveClassWeight, epochsCompleted,
                globalStep, bestSoFar, stopped, saved, optimizer,
                bestSoFar.improvedLast() || bestNetwork == null ? saved : bestNetwork, history, debugger);
    }
}
