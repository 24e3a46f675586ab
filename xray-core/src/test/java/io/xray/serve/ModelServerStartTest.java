package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.XrayException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Starting a server where it cannot listen. */
@Timeout(20)
class ModelServerStartTest {

    @Test
    void portAlreadyTaken_shouldThrowNamingHostAndPortAndLeaveTheServerClosed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            ModelServer server = ModelServer.builder().model(new MeanPixelModel()).host("127.0.0.1").port(port).build();

            assertThatThrownBy(server::start)
                    .isInstanceOf(XrayException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + ": ");
            server.close(); // harmless after a failed start
            assertThat(server.isReady()).isFalse();
        }
    }
}
