/**
 * xray: train, tune, serve and batch-score chest X-ray pneumonia classifiers from Java.
 *
 * <p>The sub-packages follow the flow of data: {@code data} (datasets, audit, splits),
 * {@code image} (safe decoding and the one {@code Preprocessing}), {@code metrics}, {@code train},
 * {@code model}. This package holds the exception types that every part throws and
 * {@link io.xray.Devices}, the spelling of a device; it depends on no other xray package.
 */
package io.xray;
