package io.xray.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A model fixture checked in under {@code src/test/resources/io/xray/model/NAME/} (made by
 * {@link ModelFormatFixtures}), copied to a temporary folder so that no test can change it, with
 * what it answered when it was made ({@code expected.json}).
 *
 * @param root the copy's folder
 * @param expected the recorded answers
 */
record CheckedInModel(Path root, JsonNode expected) {

    /**
     * @param name the fixture's folder, such as {@code format-v1}
     * @param temp where to copy it
     * @return the copy
     */
    static CheckedInModel copy(String name, Path temp) {
        try {
            Path source = Path.of(CheckedInModel.class.getResource(name + "/expected.json").toURI()).getParent();
            Path root = temp.resolve(name);
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path target = root.resolve(source.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
            return new CheckedInModel(root, new ObjectMapper().readTree(root.resolve("expected.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the model folder inside the copy */
    Path modelDirectory() {
        return root.resolve(expected.path("modelDirectory").asText());
    }
}
