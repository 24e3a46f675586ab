package io.xray.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.xray.XrayException;
import io.xray.internal.TorchScriptArchive.ElementType;
import io.xray.internal.TorchScriptArchive.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link FoldedResNet} written out by xray as a TorchScript module and loaded back into the
 * engine, so that its convolutions can run in bfloat16: DJL 0.36's PyTorch engine aborts the
 * process on any bfloat16 array made from Java ({@code toType}, {@code zeros}, {@code create};
 * its native side has no case for the type), but a TorchScript graph may cast inside itself. The
 * module stores the folded convolution weights and biases in the chosen element type, laid out
 * channels-last, casts the (channels-last, float32) images to that type on entry, runs the
 * convolutions, max pool, ReLUs and residual additions in it, and casts back to float32 before the
 * global average pool and the float32 linear head. Written with {@link TorchScriptArchive}: no
 * Python is needed.
 */
final class ScriptedResNet implements AutoCloseable {

    static final String CLASS_NAME = "XrayFoldedResNet18";

    private final NDManager manager;
    private final PtSymbolBlock module;

    private ScriptedResNet(NDManager manager, PtSymbolBlock module) {
        this.manager = manager;
        this.module = module;
    }

    /**
     * Writes the folded network as a TorchScript module and loads it.
     *
     * @param folded the folded network; not closed
     * @param type the element type of the convolutions
     * @param parent the manager under which the module is kept (the PyTorch engine's)
     * @return the loaded module
     */
    static ScriptedResNet load(FoldedResNet folded, ElementType type, NDManager parent) {
        byte[] archive = archive(folded, type);
        NDManager manager = parent.newSubManager();
        if (!(manager instanceof PtNDManager ptManager)) {
            manager.close();
            throw new XrayException("reduced-precision inference needs the PyTorch engine, not " + manager.getEngine().getEngineName());
        }
        try {
            PtSymbolBlock module = JniUtils.loadModule(ptManager, new ByteArrayInputStream(archive), true, false);
            JniUtils.enableInferenceMode(module);
            return new ScriptedResNet(manager, module);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw new XrayException("could not load the " + type + " TorchScript network xray wrote: " + e.getMessage(), e);
        }
    }

    /** @return the TorchScript archive of the folded network with convolutions in {@code type} */
    static byte[] archive(FoldedResNet folded, ElementType type) {
        Map<String, Tensor> attributes = new LinkedHashMap<>();
        StringBuilder body = new StringBuilder();
        String dtype = type == ElementType.BFLOAT16 ? "15" : "6";
        body.append("    x = torch.to(x0, ").append(dtype).append(")\n");
        body.append("    x = torch.").append(conv("stem", folded.stem(), "x", attributes, type)).append('\n');
        // Max-pooling then ReLU, as FoldedResNet does: the same values on a quarter of the array.
        body.append("    x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1], [1, 1], False)\n");
        body.append("    x = torch.relu_(x)\n");
        int index = 0;
        for (FoldedResNet.BasicBlock block : folded.blocks()) {
            String name = "block" + index++;
            body.append("    y = torch.").append(conv(name + "_a", block.first(), "x", attributes, type)).append('\n');
            body.append("    y = torch.relu_(y)\n");
            body.append("    y = torch.").append(conv(name + "_b", block.second(), "y", attributes, type)).append('\n');
            if (block.shortcut() != null) {
                body.append("    s = torch.").append(conv(name + "_down", block.shortcut(), "x", attributes, type)).append('\n');
                body.append("    y = torch.add_(y, s)\n");
            } else {
                body.append("    y = torch.add_(y, x)\n");
            }
            body.append("    x = torch.relu_(y)\n");
        }
        body.append("    f = torch.to(x, 6)\n");
        body.append("    f = torch.adaptive_avg_pool2d(f, [1, 1])\n");
        body.append("    f = torch.flatten(f, 1)\n");
        attributes.put("head_weight", tensor(folded.headWeight(), ElementType.FLOAT, false));
        attributes.put("head_bias", tensor(folded.headBias(), ElementType.FLOAT, false));
        body.append("    logits = torch.linear(f, self.head_weight, self.head_bias)\n");
        body.append("    return torch.reshape(logits, [-1])\n");

        StringBuilder source = new StringBuilder();
        source.append("class ").append(CLASS_NAME).append("(Module):\n");
        source.append("  __parameters__ = []\n");
        source.append("  __buffers__ = []\n");
        source.append("  training : bool\n");
        source.append("  _is_full_backward_hook : Optional[bool]\n");
        for (String attribute : attributes.keySet()) {
            source.append("  ").append(attribute).append(" : Tensor\n");
        }
        source.append("  def forward(self: __torch__.").append(CLASS_NAME).append(",\n");
        source.append("    x0: Tensor) -> Tensor:\n");
        source.append(body);
        return TorchScriptArchive.toBytes("xray_folded_resnet18", CLASS_NAME, source.toString(), attributes);
    }

    /** Adds a convolution's weight and bias as attributes and returns its call (after "torch."). */
    private static String conv(String name, FoldedResNet.Conv conv, String input, Map<String, Tensor> attributes,
            ElementType type) {
        attributes.put(name + "_weight", tensor(conv.weight(), type, true));
        attributes.put(name + "_bias", tensor(conv.bias(), type, false));
        return "conv2d(" + input + ", self." + name + "_weight, self." + name + "_bias, " + list(conv.stride()) + ", "
                + list(conv.padding()) + ", [1, 1])";
    }

    private static String list(Shape shape) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < shape.dimension(); i++) {
            s.append(i == 0 ? "" : ", ").append(shape.get(i));
        }
        return s.append(']').toString();
    }

    private static Tensor tensor(NDArray array, ElementType type, boolean channelsLast) {
        return Tensor.of(array.toFloatArray(), type, array.getShape().getShape(), channelsLast);
    }

    /**
     * @param images {@code (N, 3, H, W)} float32, channels-last or not; not closed
     * @return the logits, shape {@code (N)}, float32, attached to the images' manager
     */
    NDArray logits(NDArray images) {
        NDList out = module.forward(new ParameterStore(images.getManager(), false), new NDList(images), false);
        NDArray logits = out.singletonOrThrow();
        logits.attach(images.getManager());
        return logits;
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
