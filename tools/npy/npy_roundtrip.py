"""NumPy side of fcn4j's .npy/.npz round-trip test.

Without arguments, writes reference files with NumPy into
fcn4j-core/src/test/resources/npy/, which NpyTest reads (so the Java tests need
no Python):

    /usr/bin/python3 tools/npy/npy_roundtrip.py

With --check, reads the files that NpyTest wrote with fcn4j (in
fcn4j-core/target/npy-from-fcn4j/, after the tests ran) and checks that NumPy
loads them with the expected dtypes, shapes and values:

    ./mvnw -pl fcn4j-core test -Dtest=NpyTest && /usr/bin/python3 tools/npy/npy_roundtrip.py --check

Both directions use the arrays defined by expected() below; NpyTest builds the
same arrays.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REFERENCE = os.path.join(ROOT, "fcn4j-core", "src", "test", "resources", "npy")
FROM_FCN4J = os.path.join(ROOT, "fcn4j-core", "target", "npy-from-fcn4j")


def expected():
    """The test arrays; element i of a flat array is a simple function of i, with edge values."""
    f32 = (np.arange(24, dtype=np.float32) * np.float32(0.25) - np.float32(3)).reshape(2, 3, 4)
    f32[0, 0, 0] = np.float32(-0.0)
    f32[1, 2, 3] = np.float32(3.4028235e38)
    f64 = np.arange(5, dtype=np.float64) / 3.0
    u8 = (np.arange(12) * 23 % 256).astype(np.uint8).reshape(3, 4)
    i32 = (np.arange(6, dtype=np.int32) - 3).reshape(2, 3)
    i32[0, 0] = np.iinfo(np.int32).min
    i64 = np.array([0, -1, 2**53 + 1, -(2**62), 7, 2**63 - 1], dtype=np.int64).reshape(3, 2)
    scalar = np.array(1.5, dtype=np.float32)
    empty = np.zeros((0, 3), dtype=np.float32)
    return {"f32": f32, "f64": f64, "u8": u8, "i32": i32, "i64": i64, "scalar": scalar, "empty": empty}


def write_reference():
    os.makedirs(REFERENCE, exist_ok=True)
    arrays = expected()
    for name, a in arrays.items():
        np.save(os.path.join(REFERENCE, name + ".npy"), a)
    np.savez(os.path.join(REFERENCE, "stored.npz"), **arrays)
    np.savez_compressed(os.path.join(REFERENCE, "deflated.npz"), **arrays)
    print("wrote %d arrays and 2 archives to %s with numpy %s" % (len(arrays), REFERENCE, np.__version__))


def same(name, want, got):
    if got.dtype != want.dtype or got.shape != want.shape:
        raise SystemExit("%s: expected %s %s, got %s %s" % (name, want.dtype, want.shape, got.dtype, got.shape))
    if want.tobytes() != got.tobytes():
        raise SystemExit("%s: values differ: expected %r, got %r" % (name, want, got))


def check():
    if not os.path.isdir(FROM_FCN4J):
        raise SystemExit("%s does not exist; run NpyTest first" % FROM_FCN4J)
    arrays = expected()
    for name, want in arrays.items():
        got = np.load(os.path.join(FROM_FCN4J, name + ".npy"))
        same(name + ".npy", want, got)
    for archive in ("stored.npz", "deflated.npz"):
        with np.load(os.path.join(FROM_FCN4J, archive)) as z:
            if list(z.keys()) != list(arrays.keys()):
                raise SystemExit("%s: expected arrays %s, got %s" % (archive, list(arrays), list(z.keys())))
            for name, want in arrays.items():
                same(archive + ":" + name, want, z[name])
    print("numpy %s reads all %d arrays and both archives written by fcn4j" % (np.__version__, len(arrays)))


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        check()
    elif not sys.argv[1:]:
        write_reference()
    else:
        raise SystemExit("usage: npy_roundtrip.py [--check]")
