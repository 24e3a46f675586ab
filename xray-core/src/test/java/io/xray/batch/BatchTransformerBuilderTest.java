package io.xray.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.xray.InvalidConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation of {@link BatchTransformer.Builder}: every bad value is refused, naming its field. */
class BatchTransformerBuilderTest {

    @TempDir
    Path temp;

    private Path model;
    private Path input;

    @BeforeEach
    void folders() throws Exception {
        model = Files.createDirectories(temp.resolve("model"));
        Files.writeString(model.resolve("model.json"), "{}");
        input = Files.createDirectories(temp.resolve("in"));
    }

    private BatchTransformer.Builder valid() {
        return BatchTransformer.builder().modelDirectory(model).input(input).output(temp.resolve("out"));
    }

    private String fieldOf(UnaryOperator<BatchTransformer.Builder> change) {
        InvalidConfigurationException e =
                catchThrowableOfType(InvalidConfigurationException.class, () -> change.apply(valid()).build());
        assertThat(e).as("expected an InvalidConfigurationException").isNotNull();
        assertThat(e.getMessage()).startsWith(e.field() + ": ");
        return e.field();
    }

    @Test
    void validConfiguration_shouldBuildWithDefaultsAndKeepThemInToBuilder() {
        BatchTransformer transformer = valid().build();

        assertThat(transformer.threads()).isEqualTo(BatchTransformer.DEFAULT_THREADS);
        assertThat(transformer.batchSize()).isEqualTo(BatchTransformer.DEFAULT_BATCH_SIZE);
        assertThat(transformer.output()).isAbsolute();
        assertThat(transformer.modelDirectory()).contains(model.toAbsolutePath());
        BatchTransformer copy = transformer.toBuilder().threads(3).build();
        assertThat(copy.threads()).isEqualTo(3);
        assertThat(copy.output()).isEqualTo(transformer.output());
        assertThat(transformer.threads()).isEqualTo(BatchTransformer.DEFAULT_THREADS);
    }

    @Test
    void missingOrBadModel_shouldNameModel() throws Exception {
        assertThat(fieldOf(b -> b.modelDirectory(null))).isEqualTo("model");
        assertThat(fieldOf(b -> b.modelDirectory(input))).isEqualTo("model");
    }

    @Test
    void missingOrNonexistentInput_shouldNameInput() {
        assertThat(fieldOf(b -> b.input((Path) null))).isEqualTo("input");
        assertThat(fieldOf(b -> b.input(temp.resolve("no-such-folder")))).isEqualTo("input");
    }

    @Test
    void missingOutput_orOutputInsideTheInputOrAFile_shouldNameOutput() throws Exception {
        assertThat(fieldOf(b -> b.output(null))).isEqualTo("output");
        assertThat(fieldOf(b -> b.output(input))).isEqualTo("output");
        assertThat(fieldOf(b -> b.output(input.resolve("results")))).isEqualTo("output");
        Path file = Files.writeString(temp.resolve("file.txt"), "x");
        assertThat(fieldOf(b -> b.output(file))).isEqualTo("output");
    }

    @Test
    void outOfRangeNumbersAndNulls_shouldNameTheirField() {
        assertThat(fieldOf(b -> b.threads(0))).isEqualTo("threads");
        assertThat(fieldOf(b -> b.batchSize(0))).isEqualTo("batchSize");
        assertThat(fieldOf(b -> b.batchSize(BatchTransformer.MAX_BATCH_SIZE + 1))).isEqualTo("batchSize");
        assertThat(fieldOf(b -> b.progressEvery(0))).isEqualTo("progressEvery");
        assertThat(fieldOf(b -> b.progressInterval(Duration.ZERO))).isEqualTo("progressInterval");
        assertThat(fieldOf(b -> b.progressInterval(null))).isEqualTo("progressInterval");
        assertThat(fieldOf(b -> b.decoder(null))).isEqualTo("decoder");
        assertThat(fieldOf(b -> b.modelId(" "))).isEqualTo("modelId");
    }
}
