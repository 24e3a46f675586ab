package io.xray.tools;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Feasibility probe for bfloat16 NDArrays in DJL's PyTorch engine (issue 16). Run one probe per
 * JVM, since a failing one may abort the process: {@code java -cp ... io.xray.tools.Bf16Probe toType|zeros|create|ops}.
 */
public final class Bf16Probe {
    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "toType";
        System.out.println("engine " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        try (NDManager m = NDManager.newBaseManager()) {
            switch (which) {
                case "toType" -> {
                    NDArray a = m.create(new float[] {1.5f, -2.25f, 3.0f});
                    System.out.println("created fp32");
                    NDArray b = a.toType(DataType.BFLOAT16, false);
                    System.out.println("toType ok: " + b.getDataType() + " " + b.getShape());
                    NDArray c = b.toType(DataType.FLOAT32, false);
                    System.out.println("back: " + Arrays.toString(c.toFloatArray()));
                    System.out.println("toString: " + b);
                }
                case "zeros" -> {
                    NDArray z = m.zeros(new Shape(2, 3), DataType.BFLOAT16);
                    System.out.println("zeros ok: " + z.getDataType() + " " + z.getShape());
                    System.out.println("back: " + Arrays.toString(z.toType(DataType.FLOAT32, false).toFloatArray()));
                }
                case "create" -> {
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(6).order(java.nio.ByteOrder.nativeOrder());
                    buf.putShort((short) 0x3fc0).putShort((short) 0xc010).putShort((short) 0x4040).flip();
                    NDArray c = m.create(buf, new Shape(3), DataType.BFLOAT16);
                    System.out.println("create ok: " + c.getDataType());
                    System.out.println("back: " + Arrays.toString(c.toType(DataType.FLOAT32, false).toFloatArray()));
                }
                case "ops" -> {
                    NDArray x = m.randomNormal(new Shape(2, 8, 16, 16)).toType(DataType.BFLOAT16, false);
                    NDArray w = m.randomNormal(new Shape(4, 8, 3, 3)).toType(DataType.BFLOAT16, false);
                    NDArray bias = m.zeros(new Shape(4)).toType(DataType.BFLOAT16, false);
                    NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(x, w, bias, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
                    System.out.println("conv2d ok: " + y.getDataType() + " " + y.getShape());
                    y = ai.djl.nn.Activation.relu(y);
                    System.out.println("relu ok");
                    y = ai.djl.nn.pooling.Pool.maxPool2d(y, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
                    System.out.println("maxpool ok " + y.getShape());
                    y = ai.djl.nn.pooling.Pool.globalAvgPool2d(y).reshape(2, -1);
                    System.out.println("avgpool ok " + y.getShape());
                    NDArray hw = m.randomNormal(new Shape(1, 4)).toType(DataType.BFLOAT16, false);
                    NDArray out = ai.djl.nn.core.Linear.linear(y, hw, m.zeros(new Shape(1)).toType(DataType.BFLOAT16, false)).singletonOrThrow();
                    System.out.println("linear ok " + out.getDataType() + " " + Arrays.toString(out.toType(DataType.FLOAT32, false).toFloatArray()));
                }
                default -> throw new IllegalArgumentException(which);
            }
        }
    }
}
