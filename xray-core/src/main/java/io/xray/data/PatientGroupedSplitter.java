package io.xray.data;

import io.xray.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Takes a part out of a list of records, grouped by patient and stratified by class, so that no
 * patient is on both sides and both sides keep the class ratio of the whole.
 *
 * <p>The records are grouped by {@link ImageRecord#patientId()} (the caller passes records of one
 * split, where ids are meaningful). Each patient is assigned to the stratum of its majority label;
 * a patient with as many images of both classes counts as {@link Label#PNEUMONIA}. Within each
 * stratum the patients are sorted by id, shuffled with the seed, and taken one by one as long as
 * taking the next brings the number of images taken closer to that stratum's share of the target.
 * A patient with images of both classes therefore moves whole, and the class ratios can drift
 * slightly from the whole only by such patients.
 *
 * <p>The result depends only on the records (as a set), the target and the seed.
 */
public final class PatientGroupedSplitter {
    private final long seed;

    private PatientGroupedSplitter(long seed) {
        this.seed = seed;
    }

    /**
     * @param seed the seed of the shuffle; the same seed and records give the same split
     * @return a splitter
     */
    public static PatientGroupedSplitter withSeed(long seed) {
        return new PatientGroupedSplitter(seed);
    }

    /** @return the seed of the shuffle */
    public long seed() {
        return seed;
    }

    /**
     * The two sides of a split.
     *
     * @param kept the records left where they were, in their original order
     * @param taken the records taken out, in their original order
     */
    public record Partition(List<ImageRecord> kept, List<ImageRecord> taken) {
        /** Copies both lists. */
        public Partition {
            kept = List.copyOf(kept);
            taken = List.copyOf(taken);
        }
    }

    /**
     * Takes about {@code fraction} of the images out, in whole patients.
     *
     * @param records the records to split, usually of one split
     * @param fraction the share of images to take, strictly between 0 and 1
     * @return both sides
     * @throws InvalidConfigurationException if {@code fraction} is not in (0, 1)
     */
    public Partition splitByFraction(List<ImageRecord> records, double fraction) {
        if (!(fraction > 0.0 && fraction < 1.0)) {
            throw new InvalidConfigurationException("fraction", "must be strictly between 0 and 1, got " + fraction);
        }
        return split(records, fraction * records.size());
    }

    /**
     * Takes about {@code count} images out, in whole patients: as close to {@code count} as whole
     * patients allow.
     *
     * @param records the records to split, usually of one split
     * @param count the number of images to take, at least 1 and less than {@code records.size()}
     * @return both sides
     * @throws InvalidConfigurationException if {@code count} is out of range
     */
    public Partition splitByCount(List<ImageRecord> records, int count) {
        if (count < 1 || count >= records.size()) {
            throw new InvalidConfigurationException(
                    "count", "must be between 1 and " + (records.size() - 1) + " (one less than the "
                            + records.size() + " records), got " + count);
        }
        return split(records, count);
    }

    private Partition split(List<ImageRecord> records, double target) {
        Objects.requireNonNull(records, "records");
        // patients in id order, each with its images; TreeMap keeps the order independent of input order
        Map<String, List<ImageRecord>> patients = new TreeMap<>();
        for (ImageRecord record : records) {
            patients.computeIfAbsent(record.patientId(), id -> new ArrayList<>()).add(record);
        }
        Map<Label, List<List<ImageRecord>>> strata = new EnumMap<>(Label.class);
        Map<Label, Integer> stratumImages = new EnumMap<>(Label.class);
        for (Label label : Label.values()) {
            strata.put(label, new ArrayList<>());
            stratumImages.put(label, 0);
        }
        for (List<ImageRecord> images : patients.values()) {
            Label label = majorityLabel(images);
            strata.get(label).add(images);
            stratumImages.merge(label, images.size(), Integer::sum);
        }
        Random random = new Random(seed);
        Set<ImageRecord> taken = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Label label : Label.values()) {
            List<List<ImageRecord>> groups = strata.get(label);
            Collections.shuffle(groups, random);
            double stratumTarget = records.isEmpty() ? 0 : target * stratumImages.get(label) / records.size();
            int takenImages = 0;
            for (List<ImageRecord> group : groups) {
                if (Math.abs(takenImages + group.size() - stratumTarget) < Math.abs(takenImages - stratumTarget)) {
                    taken.addAll(group);
                    takenImages += group.size();
                }
            }
        }
        List<ImageRecord> kept = new ArrayList<>();
        List<ImageRecord> took = new ArrayList<>();
        for (ImageRecord record : records) {
            (taken.contains(record) ? took : kept).add(record);
        }
        return new Partition(kept, took);
    }

    /** @return the label of most of the images; {@link Label#PNEUMONIA} on a tie */
    static Label majorityLabel(List<ImageRecord> images) {
        int positives = 0;
        for (ImageRecord image : images) {
            if (image.label() == Label.PNEUMONIA) {
                positives++;
            }
        }
        return 2 * positives >= images.size() ? Label.PNEUMONIA : Label.NORMAL;
    }
}
