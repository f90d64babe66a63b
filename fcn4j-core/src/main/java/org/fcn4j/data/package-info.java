/**
 * Datasets, loading, augmentation and normalisation.
 *
 * <p>A training loop uses these types:
 * <pre>{@code
 * Dataset train = Datasets.open("fashion-scenes", "train", seed);      // or new VocDataset(root, "train")
 * Dataset val = Datasets.open("fashion-scenes", "val", seed);
 * Normalizer norm = Normalizer.fit(train, Normalizer.Mode.STANDARD);  // training split only
 * DataLoader.Options opts = DataLoader.Options.of(32).shuffled(seed).withWorkers(2)
 *         .withTransform(Transforms.horizontalFlip(0.5)).withInputNormalizer(norm);
 * try (DataLoader loader = new DataLoader(train, opts)) {
 *     for (Batch b : loader.epoch(epoch)) {   // loader.epoch(epoch, batch) resumes mid-epoch
 *         Tensor x = b.inputs();              // (N, C, H, W)
 *         Tensor y = b.targets();             // (N, H, W) class indices, or (N, C_t, H, W) fields
 *     }
 * }
 * modelMetadata.putAll(norm.toMap());          // Normalizer.fromMap(...) at evaluation time
 * }</pre>
 *
 * <p>Reproducibility: the order of epoch e is a function of (seed, e), and augmentation of sample
 * i in epoch e draws from (seed, e, i), so batches do not depend on the loader thread count and a
 * resumed run receives the same batches. Built-in datasets are generated lazily and deterministically
 * from their seed. File formats (PNG, JPEG, .npy, .npz, IDX) are in {@link org.fcn4j.io}.
 */
package org.fcn4j.data;
