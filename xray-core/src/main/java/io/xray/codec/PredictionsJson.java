package io.xray.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.model.Prediction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The predictions body that the model server answers as {@code application/json} and that batch
 * scoring writes into each {@code .out} file:
 * {@code {"predictions":[{"label","probability","threshold","model_id"}, ...]}}, one entry per
 * image, in order.
 */
public final class PredictionsJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictionsJson() {}

    /**
     * @param predictions the images' predictions
     * @param modelId the id of the model that made them
     * @return the body, UTF-8
     */
    public static byte[] write(List<Prediction> predictions, String modelId) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("predictions");
        for (Prediction prediction : predictions) {
            ObjectNode entry = array.addObject();
            entry.put("label", prediction.label().name());
            entry.put("probability", prediction.probability());
            entry.put("threshold", prediction.threshold());
            entry.put("model_id", modelId);
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
