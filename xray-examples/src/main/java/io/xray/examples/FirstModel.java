package io.xray.examples;

// README-BEGIN
import io.xray.data.Dataset;
import io.xray.model.Classifier;
import io.xray.model.Prediction;
import io.xray.train.FitResult;
import io.xray.train.ResNetFineTuner;
import java.nio.file.Path;

/** Trains a first model on a chest_xray folder and classifies one X-ray with it. */
public class FirstModel {
    public static void main(String[] args) {
        Path data = Path.of(args[0]);   // chest_xray/{train,test}/{NORMAL,PNEUMONIA}/*.jpeg
        Path out = Path.of(args[1]);    // the model is written to OUT/model
        Path xray = Path.of(args[2]);   // the image to classify

        Dataset dataset = Dataset.fromDirectory(data).withValidationFromTrain(0.2, 7);
        FitResult result = ResNetFineTuner.builder().epochs(2).outputDirectory(out).build().fit(dataset);

        try (Classifier classifier = Classifier.load(result.artifactDirectory())) {
            Prediction prediction = classifier.predict(xray);
            System.out.printf("%s (probability of pneumonia %.3f)%n", prediction.label(), prediction.probability());
        }
    }
}
// README-END
