package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The train entrypoint in its own JVM, stopped with SIGTERM (as StopTrainingJob and a spot
 * interruption stop it) after its first checkpoint, then started again on the same /opt/ml tree.
 */
class ContainerStopAndResumeTest {

    static final int EPOCHS = 30;

    @Test
    @Timeout(180)
    void sigtermAfterFirstCheckpoint_shouldLeaveItAndTheRestartShouldFinishEveryEpoch(@TempDir Path root) throws Exception {
        OptMlTree.write(root, OptMlTree.tinyHyperparameters(EPOCHS));
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "-Djava.awt.headless=true", SageMakerContainer.class.getName(), "train", "--opt-ml", root.toString())
                .redirectErrorStream(true)
                .start();
        List<String> output = new CopyOnWriteArrayList<>();
        CountDownLatch firstEpoch = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    if (line.startsWith("Val_epoch 1:")) {
                        firstEpoch.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the child is gone
            }
        });
        reader.start();
        try {
            assertThat(firstEpoch.await(120, TimeUnit.SECONDS)).as(String.join("\n", output)).isTrue();
            // SIGTERM; through the handle, since Process.destroy() also closes the output we still read
            assertThat(child.toHandle().destroy()).isTrue();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        reader.join(10_000);

        String log = String.join("\n", output);
        assertThat(child.exitValue()).as(log).isEqualTo(143); // 128 + SIGTERM
        assertThat(log).contains("SIGTERM: stopping; the checkpoint of epoch ");
        JsonNode checkpoint = OptMlTree.JSON.readTree(root.resolve("checkpoints/checkpoint.json").toFile());
        int completed = checkpoint.get("epochsCompleted").asInt();
        assertThat(completed).as("epochs in the checkpoint left by SIGTERM").isBetween(1, EPOCHS - 1);
        assertThat(root.resolve("model/model.json")).doesNotExist();

        OptMlTree.Console console = new OptMlTree.Console();
        int status = SageMakerContainer.run(new String[] {"train", "--opt-ml", root.toString()}, Map.of(), console.stream, false);

        assertThat(status).as(console.text()).isZero();
        List<String> epochs = console.lines().stream().filter(l -> l.startsWith("Val_epoch ")).toList();
        assertThat(epochs).hasSize(EPOCHS - completed);
        for (int i = 0; i < epochs.size(); i++) {
            assertThat(epochs.get(i)).startsWith("Val_epoch " + (completed + 1 + i) + ": ");
        }
        assertThat(root.resolve("model/model.json")).isRegularFile();
        assertThat(OptMlTree.JSON.readTree(root.resolve("checkpoints/checkpoint.json").toFile()).get("epochsCompleted").asInt())
                .isEqualTo(EPOCHS);
    }
}
