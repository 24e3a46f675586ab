package io.xray.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A strided 1x1 convolution computed as a stride-1 convolution of every {@code stride}-th pixel:
 * the same function, parameters and output shape as {@link Conv2d} with that stride, reached by
 * another oneDNN kernel.
 *
 * <p>Why: the oneDNN in libtorch (3.7.1 in DJL's PyTorch 2.7.1, still so in 3.12) has a bug in the
 * weight gradient of a 1x1 convolution with a stride above 1 on a channels-last input with fewer
 * input channels than its vector block (16 on AVX-512, 8 on AVX2): it copies the strided input to
 * a per-thread workspace at offsets counted in 16-channel blocks but sized for the real channel
 * count, and writes past it. The process then dies in native code ({@code double free or
 * corruption}, {@code SIGSEGV}) with no Java exception, depending on the batch size, the thread
 * count and the image size. A from-scratch ResNet18 whose stage widths are below 16 has exactly
 * such convolutions in its downsampling shortcuts, and xray feeds images channels-last. With a
 * stride of 1 oneDNN takes no strided copy, so this block subsamples first ({@code x[:, :, ::s,
 * ::s]}, a view whose gradient PyTorch scatters back) and convolves with stride 1. See
 * {@code tools/onednn_1x1_repro.py} for the reproduction and the map of crashing shapes; upstream
 * it is uxlfoundation/oneDNN issue 6035 (open when this was written). Drop this class once the
 * libtorch DJL loads has a oneDNN with the fix and that script survives.
 *
 * <p>The block is a {@link Conv2d} with the asked stride as far as anything else can tell: its
 * parameters are saved and loaded the same way, {@link #getStride()} reports the stride, and
 * {@link FoldedResNet} folds it like any other convolution (evaluation's forward-only path, which
 * the bug does not touch, keeps the strided convolution).
 */
final class SubsamplingConv2d extends Conv2d {

    /**
     * Strided 1x1 convolutions with at least this many input channels go to oneDNN as they are: the
     * widest vector block of a float32 1x1 convolution (AVX-512's) is 16 channels.
     */
    static final int SAFE_INPUT_CHANNELS = 16;

    private SubsamplingConv2d(Conv2d.Builder builder) {
        super(builder);
    }

    /**
     * A 1x1 convolution without bias, subsampling first when its input is narrower than
     * {@value #SAFE_INPUT_CHANNELS} channels and its stride above 1, else a plain {@link Conv2d}.
     *
     * @param inputChannels the input's channels
     * @param filters the output's channels
     * @param stride the stride, both ways
     * @return the block
     */
    static Block pointwise(int inputChannels, int filters, int stride) {
        Conv2d.Builder builder = Conv2d.builder()
                .setKernelShape(new Shape(1, 1))
                .setFilters(filters)
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(0, 0))
                .optBias(false);
        return needsSubsampling(inputChannels, stride) ? new SubsamplingConv2d(builder) : builder.build();
    }

    /**
     * @param inputChannels the input's channels
     * @param stride the stride of a 1x1 convolution
     * @return true when oneDNN's strided 1x1 weight gradient would be unsafe for them
     */
    static boolean needsSubsampling(int inputChannels, int stride) {
        return stride > 1 && inputChannels < SAFE_INPUT_CHANNELS;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        NDArray sampled = input.get(new NDIndex(":, :, ::{}, ::{}", stride.get(0), stride.get(1)));
        NDArray w = parameterStore.getValue(weight, input.getDevice(), training);
        NDArray b = bias == null ? null : parameterStore.getValue(bias, input.getDevice(), training);
        return Conv2d.conv2d(sampled, w, b, new Shape(1, 1), padding, dilation, groups);
    }
}
