package io.xray.cli;

import io.xray.XrayException;
import io.xray.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns the {@code --data} argument of the commands into a {@link Dataset}. */
final class DataSources {
    private DataSources() {}

    /**
     * @param data a {@code chest_xray} folder in the Kaggle layout, or a JSON Lines manifest file
     * @return the dataset it describes
     */
    static Dataset load(Path data) {
        if (Files.isDirectory(data)) {
            return Dataset.fromDirectory(data);
        }
        if (Files.isRegularFile(data)) {
            return Dataset.fromManifest(data);
        }
        throw new XrayException("--data " + data + ": no such folder or manifest file");
    }
}
