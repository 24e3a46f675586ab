package io.xray.data;

import io.xray.XrayException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * How many images of each class a set of records holds, and the two usual remedies for an
 * imbalance: class weights for the loss, and oversampling of the minority class.
 *
 * <pre>{@code
 * ClassBalance balance = dataset.classBalance(Split.TRAIN);   // e.g. 1,341 NORMAL, 3,875 PNEUMONIA
 * balance.positiveClassWeight();                              // 0.346 = 1,341 / 3,875
 * List<ImageRecord> epoch = ClassBalance.oversampleMinority(dataset.records(Split.TRAIN), 42);
 * }</pre>
 *
 * @param normal the number of {@link Label#NORMAL} images (negatives)
 * @param pneumonia the number of {@link Label#PNEUMONIA} images (positives)
 */
public record ClassBalance(int normal, int pneumonia) {

    /** Validates the counts. */
    public ClassBalance {
        if (normal < 0 || pneumonia < 0) {
            throw new IllegalArgumentException(
                    "counts must be >= 0, got normal=" + normal + ", pneumonia=" + pneumonia);
        }
    }

    /**
     * Counts the classes of some records.
     *
     * @param records the records to count
     * @return their class balance
     */
    public static ClassBalance of(Collection<ImageRecord> records) {
        int normal = 0;
        int pneumonia = 0;
        for (ImageRecord record : records) {
            if (record.label() == Label.NORMAL) {
                normal++;
            } else {
                pneumonia++;
            }
        }
        return new ClassBalance(normal, pneumonia);
    }

    /** @return the number of images in all */
    public int total() {
        return normal + pneumonia;
    }

    /**
     * @param label a class
     * @return the number of images of that class
     */
    public int count(Label label) {
        return label == Label.NORMAL ? normal : pneumonia;
    }

    /** @return the share of {@link Label#PNEUMONIA} images, in [0, 1]; 0 when there are none */
    public double positiveFraction() {
        return total() == 0 ? 0.0 : (double) pneumonia / total();
    }

    /**
     * The weight of the positive class in a binary cross-entropy loss ({@code pos_weight} in
     * PyTorch): negatives divided by positives, so that both classes weigh the same in all.
     *
     * @return {@code normal / pneumonia}
     * @throws XrayException if either class is empty
     */
    public double positiveClassWeight() {
        requireBothClasses();
        return (double) normal / pneumonia;
    }

    /**
     * Per-class weights in the "balanced" sense: {@code total / (2 * count)}, so that each class
     * contributes half of the total weight and the mean weight per image is 1.
     *
     * @return the weight of each class, in {@link Label} order
     * @throws XrayException if either class is empty
     */
    public Map<Label, Double> classWeights() {
        requireBothClasses();
        Map<Label, Double> weights = new EnumMap<>(Label.class);
        for (Label label : Label.values()) {
            weights.put(label, total() / (2.0 * count(label)));
        }
        return Collections.unmodifiableMap(weights);
    }

    /**
     * @return the class with fewer images; {@link Label#NORMAL} on a tie
     */
    public Label minority() {
        return pneumonia < normal ? Label.PNEUMONIA : Label.NORMAL;
    }

    /**
     * Oversamples the minority class until both classes have as many images. Every minority image
     * is repeated {@code majority / minority} times, and the remainder is drawn without
     * replacement, so no image is repeated more than once more than another. The result holds the
     * given records in their order followed by the added copies; shuffle it for training.
     *
     * @param records the records to balance (usually one split's)
     * @param random the source of randomness for the remainder
     * @return a new list of {@code 2 * majority} records; the records themselves when the classes
     *     are already balanced
     * @throws XrayException if one class has no image at all (there is nothing to repeat)
     */
    public static List<ImageRecord> oversampleMinority(List<ImageRecord> records, Random random) {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(random, "random");
        ClassBalance balance = of(records);
        if (balance.normal == balance.pneumonia) {
            return List.copyOf(records);
        }
        balance.requireBothClasses();
        Label minority = balance.minority();
        List<ImageRecord> minorityRecords = new ArrayList<>();
        for (ImageRecord record : records) {
            if (record.label() == minority) {
                minorityRecords.add(record);
            }
        }
        int missing = balance.count(minority == Label.NORMAL ? Label.PNEUMONIA : Label.NORMAL)
                - minorityRecords.size();
        List<ImageRecord> result = new ArrayList<>(records.size() + missing);
        result.addAll(records);
        int fullRounds = missing / minorityRecords.size();
        for (int round = 0; round < fullRounds; round++) {
            result.addAll(minorityRecords);
        }
        List<ImageRecord> shuffled = new ArrayList<>(minorityRecords);
        Collections.shuffle(shuffled, random);
        result.addAll(shuffled.subList(0, missing % minorityRecords.size()));
        return Collections.unmodifiableList(result);
    }

    /**
     * Oversamples the minority class with a seeded source of randomness; see
     * {@link #oversampleMinority(List, Random)}.
     *
     * @param records the records to balance
     * @param seed the seed; the same seed gives the same list
     * @return the balanced list
     */
    public static List<ImageRecord> oversampleMinority(List<ImageRecord> records, long seed) {
        return oversampleMinority(records, new Random(seed));
    }

    private void requireBothClasses() {
        if (normal == 0 || pneumonia == 0) {
            throw new XrayException("cannot balance classes: there are " + normal + " NORMAL and "
                    + pneumonia + " PNEUMONIA images; both classes need at least one");
        }
    }
}
