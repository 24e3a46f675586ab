package io.xray.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.djl.Device;
import io.xray.internal.Network;
import org.junit.jupiter.api.Test;

/** Tests run with {@code ai.djl.offline=true}: the ImageNet backbone cannot be downloaded. */
class BackboneUnavailableExceptionTest {

    @Test
    void imagenetBackbone_offline_shouldThrowATypeACallerCanCatchWithTheBackboneAndTheReason() {
        BackboneUnavailableException e = catchThrowableOfType(BackboneUnavailableException.class,
                () -> Network.create(Backbone.imagenetResNet18(), Device.cpu(), 1));

        assertThat(e).as("a BackboneUnavailableException").isNotNull();
        assertThat(e.backbone()).isEqualTo(Backbone.imagenetResNet18());
        assertThat(e.reason()).isNotBlank();
        assertThat(e.getMessage()).as("the library's advice stays the library's")
                .contains("Backbone.torchScript", "Backbone.resNet18FromScratch");
    }
}
