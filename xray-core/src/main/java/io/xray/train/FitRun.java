package io.xray.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.backbone.Architecture;
import io.xray.data.ClassBalance;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.debug.ActivationStatistics;
import io.xray.debug.DebugFiles;
import io.xray.debug.DebugReport;
import io.xray.debug.EpochObservation;
import io.xray.debug.Profiler;
import io.xray.debug.ProfilerReport;
import io.xray.debug.RuleEngine;
import io.xray.debug.StepObservation;
import io.xray.internal.ReluStatistics;
import io.xray.internal.AtomicFiles;
import io.xray.internal.Network;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ThresholdChoice;
import io.xray.model.ModelArtifact;
import io.xray.model.ProbabilityCalibration;
import io.xray.model.Provenance;
import io.xray.model.ThresholdCalibration;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One call of {@link ResNetFineTuner#fit}: the training loop, validation, checkpoints, artifact. */
final class FitRun {

    private static final Logger LOG = LoggerFactory.getLogger(ResNetFineTuner.class);
    /** The hyperparameter that only the model's threshold depends on. */
    private static final String THRESHOLD_RULE = "threshold-rule";

    private final ResNetFineTuner config;
    private final Dataset dataset;
    private final FitListener listener;
    private final CheckpointStore store;
    private FeatureCache features;
    private final Consumer<Network> networkHook;
    private final Runnable batchHook;
    private Profiler profiler;
    /** Training images (at most this many) whose loss the debugger's Overfit rule compares with validation's. */
    private static final int COMPARABLE_TRAIN_IMAGES = 128;
    private RuleEngine debugger;

    FitRun(ResNetFineTuner config, Dataset dataset, FitListener listener, CheckpointStore.Hook hook) {
        this(config, dataset, listener, hook, null, null);
    }

    /**
     * @param networkHook sees a freshly created network before training (tests inject faults with it); may be null
     * @param batchHook runs on the loader thread before each batch is assembled (tests slow the loader); may be null
     */
    FitRun(ResNetFineTuner config, Dataset dataset, FitListener listener, CheckpointStore.Hook hook,
            Consumer<Network> networkHook, Runnable batchHook) {
        this.config = config;
        this.dataset = dataset;
        this.listener = listener == null ? new FitListener() {} : listener;
        this.store = new CheckpointStore(config.checkpointDirectory(), hook);
        this.networkHook = networkHook;
        this.batchHook = batchHook;
    }

    FitResult run() {
        try (Profiler running = new Profiler(config.profiler())) {
            profiler = running;
            return runProfiled();
        }
    }

    private FitResult runProfiled() {
        long runStart = System.nanoTime();
        List<ImageRecord> train = dataset.records(Split.TRAIN);
        List<ImageRecord> validation = dataset.records(Split.VAL);
        List<ImageRecord> calibration = dataset.records(Split.CALIBRATION);
        requireData(train, validation, calibration);
        Device device = config.device().orElseGet(Network::defaultDevice);

        CheckpointState state = config.resume() ? store.read().orElse(null) : null;
        if (state == null) {
            store.clear();
            AtomicFiles.deleteTemporaryFiles(store.directory());
        } else {
            requireSameOptions(state);
            LOG.info("Resuming from {} after epoch {} of {} (best epoch {})",
                    store.directory(), state.epochsCompleted(), config.epochs(), state.bestSoFar().epoch());
        }
        BackbonePreprocessing.warnIfDifferent(config.backbone(), config.preprocessing(), LOG);
        double positiveWeight = state != null ? state.positiveClassWeight() : positiveClassWeight(train);
        String startTime = state != null ? state.startTime() : Instant.now().toString();

        List<ImageRecord> distinctTrain = distinct(train);
        ImageCache trainCache = images("train", distinctTrain);
        // Validation images stay 8-bit pixels like the training ones; each pass makes their float
        // crops batch by batch (all 523 of the full data at 224 px would hold 315 MB for the whole run).
        ImageCache validationCache = images("validation", validation);
        int[] validationLabels = validationCache.labels();

        int epochImages = epochRecords(train, 1).size();
        int stepsPerEpoch = epochImages / config.batchSize() + (epochImages % config.batchSize() >= 2 ? 1 : 0);
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        LOG.info("Training {} on {}: {} train images ({} per epoch{}), {} validation images, {} steps per epoch,"
                        + " positive class weight {}",
                config.backbone(), device, train.size(), epochImages,
                config.oversampleMinority() ? " after oversampling" : "", validation.size(), stepsPerEpoch,
                String.format(Locale.ROOT, "%.3f", positiveWeight));

        Network network = state == null
                ? Network.create(config.backbone(), device, config.seed())
                : Network.load(state.network(), store.directory(), device);
        if (state == null && networkHook != null) {
            networkHook.accept(network);
        }
        boolean stoppedEarly = state != null && state.stopped();
        DebugReport debugReport;
        try (network;
                RuleEngine engine = new RuleEngine(config.debugger());
                NDManager optimizerManager = network.manager().newSubManager();
                BatchLoader loader = new BatchLoader(trainCache, config.preprocessing(), config.augmentation().orElse(null),
                        batchHook)) {
            network.setTrainableStages(config.trainableLayers().stages());
            StatefulOptimizer optimizer = StatefulOptimizer.create(
                    config.optimizer(), optimizerManager, (float) config.weightDecay(), (float) config.momentum());
            if (state != null) {
                optimizer.restoreState(store.readOptimizerState(state, optimizerManager));
                restoreRules(engine, state);
            } else {
                state = CheckpointState.start(config.hyperparameters(), startTime, positiveWeight);
            }
            LOG.info("Trainable parameters: {} of {} tensors ({})", network.trainableParameters().size(),
                    network.parameters().size(), config.trainableLayers());
            TrainingStep step = new TrainingStep(network, optimizer, (float) positiveWeight);
            if (FeatureCache.applies(config) && state.epochsCompleted() < config.epochs() && !stoppedEarly) {
                features = FeatureCache.build(network, trainCache, validation, validationCache, config);
            }
            debugger = config.debugger().enabled() ? engine : null;

            for (int epoch = state.epochsCompleted() + 1; epoch <= config.epochs() && !stoppedEarly; epoch++) {
                state = runEpoch(epoch, state, network, optimizer, step, loader, trainCache, train,
                        validationCache, validationLabels, stepsPerEpoch, totalSteps, positiveWeight);
                stoppedEarly = state.stopped();
            }
            debugReport = engine.report();
        }
        if (state.bestNetwork() == null) {
            throw new XrayException("no epoch completed, so there is no model to write");
        }
        return writeArtifact(state, device, validationCache, validationLabels, calibration, train.size(), startTime,
                stoppedEarly && state.epochsCompleted() < config.epochs(), runStart, debugReport);
    }

    private CheckpointState runEpoch(
            int epoch,
            CheckpointState state,
            Network network,
            StatefulOptimizer optimizer,
            TrainingStep step,
            BatchLoader loader,
            ImageCache trainCache,
            List<ImageRecord> train,
            ImageCache validationCache,
            int[] validationLabels,
            int stepsPerEpoch,
            long totalSteps,
            double positiveWeight) {
        long epochStart = System.nanoTime();
        Random random = new Random(Seeds.mix(config.seed(), epoch));
        List<ImageRecord> records = epochRecords(train, epoch);
        int[] order = new int[records.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = trainCache.indexOf(records.get(i));
        }
        shuffle(order, random);

        network.setTrainingMode(true);
        // With the feature cache the head trains on cached features, in the same batches and order.
        BatchLoader.Epoch batches = features != null ? null : loader.epoch(order, config.batchSize(), config.seed(), epoch);
        int batchCount = features != null ? FeatureCache.batches(order, config.batchSize()) : batches.batches();
        long globalStep = state.globalStep();
        double lossSum = 0;
        int images = 0;
        double computeSeconds = 0;
        float learningRate = 0;
        int batchNumber = 0;
        long progressStart = System.nanoTime();
        while (batchNumber < batchCount) {
            long stepStart = System.nanoTime();
            BatchLoader.Batch batch = features != null ? null : batches.next();
            batchNumber++;
            learningRate = (float) config.schedule().rate(config.learningRate(), globalStep, totalSteps);
            long computeStart = System.nanoTime();
            float loss;
            int count;
            if (features != null) {
                float[] done = features.trainStep(order, batchNumber - 1, config.batchSize(), optimizer,
                        (float) positiveWeight, globalStep + 1, learningRate);
                count = (int) done[0];
                loss = done[1];
            } else {
                count = batch.count();
                boolean inspect = debugger != null && debugger.samples(globalStep + 1);
                loss = step.run(batch.chw(), batch.labels(), batch.count(), config.preprocessing().cropSize(),
                        globalStep + 1, learningRate, inspect, debugger != null);
            }
            computeSeconds += (System.nanoTime() - computeStart) / 1e9;
            globalStep++;
            profiler.stepEnded(globalStep, (System.nanoTime() - stepStart) / 1e9);
            if (debugger != null && batch != null) { // the cached-feature path trains only the head: nothing to inspect
                observeStep(step.lastInspection(), globalStep, epoch, loss, batch.labels());
            }
            if (!Float.isFinite(loss)) {
                throw new XrayException(String.format(Locale.ROOT,
                        "training diverged: loss is %s at epoch %d batch %d; lower the learning rate (now %s)%s",
                        loss, epoch, batchNumber, config.learningRate(),
                        debugger == null ? "" : "; debugger: " + debugger.report().issues()));
            }
            lossSum += (double) loss * count;
            images += count;
            listener.onBatch(epoch, batchNumber, batchCount, loss);
            if (config.progressEveryBatches() > 0
                    && (batchNumber % config.progressEveryBatches() == 0 || batchNumber == batchCount)) {
                double elapsed = (System.nanoTime() - progressStart) / 1e9;
                LOG.info(String.format(Locale.ROOT, "Epoch %d/%d [%d/%d] loss=%.4f lr=%.3g %.1f img/s",
                        epoch, config.epochs(), batchNumber, batchCount, lossSum / images, learningRate,
                        images / Math.max(1e-9, elapsed)));
            }
        }
        double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
        double dataSeconds = batches == null ? 0 : batches.waitSeconds();
        profiler.epochEnded(epoch, dataSeconds, trainSeconds);

        long validationStart = System.nanoTime();
        network.setTrainingMode(false);
        float[] logits = features != null ? features.validationLogits() : centreCropLogits(network, validationCache);
        double[] probabilities = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = Network.sigmoid(logits[i]);
        }
        BinaryMetrics metrics = BinaryMetrics.compute(probabilities, validationLabels, 0.5);
        double validationLoss = TrainingStep.loss(logits, validationLabels, positiveWeight);
        double validationSeconds = (System.nanoTime() - validationStart) / 1e9;

        EpochResult.BestSoFar best = state.bestSoFar().after(config.monitor(), epoch,
                config.monitor().of(metrics, validationLoss), metrics.f1());
        EpochResult result = new EpochResult(epoch, lossSum / Math.max(1, images), validationLoss, metrics, learningRate,
                new EpochResult.Timings((System.nanoTime() - epochStart) / 1e9, images / Math.max(1e-9, trainSeconds),
                        dataSeconds, computeSeconds, validationSeconds),
                best);
        String line = EpochLogLine.format(result);
        LOG.info(line);

        boolean patienceStop = config.earlyStoppingPatience() > 0 && best.patience() >= config.earlyStoppingPatience();
        boolean listenerStop = listener.stopAfter(result);
        if (debugger != null) {
            double comparableTrainLoss = debugger.needsComparableTrainLoss()
                    ? comparableTrainLoss(network, trainCache, positiveWeight) : Double.NaN;
            listenerStop |= debugger.observeEpoch(new EpochObservation(epoch, globalStep, result.trainLoss(),
                    comparableTrainLoss, validationLoss));
        }
        boolean stop = patienceStop || listenerStop;
        CheckpointState next = store.commit(epoch, network, optimizer,
                state.afterEpoch(result, globalStep, stop, debugger == null ? null : debugger.state()));
        listener.onEpoch(result, line);
        if (patienceStop && epoch < config.epochs()) {
            LOG.info("Early stopping after epoch {}: {} has not improved for {} epochs; best epoch {}",
                    epoch, config.monitor(), best.patience(), best.epoch());
        } else if (listenerStop && epoch < config.epochs()) {
            LOG.info("Stopping after epoch {} as the listener asked; best epoch {}", epoch, best.epoch());
        }
        return next;
    }

    /**
     * Gives the debugger of a resumed run the rules' state committed with the checkpoint, so that
     * it ends with an uninterrupted run's verdicts; a checkpoint without it (written with the
     * debugger off, or by an xray before it kept the state) leaves the rules empty.
     */
    private void restoreRules(RuleEngine engine, CheckpointState state) {
        if (!config.debugger().enabled()) {
            return;
        }
        if (state.debugger() == null) {
            LOG.info("The checkpoint in {} holds no debugger rule state (written with the debugger off, or by an"
                    + " older xray): the rules start afresh after epoch {} and judge only the epochs run from here",
                    store.directory(), state.epochsCompleted());
            return;
        }
        engine.restore(state.debugger());
    }

    private void observeStep(TrainingStep.Inspection inspection, long globalStep, int epoch, float loss, float[] labels) {
        if (inspection == null) {
            debugger.observeStep(new StepObservation(globalStep, epoch, loss, labels, null, List.of(), List.of(), List.of()));
            return;
        }
        List<ActivationStatistics> activations = new ArrayList<>(inspection.relus().size());
        for (ReluStatistics relu : inspection.relus()) {
            activations.add(new ActivationStatistics(relu.layer(), relu.channelActivity(), relu.inputVariance()));
        }
        debugger.addInspectionTime(inspection.nanos());
        debugger.observeStep(new StepObservation(globalStep, epoch, loss, labels, inspection.logits(),
                inspection.gradients(), inspection.weights(), activations));
    }

    /**
     * The loss of up to {@value #COMPARABLE_TRAIN_IMAGES} training images, spread over the training
     * split, measured as validation is (centre crop, evaluation mode): what Overfit compares. With
     * the feature cache, from the images' cached features.
     */
    private double comparableTrainLoss(Network network, ImageCache trainCache, double positiveWeight) {
        long start = System.nanoTime();
        int count = Math.min(COMPARABLE_TRAIN_IMAGES, trainCache.size());
        int[] indices = new int[count];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = (int) ((long) i * trainCache.size() / count);
            labels[i] = trainCache.label(indices[i]);
        }
        float[] logits = features != null ? features.trainLogits(indices)
                : logits(network, count, i -> trainCache.centreCrop(indices[i], config.preprocessing()));
        double loss = TrainingStep.loss(logits, labels, positiveWeight);
        debugger.addInspectionTime(System.nanoTime() - start);
        return loss;
    }

    /** The records' decoded images: from the shared cache when the training has one, else decoded now. */
    private ImageCache images(String what, List<ImageRecord> records) {
        return config.sharedImages()
                .map(shared -> shared.get(what, records, config.decoder(), config.preprocessing(), config.decodeThreads()))
                .orElseGet(() -> ImageCache.build(what, records, config.decoder(), config.preprocessing(),
                        config.decodeThreads()));
    }

    /** The network's evaluation-mode logits of every image of a cache, centre-cropped. */
    private float[] centreCropLogits(Network network, ImageCache cache) {
        return logits(network, cache.size(), i -> cache.centreCrop(i, config.preprocessing()));
    }

    /**
     * The network's evaluation-mode logits of {@code count} preprocessed images, in batches of the
     * recipe's batch size; each image is asked for once, when its batch is assembled, so that no
     * more than a batch of them is held as floats.
     */
    private float[] logits(Network network, int count, IntFunction<float[]> image) {
        int size = config.preprocessing().cropSize();
        int plane = 3 * size * size;
        float[] logits = new float[count];
        int batchSize = config.batchSize();
        for (int start = 0; start < count; start += batchSize) {
            int n = Math.min(batchSize, count - start);
            float[] batch = new float[n * plane];
            for (int i = 0; i < n; i++) {
                System.arraycopy(image.apply(start + i), 0, batch, i * plane, plane);
            }
            System.arraycopy(network.inferLogits(batch, n, size), 0, logits, start, n);
        }
        return logits;
    }

    private FitResult writeArtifact(
            CheckpointState state,
            Device device,
            ImageCache validationCache,
            int[] validationLabels,
            List<ImageRecord> calibration,
            int trainImages,
            String startTime,
            boolean stoppedEarly,
            long runStart,
            DebugReport debugReport) {
        Path modelDirectory = config.modelDirectory();
        Map<String, String> files = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : state.bestNetwork().weightFiles().entrySet()) {
            String source = entry.getValue();
            String target = source.substring(CheckpointStore.prefix(state.bestSoFar().epoch()).length());
            AtomicFiles.copy(store.directory().resolve(source), modelDirectory.resolve(target));
            files.put(entry.getKey(), target);
        }
        Architecture architecture = state.bestNetwork().withWeightFiles(files);
        double[] probabilities;
        ThresholdChoice threshold;
        ThresholdCalibration calibrated = null;
        ProbabilityCalibration temperature;
        // Score validation with the network as the model directory holds it: Classifier's path (on
        // the cached features when the backbone was frozen and they exist: the same backbone computed
        // them). The temperature is fitted on the images that choose the threshold, which is then
        // chosen on the calibrated probabilities that Classifier returns.
        try (Network best = Network.load(architecture, modelDirectory, device)) {
            float[] validationLogits = features != null ? features.validationLogits(best)
                    : centreCropLogits(best, validationCache);
            if (calibration.isEmpty()) {
                temperature = TemperatureFit.fit(Split.VAL, validationLogits, validationLabels, validationLogits,
                        validationLabels);
                probabilities = TemperatureFit.probabilities(temperature, validationLogits);
                threshold = config.thresholdRule().choose(probabilities, validationLabels);
            } else {
                ImageCache cache = images("calibration", calibration);
                int[] labels = cache.labels();
                float[] logits = centreCropLogits(best, cache);
                temperature = TemperatureFit.fit(Split.CALIBRATION, logits, labels, validationLogits, validationLabels);
                probabilities = TemperatureFit.probabilities(temperature, validationLogits);
                double[] scores = TemperatureFit.probabilities(temperature, logits);
                threshold = config.thresholdRule().choose(scores, labels);
                calibrated = calibration(calibration, labels, BinaryMetrics.compute(scores, labels, threshold.threshold()));
            }
        }
        BinaryMetrics metrics = BinaryMetrics.compute(probabilities, validationLabels, threshold.threshold());
        Provenance provenance = new Provenance(
                dataset.manifestSha256(),
                config.hyperparameters(),
                config.seed(),
                xrayVersion(),
                Engine.getDjlVersion(),
                Engine.getEngine("PyTorch").getVersion(),
                startTime,
                Instant.now().toString(),
                Provenance.Machine.current(device.toString()),
                state.bestSoFar().epoch(),
                state.epochsCompleted(),
                trainImages,
                validationLabels.length,
                state.positiveClassWeight());
        ModelArtifact artifact = new ModelArtifact(ModelArtifact.FORMAT_VERSION, architecture, config.preprocessing(),
                threshold.threshold(), threshold.rule(), ModelArtifact.CLASS_NAMES, metrics, provenance, calibrated,
                temperature);
        artifact.write(modelDirectory);
        LOG.info(TemperatureFit.logLine(temperature));
        if (calibrated != null) {
            BinaryMetrics c = calibrated.metrics();
            LOG.info(String.format(Locale.ROOT,
                    "Threshold %.4f chosen on %d calibration images (%d PNEUMONIA): sensitivity %.4f, specificity %.4f,"
                            + " accuracy %.4f, ROC AUC %.4f; the model lists them so that evaluations leave them out",
                    threshold.threshold(), calibrated.images(), calibrated.pneumonia(), c.recall(), c.specificity(),
                    c.accuracy(), c.rocAuc()));
        }
        LOG.info(String.format(Locale.ROOT,
                "Model of epoch %d written to %s: threshold %.4f (%s), validation F1 %.4f, accuracy %.4f,"
                        + " sensitivity %.4f, specificity %.4f, ROC AUC %.4f (naive all-pneumonia F1 %.4f)",
                state.bestSoFar().epoch(), modelDirectory, threshold.threshold(), threshold.rule(), metrics.f1(),
                metrics.accuracy(), metrics.recall(), metrics.specificity(), metrics.rocAuc(), metrics.naiveF1()));
        // The scores the validation metrics above came from, for reports' ROC and PR curves.
        new ValidationScores(Split.VAL.directoryName(), "training", probabilities, validationLabels)
                .write(config.outputDirectory());
        ProfilerReport profilerReport = profiler.report();
        DebugFiles.write(config.outputDirectory().resolve("debug"), debugReport, profilerReport);
        return new FitResult(state.history(), state.bestSoFar().epoch(), modelDirectory, threshold, metrics, stoppedEarly,
                (System.nanoTime() - runStart) / 1e9, calibrated, debugReport, profilerReport, temperature);
    }

    private static ThresholdCalibration calibration(List<ImageRecord> records, int[] labels, BinaryMetrics metrics) {
        int pneumonia = 0;
        for (int label : labels) {
            pneumonia += label;
        }
        return new ThresholdCalibration(Split.CALIBRATION.directoryName(), labels.length, pneumonia, metrics,
                records.stream().map(ImageRecord::sha256).toList());
    }

    static String xrayVersion() {
        String version = ResNetFineTuner.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    /** The records an epoch trains on: the training split, oversampled with the epoch's seed when configured. */
    private List<ImageRecord> epochRecords(List<ImageRecord> train, int epoch) {
        if (!config.oversampleMinority()) {
            return train;
        }
        return ClassBalance.oversampleMinority(train, new Random(Seeds.mix(config.seed(), epoch, -1L)));
    }

    private double positiveClassWeight(List<ImageRecord> train) {
        if (config.positiveClassWeight().isPresent()) {
            return config.positiveClassWeight().getAsDouble();
        }
        if (config.oversampleMinority()) {
            return 1.0;
        }
        return ClassBalance.of(train).positiveClassWeight();
    }

    private static List<ImageRecord> distinct(List<ImageRecord> records) {
        Set<Path> seen = new LinkedHashSet<>();
        List<ImageRecord> distinct = new ArrayList<>();
        for (ImageRecord record : records) {
            if (seen.add(record.path())) {
                distinct.add(record);
            }
        }
        return distinct;
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    private void requireData(List<ImageRecord> train, List<ImageRecord> validation, List<ImageRecord> calibration) {
        ClassBalance trainBalance = ClassBalance.of(train);
        if (trainBalance.normal() == 0 || trainBalance.pneumonia() == 0) {
            throw new XrayException("the TRAIN split needs images of both classes; it has " + trainBalance.normal()
                    + " NORMAL and " + trainBalance.pneumonia() + " PNEUMONIA");
        }
        ClassBalance validationBalance = ClassBalance.of(validation);
        if (validationBalance.normal() == 0 || validationBalance.pneumonia() == 0) {
            throw new XrayException("the VAL split needs images of both classes to pick the best epoch and the"
                    + " threshold; it has " + validationBalance.normal() + " NORMAL and "
                    + validationBalance.pneumonia() + " PNEUMONIA. Carve one from training with"
                    + " Dataset.withValidationFromTrain(0.1, seed) (--val-fraction on the command line)");
        }
        ClassBalance calibrationBalance = ClassBalance.of(calibration);
        if (!calibration.isEmpty() && (calibrationBalance.normal() == 0 || calibrationBalance.pneumonia() == 0)) {
            throw new XrayException("the CALIBRATION split needs images of both classes to choose the threshold; it has "
                    + calibrationBalance.normal() + " NORMAL and " + calibrationBalance.pneumonia() + " PNEUMONIA");
        }
        if (train.size() < config.batchSize()) {
            throw new InvalidConfigurationException("batchSize", config.batchSize() + " is more than the "
                    + train.size() + " training images");
        }
    }

    /**
     * A run resumes only with the options it was started with, except the threshold rule: it is
     * applied once, after the last epoch, so a finished run resumed with another rule keeps its
     * network and chooses its threshold anew. A key added to recipes after the checkpoint was
     * written matches the value that means what training did before the key existed.
     */
    private void requireSameOptions(CheckpointState state) {
        Map<String, String> now = new LinkedHashMap<>(config.hyperparameters());
        Map<String, String> then = new LinkedHashMap<>(RecipeHyperparameters.withKeysAddedSince(state.hyperparameters()));
        String ruleNow = now.remove(THRESHOLD_RULE);
        String ruleThen = then.remove(THRESHOLD_RULE);
        if (ruleThen != null && !ruleThen.equals(ruleNow)) {
            LOG.info("Threshold rule {} instead of the run's {}: the network is trained as before, the threshold is"
                    + " chosen anew", ruleNow, ruleThen);
        }
        if (!now.equals(then)) {
            List<String> differences = new ArrayList<>();
            Set<String> keys = new LinkedHashSet<>(now.keySet());
            keys.addAll(then.keySet());
            for (String key : keys) {
                if (!Objects.equals(now.get(key), then.get(key))) {
                    differences.add(key + " was " + then.get(key) + ", now " + now.get(key));
                }
            }
            throw new InvalidConfigurationException("resume", "the checkpoint in " + store.directory()
                    + " was written with other options (" + String.join("; ", differences)
                    + "); resume with the same options, or start afresh without resume");
        }
    }
}
