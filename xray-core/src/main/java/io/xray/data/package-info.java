/**
 * Chest X-ray data sets: reading the Kaggle folder layout or a manifest, auditing it, splitting it
 * by patient, and balancing its classes.
 *
 * <p>The entry point is {@link io.xray.data.Dataset}, an immutable value:
 *
 * <pre>{@code
 * Dataset data = Dataset.fromDirectory(Path.of("chest_xray"));   // hashes and decodes every file
 * DatasetAudit audit = data.audit(AuditOptions.builder().nearDuplicates(true).build());
 * Dataset split = data.withValidationFromTrain(0.1, 42);          // grouped by patient, stratified
 * split.writeManifest(Path.of("runs/split.jsonl"));
 * ClassBalance balance = split.classBalance(Split.TRAIN);
 * }</pre>
 *
 * <p>Every image is an {@link io.xray.data.ImageRecord}: its file, split, label, patient and
 * SHA-256. Files that cannot be decoded are never fatal: they are listed as
 * {@link io.xray.data.RejectedFile}s and left out of every split. Splits are made by
 * {@link io.xray.data.PatientGroupedSplitter}, which never puts one patient on both sides.
 */
package io.xray.data;
