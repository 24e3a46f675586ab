package io.xray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Runs {@code xray bench} with tiny shapes: the output contract, not the speed. */
class BenchCommandTest {

    private record Result(int status, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\\R");
            return lines[lines.length - 1];
        }
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = XrayCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void benchTrain_shouldEndWithImagesPerSecond() {
        Result result = run("bench", "train", "--size", "32", "--batch", "2", "--steps", "2", "--warmup", "1");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.lastLine()).matches("images_per_second=\\d+\\.\\d");
        assertThat(result.out()).contains("bench train: scratch (adamw");
    }

    @Test
    void benchTrainWithDebuggerAndProfiler_shouldRunThemAndStillEndWithImagesPerSecond() {
        Result result = run("bench", "train", "--size", "32", "--batch", "2", "--steps", "2", "--warmup", "1",
                "--debugger", "--profiler");
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.lastLine()).matches("images_per_second=\\d+\\.\\d");
    }

    @Test
    void benchInferJson_shouldReportMedianAndSteadiness() throws Exception {
        // The engine's own thread count, so that the other tests of this JVM keep theirs.
        ai.djl.engine.Engine.getEngine("PyTorch");
        int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        Result result;
        try {
            result = run("bench", "infer", "--size", "32", "--batch", "2", "--steps", "100", "--warmup", "1",
                    "--threads", Integer.toString(threads), "--json");
        } finally {
            System.clearProperty("ai.djl.pytorch.num_threads");
        }
        assertThat(result.status()).as(result.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.get("mode").asText()).isEqualTo("infer");
        assertThat(json.get("imagesPerSecond").asDouble()).isPositive();
        assertThat(json.get("msPerStepMedian").asDouble()).isPositive();
        assertThat(json.get("msPerStep")).hasSize(100);
        assertThat(json.get("firstBatchesImagesPerSecond").asDouble()).isPositive();
        assertThat(json.get("lastBatchesImagesPerSecond").asDouble()).isPositive();
        assertThat(json.get("intraOpThreads").asInt()).isEqualTo(threads);
    }

    @Test
    void benchPipeline_onTheSamples_shouldReportTheCacheAndTheRate() {
        Result result = run("bench", "pipeline", "--size", "64", "--batch", "8", "--steps", "5",
                "--data", DataCommandsTest.SAMPLE.toString());
        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).contains("decode-once cache: 360 images");
        assertThat(result.lastLine()).matches("images_per_second=\\d+\\.\\d");
    }

    @Test
    void benchInferInBf16_shouldNameThePrecisionItRan() {
        Result result = run("bench", "infer", "--size", "32", "--batch", "2", "--steps", "2", "--warmup", "1",
                "--precision", "bf16");
        assertThat(result.status()).as(result.err()).isZero();
        // bf16 where this CPU computes it natively, otherwise fp32 with the reason.
        assertThat(result.out()).containsAnyOf("RESNET18_SCRATCH, bf16)", "RESNET18_SCRATCH, fp32: this CPU has no native");
        assertThat(result.out()).contains("process CPU time:");
        assertThat(result.lastLine()).matches("images_per_second=\\d+\\.\\d");
    }

    @Test
    void serveInBf16WithoutGuardData_shouldAskForItOrTheOptOut() {
        CliRun result = CliRun.run("serve", "--model", "no-such-model", "--precision", "bf16");
        assertThat(result.status()).isNotZero();
        assertThat(result.err()).contains("--guard-data", "--no-precision-guard");
    }

    @Test
    void benchWithAnUnknownMode_shouldSayWhatIsExpected() {
        Result result = run("bench", "fly");
        assertThat(result.status()).isEqualTo(XrayCli.EXIT_USAGE);
        assertThat(result.err()).contains("expected train, infer or pipeline");
    }
}
