package io.xray.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Dataset#audit(AuditOptions)} found: a value that serializes to JSON with Jackson.
 *
 * @param images the number of accepted images
 * @param splits counts per split present, in {@link Split} order
 * @param duplicateGroups groups of two or more byte-identical files (same SHA-256), sorted by
 *     their first file
 * @param rejected files that could not be used, with the reasons
 * @param sharedPatientIds patient ids found in more than one split, with their files; a warning
 *     to check, not proof of a leak (the official test split numbers its patients on its own)
 * @param unrecognisedFileNames the number of files whose name fits no known patient pattern, each
 *     counted as its own patient
 * @param nearDuplicates the near-duplicate search, or {@code null} when it was not asked for
 * @param warnings one sentence per finding that deserves a look, for people
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetAudit(
        int images,
        Map<Split, SplitCounts> splits,
        List<DuplicateGroup> duplicateGroups,
        List<RejectedFile> rejected,
        List<SharedPatientId> sharedPatientIds,
        int unrecognisedFileNames,
        NearDuplicateReport nearDuplicates,
        List<String> warnings) {

    /** Copies every collection. */
    public DatasetAudit {
        splits = Collections.unmodifiableMap(splits.isEmpty() ? new EnumMap<>(Split.class) : new EnumMap<>(splits));
        duplicateGroups = List.copyOf(duplicateGroups);
        rejected = List.copyOf(rejected);
        sharedPatientIds = List.copyOf(sharedPatientIds);
        warnings = List.copyOf(warnings);
    }

    /**
     * @param split a split
     * @param label a class
     * @return the number of images of that class in that split; 0 if the split is absent
     */
    public int imageCount(Split split, Label label) {
        SplitCounts counts = splits.get(split);
        return counts == null ? 0 : counts.images(label);
    }

    /** @return the number of files that are byte-identical copies of another file (group sizes minus one) */
    public int duplicateCopies() {
        return duplicateGroups.stream().mapToInt(group -> group.files().size() - 1).sum();
    }

    /**
     * Counts of one split.
     *
     * @param images its images
     * @param imagesPerLabel its images per class
     * @param patients its distinct patient ids
     * @param patientsPerLabel distinct patient ids with at least one image of each class (a patient
     *     with images of both classes counts in both)
     */
    public record SplitCounts(
            int images, Map<Label, Integer> imagesPerLabel, int patients, Map<Label, Integer> patientsPerLabel) {
        /** Copies the maps. */
        public SplitCounts {
            imagesPerLabel = Collections.unmodifiableMap(copy(imagesPerLabel));
            patientsPerLabel = Collections.unmodifiableMap(copy(patientsPerLabel));
        }

        /**
         * @param label a class
         * @return the number of images of that class
         */
        public int images(Label label) {
            return imagesPerLabel.getOrDefault(label, 0);
        }

        /**
         * @param label a class
         * @return the number of patients with an image of that class
         */
        public int patients(Label label) {
            return patientsPerLabel.getOrDefault(label, 0);
        }

        private static Map<Label, Integer> copy(Map<Label, Integer> map) {
            return map.isEmpty() ? new EnumMap<>(Label.class) : new EnumMap<>(map);
        }
    }

    /**
     * Files with the same bytes.
     *
     * @param sha256 their SHA-256
     * @param files the files, two or more, in record order
     * @param acrossSplits whether they are in more than one split
     */
    public record DuplicateGroup(String sha256, List<ImageRecord> files, boolean acrossSplits) {
        /** Copies the list. */
        public DuplicateGroup {
            files = List.copyOf(files);
        }
    }

    /**
     * A patient id found in more than one split.
     *
     * @param patientId the id
     * @param splits the splits it is in, in {@link Split} order
     * @param files its files, in record order
     */
    public record SharedPatientId(String patientId, List<Split> splits, List<ImageRecord> files) {
        /** Copies the lists. */
        public SharedPatientId {
            splits = List.copyOf(splits);
            files = List.copyOf(files);
        }
    }

    /**
     * The near-duplicate search: pairs of different files (different SHA-256; byte-identical files
     * are in {@link DatasetAudit#duplicateGroups()}) whose 64-bit difference hashes differ in at
     * most {@code hammingThreshold} bits (the candidates) and whose 32x32 thumbnails correlate at
     * least {@code minCorrelation} (the pairs).
     *
     * @param hammingThreshold the Hamming threshold used
     * @param minCorrelation the correlation threshold used
     * @param imagesHashed the number of images hashed
     * @param candidatePairs the number of pairs of different files within the Hamming threshold,
     *     before the correlation check
     * @param pairsWithinSplits the number of pairs whose files are in the same split
     * @param pairsAcrossSplits the number of pairs whose files are in different splits
     * @param pairs the pairs, across splits first, then the most alike (correlation, then distance), then by
     *     paths; at most
     *     {@link AuditOptions#maxNearDuplicatePairs()}
     * @param truncated whether more pairs were found than listed
     */
    public record NearDuplicateReport(
            int hammingThreshold,
            double minCorrelation,
            int imagesHashed,
            long candidatePairs,
            long pairsWithinSplits,
            long pairsAcrossSplits,
            List<NearDuplicatePair> pairs,
            boolean truncated) {
        /** Copies the list. */
        public NearDuplicateReport {
            pairs = List.copyOf(pairs);
        }
    }

    /**
     * Two different files that look the same.
     *
     * @param first one file (the earlier in record order)
     * @param second the other
     * @param distance the Hamming distance between their difference hashes, 0 to 64
     * @param correlation the Pearson correlation of their 32x32 gray thumbnails, -1 to 1
     * @param acrossSplits whether they are in different splits
     * @param samePatientId whether their patient ids are equal
     */
    public record NearDuplicatePair(
            ImageRecord first,
            ImageRecord second,
            int distance,
            double correlation,
            boolean acrossSplits,
            boolean samePatientId) {}
}
