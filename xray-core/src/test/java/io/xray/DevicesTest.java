package io.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.xray.internal.Network;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Devices}: every accepted and refused spelling of a device, and the automatic choice. */
class DevicesTest {

    @ParameterizedTest
    @ValueSource(strings = {"auto", "AUTO", " Auto "})
    void auto_shouldBeEmpty(String spelling) {
        assertThat(Devices.parse(spelling)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "CPU", " cpu "})
    void cpu_shouldBeTheCpu(String spelling) {
        assertThat(Devices.parse(spelling)).contains(Device.cpu());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu", "GPU", "gpu:0", "Gpu:0", " gpu:00 "})
    void gpuOrGpuZero_shouldBeTheFirstGpu(String spelling) {
        assertThat(Devices.parse(spelling)).contains(Device.gpu(0));
    }

    @Test
    void gpuWithANumber_shouldBeThatGpu() {
        assertThat(Devices.parse("gpu:1")).contains(Device.gpu(1));
        assertThat(Devices.parse("gpu:7")).map(Device::getDeviceId).isEqualTo(Optional.of(7));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", " ", "tpu", "cuda", "gpu:", "gpu:-1", "gpu:x", "gpu:1.5", "gpu:99999", "gpu 1", "gpu0",
        "cpu:0", "automatic", "mps"})
    void otherSpellings_shouldBeRefusedNamingTheDeviceField(String spelling) {
        assertThatThrownBy(() -> Devices.parse(spelling))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.field()).isEqualTo("device"))
                .hasMessageContaining("expected auto, cpu, gpu or gpu:N");
    }

    @Test
    void automatic_shouldBeTheFirstGpuWhenTheEngineSeesOneElseTheCpu() {
        Device expected = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();

        assertThat(Devices.automatic()).isEqualTo(expected);
        assertThat(Network.defaultDevice()).isEqualTo(expected);
    }
}
