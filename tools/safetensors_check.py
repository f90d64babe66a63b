"""Reads a safetensors file with plain Python (struct and json, no safetensors package) and
prints each tensor's dtype, shape, sum and first values, plus the metadata, to check that files
written by fcn4j load outside Java (Debian has no python3-safetensors package).

Usage: /usr/bin/python3 tools/safetensors_check.py FILE [--write OUT]
  --write OUT  also writes OUT, a safetensors file made here (F32, I64 and metadata), for the
               reverse check: ./fcn4j can read it with SafeTensors.read.
"""
import json
import struct
import sys

SIZES = {"F64": ("d", 8), "F32": ("f", 4), "I64": ("q", 8), "I32": ("i", 4), "U8": ("B", 1)}


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    tensors = {}
    for name, spec in header.items():
        code, size = SIZES[spec["dtype"]]
        begin, end = spec["data_offsets"]
        count = (end - begin) // size
        values = struct.unpack("<%d%s" % (count, code), data[begin:end])
        tensors[name] = (spec["dtype"], spec["shape"], values)
    return tensors, meta


def write(path):
    arrays = {"weight": ("F32", [2, 3], [0.5, -1.0, 2.25, 3.0, -0.125, 1e-3]),
              "num_batches_tracked": ("I64", [], [42])}
    header, blobs, offset = {"__metadata__": {"written_by": "tools/safetensors_check.py"}}, [], 0
    for name, (dtype, shape, values) in arrays.items():
        code, size = SIZES[dtype]
        b = struct.pack("<%d%s" % (len(values), code), *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    tensors, meta = read(sys.argv[1])
    for name, (dtype, shape, values) in tensors.items():
        print("%-40s %-4s %-16s sum=%.6g first=%s" % (name, dtype, shape, sum(values), list(values[:3])))
    for k, v in meta.items():
        print("meta %s = %s" % (k, v if len(v) < 200 else v[:200] + "..."))
    if "--write" in sys.argv:
        write(sys.argv[sys.argv.index("--write") + 1])


if __name__ == "__main__":
    main()
