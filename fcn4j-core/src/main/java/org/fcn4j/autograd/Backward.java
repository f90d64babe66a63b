package org.fcn4j.autograd;

/**
 * Gradient rule of one recorded operation: receives dOut, the gradient of the loss with respect
 * to the operation's output (same length as the output), and adds the gradients of its inputs
 * into their gradient buffers ({@code input.gradBuffer()}), for the inputs that require one.
 */
@FunctionalInterface
public interface Backward {
    void apply(float[] dOut);
}
