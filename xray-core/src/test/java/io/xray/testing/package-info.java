/**
 * Test support shared by the test suites of every module: small images built in memory
 * ({@link io.xray.testing.TestImages}), committed fixture files ({@link io.xray.testing.TestResources}),
 * learnable synthetic chest X-rays in the Kaggle layout ({@link io.xray.testing.SyntheticXrays}) and
 * one tiny model trained on them once per JVM ({@link io.xray.testing.TinyModels}).
 *
 * <p>It lives in {@code xray-core}'s test sources and reaches the other modules as
 * {@code xray-core}'s test jar (a {@code test-jar} dependency in test scope); it is not part of the
 * library.
 */
package io.xray.testing;
