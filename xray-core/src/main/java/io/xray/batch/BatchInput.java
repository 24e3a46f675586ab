package io.xray.batch;

import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Label;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One input of a batch job: the image file, its name relative to the job's input root (with
 * {@code /} separators, as an S3 key below the input prefix), and its true label when known.
 */
record BatchInput(Path file, String name, Label label) {

    /** File extensions (lower case) that a folder scan treats as images; everything else is ignored. */
    static final List<String> IMAGE_EXTENSIONS = List.of("jpeg", "jpg", "png", "bmp", "gif", "tif", "tiff");

    /**
     * Lists every image under a folder, recursively, skipping hidden files and folders. An image
     * whose parent folder is named {@code NORMAL} or {@code PNEUMONIA} (any case) gets that label,
     * so the Kaggle {@code chest_xray} layout is labelled.
     *
     * @param root the folder
     * @return the inputs sorted by name
     */
    static List<BatchInput> scanFolder(Path root) {
        Path base = root.toAbsolutePath().normalize();
        List<BatchInput> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(base, FileVisitOption.FOLLOW_LINKS)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = base.relativize(file);
                if (!Files.isRegularFile(file) || isHidden(relative) || !hasImageExtension(file)) {
                    continue;
                }
                inputs.add(new BatchInput(file, name(relative), labelOfFolder(file.getParent())));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new XrayException("cannot list input folder " + base + ": " + e.getMessage(), e);
        }
        return sorted(inputs);
    }

    /**
     * Lists a data set's images with their labels, named relative to {@code root} or, when some
     * image lies outside it (or root is null), relative to the deepest folder that holds them all.
     *
     * @param dataset the data set
     * @param root the preferred folder to name the images against, may be null
     * @return the inputs sorted by name
     */
    static List<BatchInput> ofDataset(Dataset dataset, Path root) {
        List<ImageRecord> records = dataset.records();
        if (records.isEmpty()) {
            return List.of();
        }
        Path preferred = root == null ? null : root.toAbsolutePath().normalize();
        List<Path> files = records.stream().map(r -> r.path().toAbsolutePath().normalize()).toList();
        Path base = preferred != null && files.stream().allMatch(f -> f.startsWith(preferred) && !f.equals(preferred))
                ? preferred
                : commonFolder(files);
        List<BatchInput> inputs = new ArrayList<>(records.size());
        Set<Path> seen = new HashSet<>();
        for (int i = 0; i < records.size(); i++) {
            Path file = files.get(i);
            if (seen.add(file)) {
                inputs.add(new BatchInput(file, name(base.relativize(file)), records.get(i).label()));
            }
        }
        return sorted(inputs);
    }

    private static Path commonFolder(List<Path> files) {
        Path common = files.get(0).getParent();
        for (Path file : files) {
            while (!file.startsWith(common)) {
                common = common.getParent();
            }
        }
        return common;
    }

    private static List<BatchInput> sorted(List<BatchInput> inputs) {
        inputs.sort(Comparator.comparing(BatchInput::name));
        return List.copyOf(inputs);
    }

    private static String name(Path relative) {
        List<String> parts = new ArrayList<>();
        for (Path part : relative) {
            parts.add(part.toString());
        }
        return String.join("/", parts);
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    static boolean hasImageExtension(Path file) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static Label labelOfFolder(Path folder) {
        if (folder == null || folder.getFileName() == null) {
            return null;
        }
        String name = folder.getFileName().toString().toUpperCase(Locale.ROOT);
        for (Label label : Label.values()) {
            if (label.name().equals(name)) {
                return label;
            }
        }
        return null;
    }
}
