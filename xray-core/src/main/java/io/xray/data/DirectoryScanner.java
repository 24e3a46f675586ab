package io.xray.data;

import io.xray.XrayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the image files of the Kaggle layout {@code ROOT/{train,val,test}/{NORMAL,PNEUMONIA}/*}. */
final class DirectoryScanner {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryScanner.class);
    static final List<String> EXTENSIONS = List.of("jpeg", "jpg", "png");

    private DirectoryScanner() {}

    /**
     * @param root the data folder, absolute and normalised
     * @return every image file found, in no particular order
     * @throws XrayException if the folder is missing, is no folder, or holds no image
     */
    static List<Candidate> scan(Path root) {
        if (!Files.exists(root)) {
            throw new XrayException("data folder does not exist: " + root);
        }
        if (!Files.isDirectory(root)) {
            throw new XrayException("data folder is not a folder: " + root
                    + " (expected ROOT/{train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg; for a manifest use Dataset.fromManifest)");
        }
        List<Candidate> candidates = new ArrayList<>();
        int splitFolders = 0;
        for (Path splitDir : list(root)) {
            Split split = Files.isDirectory(splitDir) ? Split.parse(name(splitDir)) : null;
            if (split == null) {
                LOG.debug("ignoring {}: not a train, val or test folder", splitDir);
                continue;
            }
            splitFolders++;
            for (Path labelDir : list(splitDir)) {
                Label label = Files.isDirectory(labelDir) ? Label.parse(name(labelDir)) : null;
                if (label == null) {
                    LOG.debug("ignoring {}: not a NORMAL or PNEUMONIA folder", labelDir);
                    continue;
                }
                for (Path file : list(labelDir)) {
                    if (!isImageFile(file)) {
                        LOG.debug("ignoring {}: not a visible .jpeg, .jpg or .png file", file);
                        continue;
                    }
                    String fileName = name(file);
                    candidates.add(new Candidate(file, split, label, PatientIdParser.patientId(fileName), null));
                }
            }
        }
        if (splitFolders == 0) {
            throw new XrayException("no train, val or test folder in " + root
                    + " (expected ROOT/{train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg)");
        }
        if (candidates.isEmpty()) {
            throw new XrayException("no images (.jpeg, .jpg, .png) in " + root
                    + "/{train,val,test}/{NORMAL,PNEUMONIA}/");
        }
        return candidates;
    }

    /** @return whether the path is a regular, non-hidden file with an image extension */
    static boolean isImageFile(Path file) {
        String fileName = name(file);
        if (fileName.startsWith(".") || !Files.isRegularFile(file)) {
            return false;
        }
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String name(Path path) {
        Path fileName = path.getFileName();
        return fileName == null ? "" : fileName.toString();
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.sorted().toList();
        } catch (IOException e) {
            throw new XrayException("cannot list folder " + dir + ": " + e.getMessage(), e);
        }
    }
}
