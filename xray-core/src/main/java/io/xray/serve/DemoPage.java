package io.xray.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.XrayException;
import io.xray.model.ModelArtifact;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The demo page's two routes: {@value #PAGE}, one HTML file with its script inline, read from the
 * jar; and {@value #MODEL}, the model's id, threshold and {@code model.json}.
 */
final class DemoPage {

    static final String PAGE = "/";
    static final String MODEL = "/model";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCE = "demo.html";
    private static volatile byte[] html;

    private DemoPage() {}

    /** @return the page, read once from the jar */
    static byte[] html() {
        byte[] page = html;
        if (page == null) {
            try (InputStream in = DemoPage.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new XrayException("the demo page " + RESOURCE + " is missing from the jar");
                }
                page = in.readAllBytes();
            } catch (IOException e) {
                throw new XrayException("cannot read the demo page: " + e.getMessage(), e);
            }
            html = page;
        }
        return page;
    }

    /** @return {@code {"model_id", "threshold", "artifact": model.json or null}} */
    static byte[] modelJson(InferenceModel model) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model_id", model.modelId());
        body.put("threshold", model.threshold());
        try {
            if (model.artifact().isPresent()) {
                ModelArtifact artifact = model.artifact().get();
                body.set("artifact", JSON.readTree(artifact.toJson()));
            } else {
                body.putNull("artifact");
            }
        } catch (IOException e) {
            throw new XrayException("cannot describe the model: " + e.getMessage(), e);
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
