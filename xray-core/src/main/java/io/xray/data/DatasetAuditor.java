package io.xray.data;

import io.xray.InvalidImageException;
import io.xray.image.DifferenceHash;
import io.xray.image.GrayImage;
import io.xray.image.Grayscale;
import io.xray.image.ImageDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Computes a {@link DatasetAudit}. */
final class DatasetAuditor {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetAuditor.class);

    /** Across splits first, then the most alike, then by paths. */
    static final Comparator<DatasetAudit.NearDuplicatePair> PAIR_ORDER =
            Comparator.comparing((DatasetAudit.NearDuplicatePair p) -> !p.acrossSplits())
                    .thenComparing(Comparator.comparingDouble(DatasetAudit.NearDuplicatePair::correlation).reversed())
                    .thenComparingInt(DatasetAudit.NearDuplicatePair::distance)
                    .thenComparing(p -> p.first().path())
                    .thenComparing(p -> p.second().path());

    private DatasetAuditor() {}

    static DatasetAudit audit(Dataset dataset, AuditOptions options, ImageDecoder decoder, int parallelism) {
        long start = System.nanoTime();
        List<ImageRecord> records = dataset.records();
        List<RejectedFile> rejected = new ArrayList<>(dataset.rejected());
        List<String> warnings = new ArrayList<>();

        Map<Split, DatasetAudit.SplitCounts> splits = splitCounts(dataset);
        List<DatasetAudit.DuplicateGroup> duplicates = duplicateGroups(records);
        List<DatasetAudit.SharedPatientId> shared = sharedPatientIds(records);
        int unrecognised = 0;
        for (ImageRecord record : records) {
            if (PatientIdParser.recognise(record.path().getFileName().toString()).isEmpty()) {
                unrecognised++;
            }
        }
        DatasetAudit.NearDuplicateReport near = null;
        if (options.nearDuplicates()) {
            near = nearDuplicates(records, options, decoder, parallelism, rejected);
        }

        if (!rejected.isEmpty()) {
            warnings.add(rejected.size() + " files are unreadable or corrupt and left out of every split (see rejected)");
        }
        if (!duplicates.isEmpty()) {
            long across = duplicates.stream().filter(DatasetAudit.DuplicateGroup::acrossSplits).count();
            int copies = duplicates.stream().mapToInt(g -> g.files().size() - 1).sum();
            warnings.add(duplicates.size() + " groups of byte-identical files (" + copies + " extra copies)"
                    + (across > 0 ? ", " + across + " of them spanning splits (a leak)" : ", none spanning splits"));
        }
        if (!shared.isEmpty()) {
            DatasetAudit.SharedPatientId first = shared.get(0);
            warnings.add(shared.size() + " patient ids appear in more than one split (e.g. " + first.patientId() + " in "
                    + first.splits() + "); the Kaggle test split numbers its patients on its own, so check the images "
                    + "(near-duplicate search) before calling this a leak");
        }
        if (unrecognised > 0) {
            warnings.add(unrecognised + " file names fit no known patient pattern; each is counted as its own patient");
        }
        if (near != null && near.pairsAcrossSplits() > 0) {
            warnings.add(near.pairsAcrossSplits() + " pairs of visually identical images of different files lie in "
                    + "different splits: a possible leak");
        }
        if (near != null && near.pairsWithinSplits() > 0) {
            warnings.add(near.pairsWithinSplits() + " pairs of visually identical images of different files lie "
                    + "within one split");
        }
        DatasetAudit audit = new DatasetAudit(records.size(), splits, duplicates, rejected, shared, unrecognised,
                near, warnings);
        LOG.info("audited {} images in {} s: {} duplicate groups, {} rejected, {} shared patient ids{}", records.size(),
                String.format("%.1f", (System.nanoTime() - start) / 1e9), duplicates.size(), rejected.size(),
                shared.size(), near == null ? "" : ", " + near.pairsAcrossSplits() + " near-duplicate pairs across splits, "
                        + near.pairsWithinSplits() + " within");
        return audit;
    }

    private static Map<Split, DatasetAudit.SplitCounts> splitCounts(Dataset dataset) {
        Map<Split, DatasetAudit.SplitCounts> splits = new EnumMap<>(Split.class);
        for (Split split : dataset.splits()) {
            List<ImageRecord> images = dataset.records(split);
            Map<Label, Integer> imagesPerLabel = new EnumMap<>(Label.class);
            Map<Label, Set<String>> patientsPerLabel = new EnumMap<>(Label.class);
            Set<String> patients = new HashSet<>();
            for (Label label : Label.values()) {
                imagesPerLabel.put(label, 0);
                patientsPerLabel.put(label, new HashSet<>());
            }
            for (ImageRecord image : images) {
                imagesPerLabel.merge(image.label(), 1, Integer::sum);
                patientsPerLabel.get(image.label()).add(image.patientId());
                patients.add(image.patientId());
            }
            Map<Label, Integer> patientCounts = new EnumMap<>(Label.class);
            patientsPerLabel.forEach((label, ids) -> patientCounts.put(label, ids.size()));
            splits.put(split, new DatasetAudit.SplitCounts(images.size(), imagesPerLabel, patients.size(), patientCounts));
        }
        return splits;
    }

    private static List<DatasetAudit.DuplicateGroup> duplicateGroups(List<ImageRecord> records) {
        Map<String, List<ImageRecord>> bySha = new LinkedHashMap<>();
        for (ImageRecord record : records) {
            bySha.computeIfAbsent(record.sha256(), sha -> new ArrayList<>()).add(record);
        }
        List<DatasetAudit.DuplicateGroup> groups = new ArrayList<>();
        bySha.forEach((sha, files) -> {
            if (files.size() > 1) {
                boolean across = files.stream().map(ImageRecord::split).distinct().count() > 1;
                groups.add(new DatasetAudit.DuplicateGroup(sha, files, across));
            }
        });
        return groups;
    }

    private static List<DatasetAudit.SharedPatientId> sharedPatientIds(List<ImageRecord> records) {
        Map<String, List<ImageRecord>> byPatient = new TreeMap<>();
        for (ImageRecord record : records) {
            byPatient.computeIfAbsent(record.patientId(), id -> new ArrayList<>()).add(record);
        }
        List<DatasetAudit.SharedPatientId> shared = new ArrayList<>();
        byPatient.forEach((id, files) -> {
            EnumSet<Split> splits = EnumSet.noneOf(Split.class);
            files.forEach(file -> splits.add(file.split()));
            if (splits.size() > 1) {
                shared.add(new DatasetAudit.SharedPatientId(id, new ArrayList<>(splits), files));
            }
        });
        return shared;
    }

    /** The hash and thumbnail of one distinct content, or why they could not be computed. */
    private record Hashed(ImageRecord record, long hash, Thumbnail thumbnail, String failure) {}

    private static DatasetAudit.NearDuplicateReport nearDuplicates(List<ImageRecord> records, AuditOptions options,
            ImageDecoder decoder, int parallelism, List<RejectedFile> rejected) {
        // decode each distinct content once: byte-identical files have the same hash
        Map<String, ImageRecord> firstBySha = new LinkedHashMap<>();
        for (ImageRecord record : records) {
            firstBySha.putIfAbsent(record.sha256(), record);
        }
        List<Hashed> hashed = ParallelWork.map(new ArrayList<>(firstBySha.values()),
                record -> hash(record, decoder), parallelism, "difference hashes and thumbnails");
        Map<String, Long> hashBySha = new HashMap<>();
        Map<String, Thumbnail> thumbnailBySha = new HashMap<>();
        Map<String, String> failureBySha = new HashMap<>();
        for (Hashed h : hashed) {
            if (h.failure() == null) {
                hashBySha.put(h.record().sha256(), h.hash());
                thumbnailBySha.put(h.record().sha256(), h.thumbnail());
            } else {
                failureBySha.put(h.record().sha256(), h.failure());
            }
        }
        // group the records by hash value, in record order
        Map<Long, List<ImageRecord>> byHash = new LinkedHashMap<>();
        Map<Path, Integer> index = new HashMap<>();
        int imagesHashed = 0;
        for (int i = 0; i < records.size(); i++) {
            ImageRecord record = records.get(i);
            index.put(record.path(), i);
            Long hash = hashBySha.get(record.sha256());
            if (hash == null) {
                rejected.add(new RejectedFile(record.path(),
                        "near-duplicate search could not decode it: " + failureBySha.get(record.sha256())));
                continue;
            }
            imagesHashed++;
            byHash.computeIfAbsent(hash, h -> new ArrayList<>()).add(record);
        }
        List<List<ImageRecord>> groups = new ArrayList<>(byHash.values());
        long[] distinct = byHash.keySet().stream().mapToLong(Long::longValue).toArray();

        int max = options.maxNearDuplicatePairs();
        PriorityQueue<DatasetAudit.NearDuplicatePair> best = new PriorityQueue<>(PAIR_ORDER.reversed());
        long[] counts = new long[3]; // within, across, candidates
        PairCollector collector = (a, b, distance) -> {
            if (a.sha256().equals(b.sha256())) {
                return; // byte-identical: reported as a duplicate group
            }
            counts[2]++;
            double correlation = thumbnailBySha.get(a.sha256()).correlation(thumbnailBySha.get(b.sha256()));
            if (correlation < options.minCorrelation()) {
                return;
            }
            boolean forward = index.get(a.path()) < index.get(b.path());
            ImageRecord first = forward ? a : b;
            ImageRecord second = forward ? b : a;
            boolean across = first.split() != second.split();
            counts[across ? 1 : 0]++;
            DatasetAudit.NearDuplicatePair pair = new DatasetAudit.NearDuplicatePair(first, second, distance, correlation, across,
                    first.patientId().equals(second.patientId()));
            if (max > 0 && (best.size() < max || PAIR_ORDER.compare(pair, best.peek()) < 0)) {
                best.add(pair);
                if (best.size() > max) {
                    best.poll();
                }
            }
        };
        for (List<ImageRecord> group : groups) {
            for (int x = 0; x < group.size(); x++) {
                for (int y = x + 1; y < group.size(); y++) {
                    collector.accept(group.get(x), group.get(y), 0);
                }
            }
        }
        NearDuplicateFinder.findPairs(distinct, options.hammingThreshold(), (i, j, distance) -> {
            for (ImageRecord a : groups.get(i)) {
                for (ImageRecord b : groups.get(j)) {
                    collector.accept(a, b, distance);
                }
            }
        });
        List<DatasetAudit.NearDuplicatePair> pairs = new ArrayList<>(best);
        pairs.sort(PAIR_ORDER);
        long total = counts[0] + counts[1];
        LOG.info("near-duplicate search: {} candidate pairs within {} bits, {} confirmed by thumbnail correlation >= {}",
                counts[2], options.hammingThreshold(), total, options.minCorrelation());
        return new DatasetAudit.NearDuplicateReport(options.hammingThreshold(), options.minCorrelation(), imagesHashed,
                counts[2], counts[0], counts[1], pairs, total > pairs.size());
    }

    private interface PairCollector {
        void accept(ImageRecord a, ImageRecord b, int distance);
    }

    private static Hashed hash(ImageRecord record, ImageDecoder decoder) {
        try {
            GrayImage gray = Grayscale.of(decoder.decode(record.path()));
            return new Hashed(record, DifferenceHash.of(gray), Thumbnail.of(gray), null);
        } catch (InvalidImageException e) {
            return new Hashed(record, 0L, null, FileVerifier.reasonOf(e));
        } catch (RuntimeException e) {
            return new Hashed(record, 0L, null, "decoder failed: " + e);
        }
    }
}
