package io.xray.examples;

import io.xray.predict.Deserializer;
import io.xray.predict.EndpointPrediction;
import io.xray.predict.EndpointPredictor;
import io.xray.predict.Serializer;
import io.xray.serve.ClassifierModel;
import io.xray.serve.ModelServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A model served over HTTP and called over HTTP: {@code ModelServer} speaks SageMaker's
 * {@code /ping} and {@code /invocations} contract on a loopback port, and {@code EndpointPredictor}
 * calls it the way a client calls a SageMaker endpoint. Run it from the project folder with a model
 * directory and JPEG images, such as {@code runs/example/model
 * sample-data/chest_xray/test/NORMAL/IM-0015-0001.jpeg}.
 */
public final class ServeAndCall {

    private ServeAndCall() {}

    /**
     * @param args the model directory, then one or more JPEG images
     * @throws IOException when an image cannot be read
     * @throws InterruptedException when interrupted while the model loads
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: ServeAndCall <model directory> <image.jpeg>...");
            System.exit(2);
        }
        run(Path.of(args[0]), Arrays.stream(args).skip(1).map(Path::of).toList(), System.out);
    }

    /**
     * Serves the model, sends each image, prints one line per image and stops the server.
     *
     * @param modelDirectory a model directory written by training
     * @param images JPEG images
     * @param out where the lines go
     * @throws IOException when an image cannot be read
     * @throws InterruptedException when interrupted while the model loads
     */
    static void run(Path modelDirectory, List<Path> images, PrintStream out) throws IOException, InterruptedException {
        // Port 0: the system chooses a free port; 127.0.0.1: reachable from this machine only.
        try (ModelServer server = ModelServer.builder()
                .modelLoader(() -> ClassifierModel.load(modelDirectory))
                .host("127.0.0.1")
                .port(0)
                .build()
                .start()) {
            if (!server.awaitReady(Duration.ofMinutes(1))) {
                throw new IllegalStateException("model not ready: " + server.loadFailure().orElse("timed out"));
            }
            URI invocations = URI.create("http://127.0.0.1:" + server.port() + "/invocations");

            try (EndpointPredictor<byte[], List<EndpointPrediction>> predictor = EndpointPredictor.builder()
                    .http(invocations)
                    .serializer(Serializer.jpeg())
                    .deserializer(Deserializer.json())
                    .build()) {
                for (Path image : images) {
                    EndpointPrediction p = predictor.predict(Files.readAllBytes(image)).get(0);
                    out.printf("%s %.3f (threshold %.3f, %s) %s%n",
                            p.label(), p.probability(), p.threshold(), p.modelId(), image);
                }
            }
        }
    }
}
