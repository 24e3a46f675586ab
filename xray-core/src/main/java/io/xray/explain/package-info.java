/**
 * Pictures of where a model looked: {@link io.xray.explain.HeatMap} (an attribution map at an
 * image's own resolution, projected back through the resize and centre crop the model saw),
 * {@link io.xray.explain.ColorMap} (viridis, perceptually uniform, computed) and
 * {@link io.xray.explain.Overlay} (the X-ray with the map in colour and a legend). The maps
 * themselves are computed by {@link io.xray.model.Classifier#explain(java.nio.file.Path)}.
 */
package io.xray.explain;
