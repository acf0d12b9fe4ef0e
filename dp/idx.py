"""Read IDX files, the simple binary format that MNIST and Fashion-MNIST use.

An IDX file is a small header followed by the raw array, row-major::

    bytes 0-1   always zero
    byte  2     element type (0x08 = unsigned byte, ...)
    byte  3     number of dimensions, n
    then n      big-endian uint32 sizes, one per dimension
    then        the elements, big-endian, size_0 * ... * size_{n-1} of them

The files are usually distributed gzip-compressed.  This module checks the
header against the length of the data, so a truncated or padded file is
reported instead of being reshaped into garbage.
"""

import gzip
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IdxFormatError", "read_bytes", "parse_idx", "read_idx"]

# The element types the IDX format defines; all multi-byte types are big-endian.
_ELEMENT_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"


class IdxFormatError(ValueError):
    """A file is not a valid IDX file (or not the one that was expected)."""


def read_bytes(path):
    """Return the content of ``path``, decompressed if it is gzip data.

    Whether to decompress is decided by the content, not the file name: some
    web servers decompress ``.gz`` files on the fly, and some people gunzip
    them by hand but keep the name.

    Raises:
        IdxFormatError: the gzip stream is cut short or damaged.
    """
    path = Path(path)
    data = path.read_bytes()
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise IdxFormatError(
            f"{path}: the gzip data is truncated or damaged ({error})"
        ) from error


def parse_idx(data, source="<bytes>", expected_shape=None):
    """Parse the bytes of an (uncompressed) IDX file into a NumPy array.

    Args:
        data: the whole file content.
        source: where the bytes came from; used in error messages.
        expected_shape: if given, the header must announce exactly this shape.

    Returns:
        A read-only array of the announced shape, in native byte order.

    Raises:
        IdxFormatError: bad magic number, unknown element type, a shape other
            than ``expected_shape``, or data that is shorter or longer than
            the header announces.
    """
    if len(data) < 4:
        raise IdxFormatError(
            f"{source}: {len(data)} bytes is too short for an IDX header (4 bytes or more)"
        )
    if data[0] != 0 or data[1] != 0 or data[2] not in _ELEMENT_TYPES:
        raise IdxFormatError(
            f"{source}: bad IDX magic number 0x{data[:4].hex()}; expected 0x0000TTNN "
            f"with element type TT in {{{', '.join(f'{t:02x}' for t in _ELEMENT_TYPES)}}}"
        )
    dtype = _ELEMENT_TYPES[data[2]]
    ndim = data[3]
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IdxFormatError(
            f"{source}: truncated header: {ndim} dimensions need {header_size} bytes, "
            f"the file has {len(data)}"
        )
    shape = tuple(int(size) for size in np.frombuffer(data, ">u4", count=ndim, offset=4))
    if expected_shape is not None and shape != tuple(expected_shape):
        raise IdxFormatError(
            f"{source}: the header announces shape {shape}, expected {tuple(expected_shape)}"
        )
    expected_length = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected_length:
        problem = "truncated" if len(data) < expected_length else "has trailing bytes"
        raise IdxFormatError(
            f"{source}: file {problem}: the header announces shape {shape}, which needs "
            f"{expected_length} bytes, the file has {len(data)}"
        )
    array = np.frombuffer(data, dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)


def read_idx(path, expected_shape=None):
    """Read an IDX file (plain or gzip-compressed) into a NumPy array.

    Every error names ``path``; see :func:`parse_idx` for what is checked.
    """
    return parse_idx(read_bytes(path), source=str(path), expected_shape=expected_shape)
