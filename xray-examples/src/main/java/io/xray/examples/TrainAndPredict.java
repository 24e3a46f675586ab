package io.xray.examples;

import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.model.Classifier;
import io.xray.model.Evaluation;
import io.xray.model.Prediction;
import io.xray.train.FitResult;
import io.xray.train.ResNetFineTuner;
import io.xray.train.TrainingRecipe;
import java.nio.file.Path;

/**
 * The fluent API end to end: {@code Dataset} → {@code ResNetFineTuner} → {@code Classifier}.
 * Run it from the project folder: it trains on the shipped sample X-rays in a few minutes.
 */
public final class TrainAndPredict {

    private TrainAndPredict() {}

    /**
     * @param args optional: the chest_xray folder (default {@code sample-data/chest_xray}) and the
     *     output folder (default {@code runs/example})
     */
    public static void main(String[] args) {
        // README-BEGIN
        Path data = Path.of(args.length > 0 ? args[0] : "sample-data/chest_xray");
        Path output = Path.of(args.length > 1 ? args[1] : "runs/example");

        Dataset dataset = Dataset.fromDirectory(data).withValidationFromTrain(0.2, 42);

        ResNetFineTuner tuner = ResNetFineTuner.builder()
                .recipe(TrainingRecipe.quickstart())   // or defaults(), seedNotebook(), or your own
                .epochs(10)
                .outputDirectory(output)
                .build();
        FitResult result = tuner.fit(dataset);

        try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
            for (ImageRecord record : dataset.records(Split.TEST).subList(0, 3)) {
                Prediction p = classifier.predict(record.path());
                System.out.printf("%s %.3f (truth %s) %s%n", p.label(), p.probability(), record.label(), record.path());
            }
            Evaluation test = classifier.evaluate(dataset, Split.TEST);
            System.out.printf("test: F1 %.3f, ROC AUC %.3f, threshold %.3f%n", test.f1(), test.rocAuc(), test.threshold());
        }
        // README-END
    }
}
