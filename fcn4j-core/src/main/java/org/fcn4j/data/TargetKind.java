package org.fcn4j.data;

/** The kind of a dataset's targets: per-pixel classes (segmentation) or real values (regression). */
public enum TargetKind {
    /** Target of shape (H, W) holding class indices, {@link Dataset#IGNORE_INDEX} for ignored pixels. */
    CLASS_MAP,
    /** Target of shape (C_t, H, W) holding real values. */
    FIELD
}
