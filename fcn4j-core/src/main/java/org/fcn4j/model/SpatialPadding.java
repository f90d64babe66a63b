package org.fcn4j.model;

import org.fcn4j.nn.Functional;
import org.fcn4j.nn.PaddingMode;
import org.fcn4j.tensor.Tensor;

/**
 * Pads an (N, C, H, W) input so that H and W become multiples of {@code multiple}, and crops a
 * network output back to H x W, so that encoder-decoder networks accept any image size.
 * Reflection padding is used (no artificial edge), split evenly between the two sides; inputs too
 * small to reflect that much are padded by replicating the edge.
 */
final class SpatialPadding {
    private final int top;
    private final int bottom;
    private final int left;
    private final int right;
    private final int h;
    private final int w;

    SpatialPadding(int h, int w, int multiple) {
        int ph = (h + multiple - 1) / multiple * multiple - h;
        int pw = (w + multiple - 1) / multiple * multiple - w;
        this.top = ph / 2;
        this.bottom = ph - top;
        this.left = pw / 2;
        this.right = pw - left;
        this.h = h;
        this.w = w;
    }

    boolean needed() {
        return top + bottom + left + right > 0;
    }

    Tensor pad(Tensor x) {
        if (!needed()) {
            return x;
        }
        boolean reflect = Math.max(top, bottom) < h && Math.max(left, right) < w;
        return Functional.pad(x, top, bottom, left, right, reflect ? PaddingMode.REFLECT : PaddingMode.REPLICATE);
    }

    Tensor crop(Tensor y) {
        if (!needed()) {
            return y;
        }
        return y.slice(2, top, top + h).slice(3, left, left + w);
    }
}
