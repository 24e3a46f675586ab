package io.xray.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.xray.internal.Network;
import io.xray.backbone.BackboneKind;
import io.xray.data.ImageRecord;
import java.lang.ref.SoftReference;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frozen-backbone feature cache: when only the head trains and training images are not
 * augmented, every training and validation image gives the head the same backbone features in
 * every epoch (the frozen backbone runs in evaluation mode), so they are computed once and the head
 * trains on them. Batches, order, loss, optimiser, schedule and validation are the training loop's
 * own; only the backbone's forward pass is skipped.
 *
 * <p>Features are also kept for the process, softly, keyed by the backbone (and the seed that
 * initialises a from-scratch one), the preprocessing, the device and the images' SHA-256: the
 * trials of a tuning run that vary only the head's training compute them once between them.
 */
final class FeatureCache {

    private static final Logger LOG = LoggerFactory.getLogger(ResNetFineTuner.class);

    /** Images whose features were computed, over the process: tests count them. */
    static final AtomicLong IMAGES_COMPUTED = new AtomicLong();

    private final Network network;
    private final int featureSize;
    private final float[] train;
    private final int[] trainLabels;
    private final float[] validation;
    private final int validationCount;
    private Map<String, Parameter> trainable;

    /** Features by key, the most recently used last; a few entries, held softly. */
    private static final Map<String, SoftReference<float[]>> MEMO = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SoftReference<float[]>> eldest) {
            return size() > 8;
        }
    };

    private FeatureCache(Network network, float[] train, int[] trainLabels, float[] validation, int validationCount) {
        this.network = network;
        this.featureSize = network.featureSize();
        this.train = train;
        this.trainLabels = trainLabels;
        this.validation = validation;
        this.validationCount = validationCount;
    }

    /**
     * @param config the run
     * @return whether the run can train on cached features: head only, no augmentation, and the
     *     cache not turned off
     */
    static boolean applies(ResNetFineTuner config) {
        return config.featureCache()
                && config.trainableLayers().stages().stream().allMatch("head"::equals)
                && config.augmentation().isEmpty();
    }

    /**
     * Computes the features of every cached training image and every validation image, once.
     *
     * @param network the network, its backbone frozen
     * @param trainCache the distinct training images
     * @param validationRecords the validation records, in the order of the images
     * @param validationCache the validation images, in the order of the records
     * @param config the run (preprocessing, batch size)
     * @return the cache
     */
    static FeatureCache build(Network network, ImageCache trainCache, List<ImageRecord> validationRecords,
            ImageCache validationCache, ResNetFineTuner config) {
        if (!network.isBackboneFrozen()) {
            throw new IllegalStateException("the feature cache needs a frozen backbone");
        }
        long start = System.nanoTime();
        List<ImageRecord> trainRecords = new java.util.ArrayList<>();
        for (int i = 0; i < trainCache.size(); i++) {
            trainRecords.add(trainCache.record(i));
        }
        String prefix = keyPrefix(network, config);
        String trainKey = prefix + key(trainRecords);
        String validationKey = prefix + key(validationRecords);
        float[] train = remembered(trainKey);
        float[] validation = remembered(validationKey);
        boolean reused = train != null && validation != null;
        if (train == null) {
            // one crop at a time: all of them at once would hold every training image as floats
            train = features(network, trainCache.size(), i -> trainCache.centreCrop(i, config.preprocessing()), config);
            remember(trainKey, train);
        }
        if (validation == null) {
            validation = features(network, validationCache.size(),
                    i -> validationCache.centreCrop(i, config.preprocessing()), config);
            remember(validationKey, validation);
        }
        LOG.info(String.format(Locale.ROOT, "Feature cache: backbone features of %d training and %d validation images"
                        + " %s (%d values each); the head trains on them",
                trainCache.size(), validationCache.size(), reused ? "reused from an earlier run in this process"
                        : String.format(Locale.ROOT, "computed once in %.1f s", (System.nanoTime() - start) / 1e9),
                network.featureSize()));
        return new FeatureCache(network, train, trainCache.labels(), validation, validationCache.size());
    }

    private static String keyPrefix(Network network, ResNetFineTuner config) {
        return config.backbone()
                + (config.backbone().kind() == BackboneKind.RESNET18_SCRATCH ? " seed " + config.seed() : "")
                + " " + config.preprocessing() + " " + network.device() + " ";
    }

    private static String key(List<ImageRecord> records) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (ImageRecord record : records) {
                digest.update(record.sha256().getBytes(StandardCharsets.US_ASCII));
            }
            return records.size() + ":" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[] remembered(String key) {
        synchronized (MEMO) {
            SoftReference<float[]> reference = MEMO.get(key);
            return reference == null ? null : reference.get();
        }
    }

    private static void remember(String key, float[] features) {
        synchronized (MEMO) {
            MEMO.put(key, new SoftReference<>(features));
        }
    }

    /**
     * @param imageCount how many images
     * @param image the preprocessed image (CHW floats) at an index, asked for once per image, batch by batch
     */
    private static float[] features(Network network, int imageCount, IntFunction<float[]> image, ResNetFineTuner config) {
        int size = config.preprocessing().cropSize();
        int plane = 3 * size * size;
        int featureSize = network.featureSize();
        float[] features = new float[imageCount * featureSize];
        int batchSize = Math.max(config.batchSize(), 32);
        for (int start = 0; start < imageCount; start += batchSize) {
            int count = Math.min(batchSize, imageCount - start);
            float[] batch = new float[count * plane];
            for (int i = 0; i < count; i++) {
                System.arraycopy(image.apply(start + i), 0, batch, i * plane, plane);
            }
            System.arraycopy(network.features(batch, count, size), 0, features, start * featureSize, count * featureSize);
            IMAGES_COMPUTED.addAndGet(count);
        }
        return features;
    }

    /**
     * @param order indices of training images (into the training image cache), in the epoch's order
     * @param batchSize images per batch
     * @return the number of batches: a last batch of one image is dropped, as the training loop does
     */
    static int batches(int[] order, int batchSize) {
        return order.length / batchSize + (order.length % batchSize >= 2 ? 1 : 0);
    }

    /**
     * One optimisation step of the head on a batch of cached features: the training step's loss,
     * backward pass and update, without the backbone.
     *
     * @param order the epoch's order
     * @param batchIndex the 0-based batch
     * @param batchSize images per batch
     * @param optimizer the optimiser
     * @param positiveClassWeight the loss weight of pneumonia images
     * @param step the 1-based global step
     * @param learningRate the step's learning rate
     * @return the batch's size and mean loss
     */
    float[] trainStep(int[] order, int batchIndex, int batchSize, StatefulOptimizer optimizer, float positiveClassWeight,
            long step, float learningRate) {
        if (trainable == null) {
            trainable = network.trainableParameters();
        }
        if (!network.isTrainingMode()) {
            network.setTrainingMode(true);
        }
        int first = batchIndex * batchSize;
        int count = Math.min(batchSize, order.length - first);
        float[] features = new float[count * featureSize];
        float[] labels = new float[count];
        for (int i = 0; i < count; i++) {
            int index = order[first + i];
            System.arraycopy(train, index * featureSize, features, i * featureSize, featureSize);
            labels[i] = trainLabels[index];
        }
        optimizer.setLearningRate(learningRate);
        optimizer.setStep(step);
        try (NDManager batch = network.manager().newSubManager()) {
            NDArray input = batch.create(FloatBuffer.wrap(features), new Shape(count, featureSize));
            NDArray targets = batch.create(labels);
            float loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray lossArray = TrainingStep.loss(network.headLogits(input), targets, positiveClassWeight);
                collector.backward(lossArray);
                loss = lossArray.getFloat();
            }
            for (Map.Entry<String, Parameter> entry : trainable.entrySet()) {
                NDArray weight = entry.getValue().getArray();
                NDArray gradient = weight.getGradient();
                try {
                    optimizer.update(entry.getKey(), weight, gradient);
                } finally {
                    gradient.close();
                }
            }
            return new float[] {count, loss};
        }
    }

    /**
     * @param indices positions in the training image cache
     * @return the head's logits of those training images, in evaluation mode, from their cached features
     */
    float[] trainLogits(int[] indices) {
        float[] rows = new float[indices.length * featureSize];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(train, indices[i] * featureSize, rows, i * featureSize, featureSize);
        }
        return headLogits(network, rows, indices.length);
    }

    /** @return the head's logits of every validation image, in evaluation mode */
    float[] validationLogits() {
        return validationLogits(network);
    }

    /**
     * @param scorer a network with the same frozen backbone, for example the best epoch's as the
     *     model directory holds it
     * @return its head's logits of every validation image, in evaluation mode, from the cached features
     */
    float[] validationLogits(Network scorer) {
        return headLogits(scorer, validation, validationCount);
    }

    /** The head of {@code scorer} on {@code count} rows of features, in evaluation mode, its mode restored after. */
    private float[] headLogits(Network scorer, float[] rows, int count) {
        boolean wasTraining = scorer.isTrainingMode();
        scorer.setTrainingMode(false);
        try (NDManager batch = scorer.manager().newSubManager()) {
            NDArray input = batch.create(FloatBuffer.wrap(rows), new Shape(count, featureSize));
            return scorer.headLogits(input).toFloatArray();
        } finally {
            scorer.setTrainingMode(wasTraining);
        }
    }
}
