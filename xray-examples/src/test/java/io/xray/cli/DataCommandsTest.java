package io.xray.cli;

import static io.xray.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code xray audit} and {@code xray split} on the sample X-rays shipped with the project. */
class DataCommandsTest {
    static final Path SAMPLE = Path.of("..", "sample-data", "chest_xray");

    @Test
    void auditJson_onSampleData_shouldCountEveryImageOfEachSplitAndClass() throws Exception {
        CliRun result = run("audit", "--data", SAMPLE.toString(), "--json");

        assertThat(result.status()).isZero();
        JsonNode audit = new ObjectMapper().readTree(result.out());
        assertThat(audit.path("images").asInt()).isEqualTo(360);
        assertThat(audit.path("splits").path("TRAIN").path("imagesPerLabel").path("NORMAL").asInt()).isEqualTo(140);
        assertThat(audit.path("splits").path("TRAIN").path("imagesPerLabel").path("PNEUMONIA").asInt()).isEqualTo(140);
        assertThat(audit.path("splits").path("TEST").path("images").asInt()).isEqualTo(80);
        assertThat(audit.path("rejected").size()).isZero();
        assertThat(audit.has("nearDuplicates")).isTrue();
    }

    @Test
    void split_onSampleData_shouldWriteManifestWithNoPatientOnBothSides(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("split.jsonl");
        CliRun result = run("split", "--data", SAMPLE.toString(), "--val-fraction", "0.2", "--seed", "7",
                "--out", manifest.toString());

        assertThat(result.status()).isZero();
        assertThat(result.out()).contains("val ").contains("wrote " + manifest);
        List<String> lines = Files.readAllLines(manifest);
        assertThat(lines).hasSize(360);
        ObjectMapper json = new ObjectMapper();
        Map<String, Set<String>> patientsBySplit = new HashMap<>();
        for (String line : lines) {
            JsonNode record = json.readTree(line);
            patientsBySplit.computeIfAbsent(record.get("split").asText(), s -> new HashSet<>())
                    .add(record.get("patient").asText());
        }
        assertThat(patientsBySplit.get("val")).isNotEmpty();
        assertThat(patientsBySplit.get("train")).doesNotContainAnyElementsOf(patientsBySplit.get("val"));
    }

    @Test
    void audit_ofMissingFolder_shouldExitTwoWithTheFolderNamed() {
        CliRun result = run("audit", "--data", "no/such/folder");

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("no/such/folder");
    }
}
