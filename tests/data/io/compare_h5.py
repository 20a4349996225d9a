"""Compares two microreach HDF5 files: the same groups and datasets, each dataset with the
same type, shape, chunking, filters and bytes, every attribute with the same type and value;
only the provenance attributes that name the build, the time or the command line differ.
Usage: compare_h5.py EXPECTED ACTUAL; exit status 1 and one line per difference otherwise."""
import sys

import h5py
import numpy as np

VARYING = {"microreach_version", "git_sha", "created", "command", "profiles_file_absolute"}


def raw(v):
    """Bytes of a value read by h5py (strings as UTF-8, arrays element by element)."""
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "O":
            return repr([raw(x) for x in v.ravel()]) + repr(v.shape)
        return v.dtype.str + repr(v.shape) + v.tobytes().hex()
    if isinstance(v, (bytes, str)):
        return repr(v.encode() if isinstance(v, str) else v)
    if isinstance(v, np.generic):
        return v.dtype.str + v.tobytes().hex()
    return repr(v)


def deref(f, v):
    """Object references (dimension scales: DIMENSION_LIST, REFERENCE_LIST) as the names of the
    objects they point to, so two files compare equal when they point at the same paths."""
    if isinstance(v, h5py.Reference):
        return f[v].name if v else ""
    if isinstance(v, np.ndarray) and v.dtype.names:
        return repr([tuple(raw(deref(f, x)) for x in row) for row in v.ravel()])
    if isinstance(v, np.ndarray) and v.dtype.kind == "O":
        return repr([raw(deref(f, x)) for x in v.ravel()])
    return v


def items(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj))
    out["/"] = f
    return out


def attrs_of(obj, root):
    return {k: obj.attrs.get_id(k) for k in obj.attrs if not (root and k in VARYING)}


def compare(a_path, b_path):
    diffs = []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        ia, ib = items(a), items(b)
        for name in sorted(set(ia) ^ set(ib)):
            diffs.append(f"{name}: only in {'expected' if name in ia else 'actual'}")
        for name in sorted(set(ia) & set(ib)):
            oa, ob = ia[name], ib[name]
            if type(oa) is not type(ob):
                diffs.append(f"{name}: a {type(oa).__name__} vs a {type(ob).__name__}")
                continue
            root = name == "/"
            ka, kb = attrs_of(oa, root), attrs_of(ob, root)
            if list(ka) != list(kb):
                diffs.append(f"{name}: attributes {list(ka)} vs {list(kb)}")
            for k in set(ka) & set(kb):
                ta, tb = ka[k].get_type(), kb[k].get_type()
                if ta != tb or ka[k].shape != kb[k].shape:
                    diffs.append(f"{name}@{k}: attribute type or shape differs")
                elif raw(deref(a, oa.attrs[k])) != raw(deref(b, ob.attrs[k])):
                    diffs.append(f"{name}@{k}: {oa.attrs[k]!r} vs {ob.attrs[k]!r}")
            if isinstance(oa, h5py.Dataset):
                pa, pb = oa.id.get_create_plist(), ob.id.get_create_plist()
                same_layout = (oa.id.get_type() == ob.id.get_type() and oa.shape == ob.shape
                               and oa.maxshape == ob.maxshape and oa.chunks == ob.chunks
                               and pa.get_nfilters() == pb.get_nfilters()
                               and [pa.get_filter(i)[:3] for i in range(pa.get_nfilters())]
                               == [pb.get_filter(i)[:3] for i in range(pb.get_nfilters())])
                if not same_layout:
                    diffs.append(f"{name}: type, shape, chunks or filters differ "
                                 f"({oa.dtype} {oa.shape} {oa.chunks} vs "
                                 f"{ob.dtype} {ob.shape} {ob.chunks})")
                elif raw(oa[()]) != raw(ob[()]):
                    diffs.append(f"{name}: values differ")
    return diffs


if __name__ == "__main__":
    d = compare(sys.argv[1], sys.argv[2])
    for line in d:
        print(f"{sys.argv[2]}: {line}")
    sys.exit(1 if d else 0)
