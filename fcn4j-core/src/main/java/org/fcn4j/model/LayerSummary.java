package org.fcn4j.model;

/**
 * One row of a model summary: a named block, its output shape for the given input and its number
 * of trainable parameters.
 */
public record LayerSummary(String name, String description, int[] outputShape, long parameters) {
}
