package io.xray.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xray.XrayException;
import io.xray.backbone.Architecture;
import io.xray.internal.AtomicFiles;
import io.xray.internal.Network;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of checkpoints that a kill at any instant cannot tear.
 *
 * <p>After epoch N the trainer writes, each to a temporary file renamed atomically into place:
 * the weights ({@code epoch-000N-network.params}, or {@code -backbone.pt} and
 * {@code -head.params}), the optimiser state ({@code epoch-000N-optimizer.ndlist}), and last
 * {@code checkpoint.json}, which names those files and holds the epoch, the schedule position,
 * the best epoch and metric, the patience, the history and the debugger rules' state. That final
 * rename is the commit: a run killed before it resumes from epoch N - 1, whose files are still there,
 * and leftovers ({@code .tmp} files, files of an uncommitted epoch) are ignored and cleaned. Files
 * of epochs that are neither the last committed nor the best are deleted after each commit.
 */
final class CheckpointStore {

    static final String COMMIT_FILE = "checkpoint.json";

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Stages of a commit, for tests that simulate a kill in the middle of one. */
    enum Stage { WEIGHTS_WRITTEN, OPTIMIZER_WRITTEN, COMMITTED }

    /** Called at each stage of a commit; tests throw from it to simulate a kill. */
    interface Hook {
        Hook NONE = (stage, epoch) -> {};

        void at(Stage stage, int epoch);
    }

    private final Path directory;
    private final Hook hook;

    CheckpointStore(Path directory, Hook hook) {
        this.directory = directory;
        this.hook = hook == null ? Hook.NONE : hook;
    }

    Path directory() {
        return directory;
    }

    /** @return the last committed state, if any; stray temporary files are deleted first */
    Optional<CheckpointState> read() {
        int deleted = AtomicFiles.deleteTemporaryFiles(directory);
        if (deleted > 0) {
            LOG.info("Deleted {} temporary files of an interrupted checkpoint in {}", deleted, directory);
        }
        Path commit = directory.resolve(COMMIT_FILE);
        if (!Files.isRegularFile(commit)) {
            return Optional.empty();
        }
        try {
            JsonNode tree = JSON.readTree(commit.toFile());
            int format = tree.path("formatVersion").asInt(-1);
            if (format != CheckpointState.FORMAT_VERSION) {
                throw new XrayException(commit + ": checkpoint format " + format + " is not the one this xray writes ("
                        + CheckpointState.FORMAT_VERSION + "), so this run cannot be resumed; start it afresh"
                        + " without --resume (or in another output folder)");
            }
            return Optional.of(JSON.treeToValue(tree, CheckpointState.class));
        } catch (IOException e) {
            throw new XrayException(commit + ": not a readable checkpoint: " + e.getMessage()
                    + "; delete the checkpoint directory to start afresh", e);
        }
    }

    /** Deletes every checkpoint file, for a run that starts afresh in a used directory. */
    void clear() {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith("epoch-") || name.startsWith(COMMIT_FILE)) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new XrayException(directory + ": cannot clear old checkpoints: " + e.getMessage(), e);
        }
    }

    static String prefix(int epoch) {
        return String.format(Locale.ROOT, "epoch-%04d-", epoch);
    }

    /**
     * Writes an epoch's files, then commits the state that names them, then deletes files that no
     * committed state needs any more.
     *
     * @param epoch the epoch just completed
     * @param network its weights
     * @param optimizer its optimiser state
     * @param state the state to commit; its network and optimizer file fields are filled in here (and
     *     its best network, when this epoch is the best)
     * @return the committed state
     */
    CheckpointState commit(int epoch, Network network, StatefulOptimizer optimizer, CheckpointState state) {
        String prefix = prefix(epoch);
        Architecture saved = network.save(directory, prefix);
        hook.at(Stage.WEIGHTS_WRITTEN, epoch);
        String optimizerFile = prefix + "optimizer.ndlist";
        byte[] encoded = optimizer.stateArrays().encode();
        AtomicFiles.write(directory.resolve(optimizerFile), encoded);
        hook.at(Stage.OPTIMIZER_WRITTEN, epoch);
        CheckpointState committed = state.withFiles(saved, optimizerFile);
        try {
            AtomicFiles.write(directory.resolve(COMMIT_FILE), JSON.writeValueAsString(committed).getBytes(StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new XrayException("cannot serialise the checkpoint: " + e.getMessage(), e);
        }
        hook.at(Stage.COMMITTED, epoch);
        prune(committed);
        return committed;
    }

    /**
     * @param state a committed state
     * @param manager owns the arrays read
     * @return the optimiser state arrays it names
     */
    NDList readOptimizerState(CheckpointState state, NDManager manager) {
        Path file = directory.resolve(state.optimizerFile());
        try {
            return NDList.decode(manager, Files.readAllBytes(file));
        } catch (IOException | RuntimeException e) {
            throw new XrayException(file + ": cannot read the optimizer state: " + e.getMessage(), e);
        }
    }

    private void prune(CheckpointState committed) {
        Set<String> keep = new HashSet<>(committed.network().weightFiles().values());
        keep.add(committed.optimizerFile());
        if (committed.bestNetwork() != null) {
            keep.addAll(committed.bestNetwork().weightFiles().values());
        }
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith("epoch-") && !keep.contains(name)) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot delete old checkpoint files in {}: {}", directory, e.getMessage());
        }
    }
}
