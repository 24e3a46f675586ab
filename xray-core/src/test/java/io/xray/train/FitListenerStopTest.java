package io.xray.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.data.Dataset;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A listener that asks to stop ends the run after that epoch, and the checkpoint remembers it. */
class FitListenerStopTest {

    @TempDir
    Path temp;

    @Test
    void listenerAskingToStop_shouldEndTheRunThere_andAResumeShouldNotTrainOn() {
        Dataset dataset = Dataset.fromDirectory(SyntheticXrays.write(temp.resolve("data"), 6, 3, 5));
        List<Integer> asked = new ArrayList<>();
        FitListener stopAfterEpoch2 = new FitListener() {
            @Override
            public boolean stopAfter(EpochResult result) {
                asked.add(result.epoch());
                return result.epoch() == 2;
            }
        };
        ResNetFineTuner.Builder tuner = ResNetFineTunerFitTest.tiny(temp.resolve("run")).epochs(4).batchSize(6)
                .noAugmentation().progressEveryBatches(0);
        FitResult stopped = tuner.build().fit(dataset, stopAfterEpoch2);
        assertThat(asked).containsExactly(1, 2);
        assertThat(stopped.history()).hasSize(2);
        assertThat(stopped.stoppedEarly()).isTrue();

        List<Integer> resumedEpochs = new ArrayList<>();
        FitResult resumed = tuner.resume(true).build().fit(dataset, new FitListener() {
            @Override
            public void onEpoch(EpochResult result, String logLine) {
                resumedEpochs.add(result.epoch());
            }
        });
        assertThat(resumedEpochs).isEmpty();
        assertThat(resumed.history()).isEqualTo(stopped.history());
        assertThat(resumed.stoppedEarly()).isTrue();
    }
}
