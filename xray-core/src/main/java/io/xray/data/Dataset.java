package io.xray.data;

import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.image.ImageDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable set of labelled chest X-rays, each in a split, plus the files that could not be
 * used.
 *
 * <p>A data set is read from the Kaggle folder layout
 * {@code ROOT/{train,val,test}/{NORMAL,PNEUMONIA}/*.{jpeg,jpg,png}} (any subset of the splits;
 * names in any case; other files are ignored) or from a manifest written by
 * {@link #writeManifest(Path)}. Reading hashes every file (SHA-256) and, unless told not to, decodes
 * it with an {@link ImageDecoder}: a file that fails is listed in {@link #rejected()} with the
 * reason and left out of every split; it is never fatal. Files are read in parallel, one thread per
 * processor by default, with progress logged at INFO.
 *
 * <p>Records are sorted by split, label and path, so equal inputs give equal data sets. Splitting
 * ({@link #withValidationFromTrain(double, long)}, {@link #withTestMovedToValidation(int, long)})
 * returns a new data set and leaves this one unchanged.
 *
 * <p>Patient ids come from file names ({@link PatientIdParser}); a file whose name fits no known
 * pattern is its own patient, and reading a folder logs one warning that counts such files.
 */
public final class Dataset {
    private static final Logger LOG = LoggerFactory.getLogger(Dataset.class);
    private static final Comparator<ImageRecord> ORDER = Comparator.comparing(ImageRecord::split)
            .thenComparing(ImageRecord::label)
            .thenComparing(ImageRecord::path);

    private final List<ImageRecord> records;
    private final Map<Split, List<ImageRecord>> bySplit;
    private final List<RejectedFile> rejected;
    private final ImageDecoder decoder;
    private final int parallelism;

    private Dataset(Collection<ImageRecord> records, Collection<RejectedFile> rejected, ImageDecoder decoder,
            int parallelism) {
        List<ImageRecord> sorted = new ArrayList<>(records);
        sorted.sort(ORDER);
        Set<Path> paths = new HashSet<>();
        for (ImageRecord record : sorted) {
            if (!paths.add(record.path())) {
                throw new IllegalArgumentException("the file " + record.path() + " is in the data set twice");
            }
        }
        this.records = List.copyOf(sorted);
        Map<Split, List<ImageRecord>> split = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            split.put(s, this.records.stream().filter(r -> r.split() == s).toList());
        }
        this.bySplit = Collections.unmodifiableMap(split);
        List<RejectedFile> sortedRejected = new ArrayList<>(rejected);
        sortedRejected.sort(Comparator.comparing(RejectedFile::path));
        this.rejected = List.copyOf(sortedRejected);
        this.decoder = decoder;
        this.parallelism = parallelism;
    }

    /**
     * Reads a folder in the Kaggle layout, hashing and decoding every image; see
     * {@link Builder#root(Path)}.
     *
     * @param root the folder holding {@code train/}, {@code val/} and/or {@code test/}
     * @return the data set
     * @throws XrayException if the folder is missing or holds no image
     */
    public static Dataset fromDirectory(Path root) {
        return builder().root(root).build();
    }

    /**
     * Reads a manifest written by {@link #writeManifest(Path)}, checking that every file still
     * exists, still has the recorded SHA-256 and decodes; see {@link Builder#manifest(Path)}.
     *
     * @param manifest the manifest file (JSON Lines)
     * @return the data set
     * @throws XrayException if the manifest is missing, empty or malformed
     */
    public static Dataset fromManifest(Path manifest) {
        return builder().manifest(manifest).build();
    }

    /**
     * Reads a data set from whatever {@code path} is: a folder in the Kaggle layout
     * ({@link #fromDirectory(Path)}) or a manifest file ({@link #fromManifest(Path)}), the way the
     * command line's {@code --data} and the SageMaker training channels take either.
     *
     * @param path a {@code chest_xray} folder or a JSON Lines manifest written by
     *     {@link #writeManifest(Path)}
     * @return the data set
     * @throws XrayException naming the path when it is neither a folder nor a file, or when reading
     *     the folder or the manifest fails
     */
    public static Dataset load(Path path) {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            return fromDirectory(path);
        }
        if (Files.isRegularFile(path)) {
            return fromManifest(path);
        }
        throw new XrayException(path + ": no such folder or manifest file");
    }

    /**
     * Makes a data set of records already at hand, without reading any file.
     *
     * @param records the images; no path may appear twice
     * @return the data set, records sorted by split, label and path
     */
    public static Dataset of(Collection<ImageRecord> records) {
        return new Dataset(records, List.of(), ImageDecoder.defaults(), ParallelWork.defaultParallelism());
    }

    /** @return a builder to read a folder or a manifest with non-default settings */
    public static Builder builder() {
        return new Builder();
    }

    /** @return every accepted image, sorted by split, label and path */
    public List<ImageRecord> records() {
        return records;
    }

    /**
     * @param split a split
     * @return the images of that split, sorted by label and path; empty if the split is absent
     */
    public List<ImageRecord> records(Split split) {
        return bySplit.get(Objects.requireNonNull(split, "split"));
    }

    /** @return the number of accepted images */
    public int size() {
        return records.size();
    }

    /** @return the splits that hold at least one image, in {@link Split} order */
    public Set<Split> splits() {
        Set<Split> present = java.util.EnumSet.noneOf(Split.class);
        for (ImageRecord record : records) {
            present.add(record.split());
        }
        return Collections.unmodifiableSet(present);
    }

    /** @return the files that could not be used, with the reasons, sorted by path */
    public List<RejectedFile> rejected() {
        return rejected;
    }

    /**
     * @param split a split
     * @return how many images of each class the split holds
     */
    public ClassBalance classBalance(Split split) {
        return ClassBalance.of(records(split));
    }

    /**
     * Carves a validation split out of the training split, in whole patients and stratified by
     * class ({@link PatientGroupedSplitter}). Images already in the validation split stay there.
     *
     * @param fraction the share of training images to move, strictly between 0 and 1
     * @param seed the seed; the same seed gives the same split
     * @return a new data set; this one is unchanged
     * @throws InvalidConfigurationException if {@code fraction} is not in (0, 1)
     * @throws XrayException if there is no training image, or either side would be empty
     */
    public Dataset withValidationFromTrain(double fraction, long seed) {
        List<ImageRecord> train = records(Split.TRAIN);
        if (train.isEmpty()) {
            throw new XrayException("cannot carve a validation split: the data set has no TRAIN images");
        }
        PatientGroupedSplitter.Partition partition =
                PatientGroupedSplitter.withSeed(seed).splitByFraction(train, fraction);
        return moved(partition, Split.TRAIN, Split.VAL, "fraction " + fraction + " of train");
    }

    /**
     * Moves about {@code count} test images into the validation split, as the original notebook
     * did, but in whole patients and stratified by class ({@link PatientGroupedSplitter}): the
     * number moved is as close to {@code count} as whole patients allow.
     *
     * @param count the number of test images to move, at least 1 and less than the test split
     * @param seed the seed; the same seed gives the same split
     * @return a new data set; this one is unchanged
     * @throws InvalidConfigurationException if {@code count} is out of range
     * @throws XrayException if there is no test image
     */
    public Dataset withTestMovedToValidation(int count, long seed) {
        return testMovedTo(Split.VAL, count, seed);
    }

    /**
     * Sets about {@code count} test images aside in the {@link Split#CALIBRATION} split, in whole
     * patients and stratified by class ({@link PatientGroupedSplitter}), for choosing the decision
     * threshold on images from the test distribution. A model trained on the result records which
     * images chose its threshold, and the model's evaluation ({@code Classifier.evaluate(Dataset, Split)})
     * leaves them out of test figures.
     *
     * @param count the number of test images to set aside, at least 1 and less than the test split
     * @param seed the seed; the same seed gives the same images
     * @return a new data set; this one is unchanged
     * @throws InvalidConfigurationException if {@code count} is out of range
     * @throws XrayException if there is no test image
     */
    public Dataset withTestMovedToCalibration(int count, long seed) {
        return testMovedTo(Split.CALIBRATION, count, seed);
    }

    private Dataset testMovedTo(Split to, int count, long seed) {
        List<ImageRecord> test = records(Split.TEST);
        if (test.isEmpty()) {
            throw new XrayException("cannot move test images to " + to.directoryName()
                    + ": the data set has no TEST images");
        }
        PatientGroupedSplitter.Partition partition = PatientGroupedSplitter.withSeed(seed).splitByCount(test, count);
        return moved(partition, Split.TEST, to, count + " images of test");
    }

    private Dataset moved(PatientGroupedSplitter.Partition partition, Split from, Split to, String what) {
        if (partition.taken().isEmpty() || partition.kept().isEmpty()) {
            throw new XrayException("cannot take " + what + " in whole patients: " + partition.taken().size()
                    + " images would move and " + partition.kept().size() + " stay; use a larger data set or another "
                    + (from == Split.TRAIN ? "fraction" : "count"));
        }
        List<ImageRecord> result = new ArrayList<>(records.size());
        for (ImageRecord record : records) {
            if (record.split() != from) {
                result.add(record);
            }
        }
        result.addAll(partition.kept());
        for (ImageRecord record : partition.taken()) {
            result.add(record.withSplit(to));
        }
        LOG.info("moved {} images of {} patients from {} to {} ({} {} images of {} patients stay){}",
                partition.taken().size(), patients(partition.taken()), from, to, partition.kept().size(), from,
                patients(partition.kept()),
                records(to).isEmpty() ? "" : "; " + records(to).size() + " images were in " + to + " already");
        return new Dataset(result, rejected, decoder, parallelism);
    }

    private static long patients(List<ImageRecord> records) {
        return records.stream().map(ImageRecord::patientId).distinct().count();
    }

    /**
     * Writes the records as a manifest: JSON Lines, one image per line, with {@code path},
     * {@code split} ({@code train}, {@code val} or {@code test}), {@code label}, {@code patient}
     * and {@code sha256}. Paths under the manifest's folder are written relative to it (with
     * {@code /}), other paths absolute, so a manifest next to the data moves with it. Rejected
     * files are not written. The file is replaced atomically where the file system allows.
     *
     * @param file the manifest to write; its folder is created if needed
     * @throws XrayException if the file cannot be written
     */
    public void writeManifest(Path file) {
        ManifestFormat.write(file, records);
        LOG.info("wrote manifest {} ({} images)", file, records.size());
    }

    /**
     * A fingerprint of this data set for provenance: the SHA-256 of one line per record
     * ({@code split}, {@code label}, {@code patient}, {@code sha256} and the file name, tab
     * separated) in record order. It depends on what the files hold and how they are split, not on
     * where they are stored, so the same data in another folder (or read from a manifest) gives the
     * same value. It is not the hash of a manifest file's bytes.
     *
     * @return 64 lower-case hexadecimal digits
     */
    public String manifestSha256() {
        return ManifestFormat.contentSha256(records);
    }

    /**
     * Audits the data set without the near-duplicate search; see {@link #audit(AuditOptions)}.
     *
     * @return the audit
     */
    public DatasetAudit audit() {
        return audit(AuditOptions.defaults());
    }

    /**
     * Audits the data set: counts of images and patients per split and class, groups of
     * byte-identical files, rejected files, patient ids found in more than one split and, if the
     * options ask for it, visually identical images of different files.
     *
     * @param options what to look for
     * @return the audit, a value that serializes to JSON
     */
    public DatasetAudit audit(AuditOptions options) {
        return DatasetAuditor.audit(this, Objects.requireNonNull(options, "options"), decoder, parallelism);
    }

    /** Two data sets are equal when they hold equal records and equal rejected files. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Dataset that && records.equals(that.records) && rejected.equals(that.rejected);
    }

    @Override
    public int hashCode() {
        return 31 * records.hashCode() + rejected.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Dataset[");
        for (Split split : Split.values()) {
            List<ImageRecord> images = records(split);
            if (!images.isEmpty()) {
                ClassBalance balance = ClassBalance.of(images);
                text.append(split.directoryName()).append('=').append(images.size()).append(" (")
                        .append(balance.normal()).append(" NORMAL, ").append(balance.pneumonia())
                        .append(" PNEUMONIA), ");
            }
        }
        return text.append("rejected=").append(rejected.size()).append(']').toString();
    }

    /**
     * Reads a data set from a folder or a manifest.
     *
     * <pre>{@code
     * Dataset data = Dataset.builder()
     *         .root(Path.of("chest_xray"))
     *         .decoder(ImageDecoder.builder().maxPixels(20_000_000).build())
     *         .parallelism(4)
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private Path root;
        private Path manifest;
        private ImageDecoder decoder = ImageDecoder.defaults();
        private boolean verifyImages = true;
        private int parallelism = ParallelWork.defaultParallelism();

        private Builder() {}

        /**
         * Reads the Kaggle layout {@code ROOT/{train,val,test}/{NORMAL,PNEUMONIA}/*.{jpeg,jpg,png}}.
         * Set this or {@link #manifest(Path)}, not both.
         *
         * @param root the data folder
         * @return this builder
         */
        public Builder root(Path root) {
            this.root = root;
            return this;
        }

        /**
         * Reads a manifest written by {@link Dataset#writeManifest(Path)}. Set this or
         * {@link #root(Path)}, not both.
         *
         * @param manifest the manifest file
         * @return this builder
         */
        public Builder manifest(Path manifest) {
            this.manifest = manifest;
            return this;
        }

        /**
         * @param decoder the decoder that checks every image (and that the audit uses); default
         *     {@link ImageDecoder#defaults()}
         * @return this builder
         */
        public Builder decoder(ImageDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        /**
         * Whether to check every file. For a folder, {@code true} (the default) decodes every file
         * and rejects those that fail; {@code false} only hashes them. For a manifest, {@code true}
         * reads every file, rejecting those that are missing, changed (SHA-256) or undecodable;
         * {@code false} trusts the manifest and reads no file.
         *
         * @param verifyImages whether to check every file
         * @return this builder
         */
        public Builder verifyImages(boolean verifyImages) {
            this.verifyImages = verifyImages;
            return this;
        }

        /**
         * @param parallelism the number of threads that read files; default the number of
         *     processors
         * @return this builder
         */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /**
         * Reads the data set.
         *
         * @return the data set
         * @throws InvalidConfigurationException if neither or both of root and manifest are set,
         *     the decoder is null or parallelism is below 1
         * @throws XrayException if the folder or manifest is missing, malformed or holds no image
         */
        public Dataset build() {
            if (root == null && manifest == null) {
                throw new InvalidConfigurationException("root", "set root (a folder in the Kaggle layout) or manifest");
            }
            if (root != null && manifest != null) {
                throw new InvalidConfigurationException("manifest", "set either root or manifest, not both");
            }
            if (decoder == null) {
                throw new InvalidConfigurationException("decoder", "must not be null");
            }
            if (parallelism < 1) {
                throw new InvalidConfigurationException("parallelism", "must be at least 1, got " + parallelism);
            }
            long start = System.nanoTime();
            List<Candidate> candidates;
            boolean readFiles;
            String source;
            if (root != null) {
                source = root.toAbsolutePath().normalize().toString();
                candidates = DirectoryScanner.scan(root.toAbsolutePath().normalize());
                readFiles = true;
                warnAboutUnrecognisedNames(candidates, source);
            } else {
                source = manifest.toAbsolutePath().normalize().toString();
                candidates = ManifestFormat.read(manifest);
                readFiles = verifyImages;
            }
            List<ImageRecord> accepted = new ArrayList<>(candidates.size());
            List<RejectedFile> refused = new ArrayList<>();
            if (readFiles) {
                FileVerifier verifier = new FileVerifier(decoder, verifyImages);
                String what = verifyImages ? "hashing and decoding " + source : "hashing " + source;
                for (FileVerifier.Outcome outcome : ParallelWork.map(candidates, verifier::verify, parallelism, what)) {
                    if (outcome.record() != null) {
                        accepted.add(outcome.record());
                    } else {
                        refused.add(outcome.rejected());
                        LOG.warn("rejected {}: {}", outcome.rejected().path(), outcome.rejected().reason());
                    }
                }
            } else {
                for (Candidate c : candidates) {
                    accepted.add(new ImageRecord(c.path(), c.split(), c.label(), c.patientId(), c.expectedSha256()));
                }
            }
            Dataset dataset = new Dataset(accepted, refused, decoder, parallelism);
            LOG.info("read {} in {} s: {}", source, String.format("%.1f", (System.nanoTime() - start) / 1e9), dataset);
            return dataset;
        }

        private static void warnAboutUnrecognisedNames(List<Candidate> candidates, String source) {
            List<String> unrecognised = new ArrayList<>();
            for (Candidate candidate : candidates) {
                String name = candidate.path().getFileName().toString();
                if (PatientIdParser.recognise(name).isEmpty()) {
                    unrecognised.add(name);
                }
            }
            if (!unrecognised.isEmpty()) {
                Collections.sort(unrecognised);
                LOG.warn("{} of {} files in {} have names that fit no known patient pattern (e.g. {}); "
                        + "each is treated as its own patient, so a patient split cannot keep their images together",
                        unrecognised.size(), candidates.size(), source, unrecognised.get(0));
            }
        }
    }
}
