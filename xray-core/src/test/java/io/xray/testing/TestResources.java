package io.xray.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Fixture files committed under a module's {@code src/test/resources}. */
public final class TestResources {

    private TestResources() {}

    /**
     * @param path the fixture's absolute class-path name, such as {@code /io/xray/image/cmyk.jpg}
     * @return its bytes
     * @throws IllegalStateException naming the fixture when it is not on the class path
     */
    public static byte[] bytes(String path) {
        try (InputStream in = TestResources.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
