"""MNIST and Fashion-MNIST as NumPy arrays: found locally, verified, or downloaded.

Typical use::

    import dp.datasets
    x_train, y_train, x_test, y_test = dp.datasets.load_mnist()
    x_small, y_small = x_train[:1000], y_train[:1000]   # subsets: slice yourself

Which dataset
    ``variant="digits"`` is the original MNIST of handwritten digits,
    ``variant="fashion"`` is Fashion-MNIST (Zalando's clothing images), a harder
    drop-in replacement with exactly the same format.  ``variant=None`` (the
    default) means: the value of the environment variable ``DP_MNIST_VARIANT``
    if it is set, else ``"digits"``.  CI sets ``DP_MNIST_VARIANT=fashion``
    because Debian packages Fashion-MNIST but not MNIST, and it has no internet.

Where the files come from, in this order (the first good copy of each file wins)
    1. ``data_dir``, if given: a folder holding the four files themselves;
    2. ``$DP_DATA_DIR/mnist`` or ``$DP_DATA_DIR/fashion-mnist``, if that
       environment variable is set;
    3. the per-user cache, ``pooch.os_cache("dp")/mnist`` (or ``/fashion-mnist``),
       e.g. ``~/.cache/dp/mnist`` on Linux;
    4. system folders: Debian's ``dataset-fashion-mnist`` package installs
       Fashion-MNIST in ``/usr/share/datasets/fashion-mnist``.  Setting
       ``DP_SYSTEM_DATA_DIR=ROOT`` searches ``ROOT/mnist`` or
       ``ROOT/fashion-mnist`` instead, and ``DP_SYSTEM_DATA_DIR=`` (empty)
       no system folder (to see what a machine without the package does);
    5. a download from the public mirrors in :data:`MIRRORS`, tried in turn,
       into the first folder of 1-3 that applies.

    Each file may be gzip-compressed (``name.gz``, the usual form) or plain
    (``name``, as after ``gunzip``).

How files are checked
    Every file is parsed as IDX (magic number, shape, length; see :mod:`dp.idx`)
    and the SHA-256 of its *decompressed* content is compared with the table
    :data:`FILES`.  Hashing the decompressed bytes means a copy that was
    gzip-compressed again (as Debian's are) is accepted.  A bad file is never
    used: a :class:`CorruptDataWarning` names it and the next copy is tried or
    the file is downloaded again.  Downloads go to a temporary name and are
    renamed only once verified, so an interrupted download never leaves a file
    that looks complete.
"""

import gzip
import hashlib
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pooch
import requests

from dp import _checks, aliases
from dp.idx import IdxFormatError, parse_idx, read_bytes

__all__ = [
    "load_mnist",
    "fetch_mnist",
    "Mnist",  # noqa: F822 (dp.legacy's, see __getattr__ at the end)
    "DataFile",
    "DatasetNotFoundError",
    "ChecksumMismatchError",
    "CorruptDataWarning",
    "CLASS_NAMES",
    "TITLES",
    "VARIANTS",
    "FILES",
    "MIRRORS",
    "SYSTEM_DIRS",
    "resolve_variant",
    "search_dirs",
    "find_mnist",
    "layout_for_deep_teaching_commons",
]

VARIANTS = ("digits", "fashion")
VARIANT_ENV = "DP_MNIST_VARIANT"
DATA_DIR_ENV = "DP_DATA_DIR"
SYSTEM_DIR_ENV = "DP_SYSTEM_DATA_DIR"

# Sub-folder of $DP_DATA_DIR and of the cache that holds each variant.
SUBDIRS = {"digits": "mnist", "fashion": "fashion-mnist"}
# Each variant's name for titles and legends (the MNIST assignment's plots use it).
TITLES = {"digits": "MNIST", "fashion": "Fashion-MNIST"}

CLASS_NAMES = {
    "digits": tuple(str(digit) for digit in range(10)),
    "fashion": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
}


@dataclass(frozen=True)
class DataFile:
    """One IDX file of a dataset and what a good copy of it looks like.

    Attributes:
        name: file name without ``.gz``, e.g. ``"t10k-labels-idx1-ubyte"``.
        shape: the array shape its IDX header must announce.
        sha256: SHA-256 of the decompressed (plain IDX) content.
        gz_md5: optional published MD5 of the original ``.gz`` file, accepted
            as an alternative proof (see the note on MNIST's training images).
    """

    name: str
    shape: tuple
    sha256: str
    gz_md5: str | None = None

    @property
    def gz_name(self):
        return self.name + ".gz"


# Checksums, and where each one comes from.
#
# SHA-256 of the decompressed files, computed on this course's machines
# (gzip -dc FILE | sha256sum) from copies whose gzip MD5 equals the published
# one: the three MNIST files in shared/data/mnist (MD5s as published by
# torchvision) and the four Fashion-MNIST files of Debian's
# dataset-fashion-mnist package (re-gzipped by Debian, so only their content,
# not their .gz bytes, can match the original).
#
# MNIST's train-images is the one file no copy of which was at hand.  Its
# decompressed SHA-256 (ba8910...) is the value published in several
# independent public projects, whose values for the other three files match
# ours exactly.  Because that value is third-party, the file is also accepted
# when its .gz bytes have the MD5 that torchvision publishes for the original
# archive (f68b3c...).
FILES = {
    "digits": (
        DataFile("train-images-idx3-ubyte", (60000, 28, 28),
                 "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                 gz_md5="f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        DataFile("train-labels-idx1-ubyte", (60000,),
                 "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        DataFile("t10k-images-idx3-ubyte", (10000, 28, 28),
                 "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        DataFile("t10k-labels-idx1-ubyte", (10000,),
                 "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    ),
    "fashion": (
        DataFile("train-images-idx3-ubyte", (60000, 28, 28),
                 "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        DataFile("train-labels-idx1-ubyte", (60000,),
                 "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        DataFile("t10k-images-idx3-ubyte", (10000, 28, 28),
                 "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        DataFile("t10k-labels-idx1-ubyte", (10000,),
                 "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    ),
}

# Public mirrors that serve the original .gz files, tried in this order.
# (yann.lecun.com, the historical home of MNIST, is left out: it no longer
# serves the files reliably, which is why this module exists.)
MIRRORS = {
    "digits": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",       # torchvision's
        "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow's
    ),
    "fashion": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",  # Zalando's
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",  # Keras'
    ),
}

# Read-only folders that operating-system packages fill.
SYSTEM_DIRS = {
    "digits": (),
    "fashion": (Path("/usr/share/datasets/fashion-mnist"),),
}

# Seconds to wait for a mirror to accept the connection, and then for data.
_TIMEOUT = (10, 60)


class DatasetNotFoundError(FileNotFoundError):
    """No good copy of a dataset file was found and none could be downloaded."""


class ChecksumMismatchError(ValueError):
    """A file parses as IDX but its content is not the expected one."""


class CorruptDataWarning(UserWarning):
    """A local copy of a dataset file is damaged and is not being used."""


_INVALID_FILE_ERRORS = (IdxFormatError, ChecksumMismatchError)


# --- choosing the variant and the folders -----------------------------------

def resolve_variant(variant=None):
    """Return ``variant``, or the default from ``DP_MNIST_VARIANT`` (else ``"digits"``)."""
    if variant is None:
        from_env = os.environ.get(VARIANT_ENV, "").strip()
        if not from_env:
            return "digits"
        if from_env not in VARIANTS:
            raise ValueError(
                f"environment variable {VARIANT_ENV}={from_env!r} is not a dataset variant; "
                f"expected one of {VARIANTS} (or unset it for 'digits')"
            )
        return from_env
    return _checks.one_of("variant", variant, VARIANTS, hint=" or None")


def search_dirs(variant, data_dir=None):
    """The folders searched for ``variant``'s files, in order (see module docstring)."""
    folders = []
    if data_dir is not None:
        folders.append(Path(data_dir).expanduser())
    root = os.environ.get(DATA_DIR_ENV, "").strip()
    if root:
        folders.append(Path(root).expanduser() / SUBDIRS[variant])
    folders.append(Path(pooch.os_cache("dp")) / SUBDIRS[variant])
    system_root = os.environ.get(SYSTEM_DIR_ENV)
    if system_root is None:
        folders.extend(SYSTEM_DIRS[variant])
    elif system_root.strip():
        folders.append(Path(system_root.strip()).expanduser() / SUBDIRS[variant])
    return folders


# --- verifying one file ------------------------------------------------------

def _verified_array(path, spec, source=None):
    """Parse ``path`` as ``spec`` and check its checksum; return its array.

    Raises IdxFormatError or ChecksumMismatchError, naming ``source`` (the
    path by default).
    """
    source = str(path) if source is None else source
    data = read_bytes(path)
    array = parse_idx(data, source=source, expected_shape=spec.shape)
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec.sha256 and not _matches_gz_md5(path, spec):
        raise ChecksumMismatchError(
            f"{source}: SHA-256 of the decompressed content is {digest}, expected "
            f"{spec.sha256}; the file is damaged or is not {spec.name} of this dataset"
        )
    return array


def _matches_gz_md5(path, spec):
    if spec.gz_md5 is None:
        return False
    return hashlib.md5(Path(path).read_bytes(), usedforsecurity=False).hexdigest() == spec.gz_md5


def _find_local(spec, folders, problems):
    """Return ``(path, array)`` of the first good local copy, or None.

    Damaged copies are reported with a warning and recorded in ``problems``.
    """
    for folder in folders:
        for path in (folder / spec.gz_name, folder / spec.name):
            if not path.is_file():
                continue
            try:
                return path, _verified_array(path, spec)
            except _INVALID_FILE_ERRORS as error:
                warnings.warn(f"not using a damaged file: {error}", CorruptDataWarning,
                              stacklevel=4)
                problems.append(str(error))
    return None


# --- downloading one file ----------------------------------------------------

def _fetch_url(url, output_path):
    """Download ``url`` into ``output_path`` with a progress bar (stderr)."""
    downloader = pooch.HTTPDownloader(progressbar=True, chunk_size=65536, timeout=_TIMEOUT)
    downloader(url, str(output_path), None)


def _download(spec, target, mirrors, unreachable, problems):
    """Fetch ``spec`` from the first mirror that serves a good copy.

    The file is written under a temporary name in ``target`` and renamed to
    ``target/<name>.gz`` only after it has been verified.  Returns
    ``(path, array)``, or None if every mirror failed (each failure is
    recorded in ``problems``).  Mirrors that could not be reached at all are
    added to ``unreachable`` and skipped for the remaining files, so an
    offline machine does not wait for every time-out once per file.
    """
    for base in mirrors:
        url = base.rstrip("/") + "/" + spec.gz_name
        if base in unreachable:
            problems.append(f"{url}: skipped, the mirror could not be reached before")
            continue
        try:
            target.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                dir=target, prefix=f".{spec.gz_name}.", suffix=".part")
        except OSError as error:
            problems.append(f"{target}: cannot download into this folder ({error})")
            return None
        os.close(handle)
        temporary = Path(temporary)
        print(f"Downloading {url} to {target}", file=sys.stderr)
        try:
            _fetch_url(url, temporary)
            array = _verified_array(temporary, spec, source=url)
            final = target / spec.gz_name
            os.replace(temporary, final)
            return final, array
        except (requests.ConnectionError, requests.Timeout) as error:
            unreachable.add(base)
            problems.append(f"{url}: could not connect ({type(error).__name__})")
        except (requests.RequestException, *_INVALID_FILE_ERRORS) as error:
            # Most of these messages already name the URL; say it only once.
            problems.append(str(error) if url in str(error) else f"{url}: {error}")
        finally:
            # Also on KeyboardInterrupt: a partial download must not stay behind.
            temporary.unlink(missing_ok=True)
        print(f"  failed: {problems[-1]}", file=sys.stderr)
    return None


# --- finding all files of a variant -----------------------------------------

def _obtain(variant, data_dir, download):
    """Return ``[(path, array), ...]`` for the four files of ``variant``."""
    folders = search_dirs(variant, data_dir)
    # System folders are read-only; download into the first folder the user chose.
    target = folders[0]
    problems, unreachable, missing, found = [], set(), [], []
    for spec in FILES[variant]:
        result = _find_local(spec, folders, problems)
        if result is None and download:
            result = _download(spec, target, MIRRORS[variant], unreachable, problems)
        if result is None:
            missing.append(spec)
        found.append(result)
    if missing:
        raise DatasetNotFoundError(
            _not_found_message(variant, missing, folders, problems, download)
        )
    return found


def _not_found_message(variant, missing, folders, problems, download):
    title = TITLES[variant]
    lines = [
        f"{title} ({variant!r}) is not available: no good copy of "
        + ", ".join(spec.gz_name for spec in missing)
        + (" was found and downloading failed." if download
           else " was found (downloading was switched off)."),
        "Looked in these folders, in order:",
        *(f"  {folder}" for folder in folders),
    ]
    if problems:
        lines += ["Problems:", *(f"  {problem}" for problem in problems)]
    lines += [
        "How to get the files:",
        f"  - with internet access, call this again: it downloads them from {MIRRORS[variant][0]}",
        f"    (or download them yourself from there into {folders[0]});",
        f"  - or put the four .gz files in a folder DIR/{SUBDIRS[variant]} and set "
        f"the environment variable {DATA_DIR_ENV}=DIR;",
    ]
    if variant == "fashion":
        lines.append("  - or, on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist")
    else:
        lines.append(
            "  - or use Fashion-MNIST, which Debian/Ubuntu package: sudo apt-get install "
            f"dataset-fashion-mnist, then variant='fashion' or {VARIANT_ENV}=fashion"
        )
    return "\n".join(lines)


# --- public API ---------------------------------------------------------------

def fetch_mnist(variant=None, data_dir=None):
    """Make sure the four files of ``variant`` are available, downloading if needed.

    Returns:
        The paths of the verified files, in the order train images, train
        labels, test images, test labels.

    Raises:
        DatasetNotFoundError: some file has no good copy and could not be
            downloaded; the message says where it looked and how to get it.
    """
    return tuple(path for path, _ in _obtain(resolve_variant(variant), data_dir, download=True))


def find_mnist(variant=None, data_dir=None):
    """The verified local files of ``variant``, like fetch_mnist but never downloading.

    Returns:
        The paths of the four verified files (train images, train labels,
        test images, test labels).

    Raises:
        DatasetNotFoundError: some file has no good local copy.
    """
    return tuple(path for path, _ in _obtain(resolve_variant(variant), data_dir, download=False))


def layout_for_deep_teaching_commons(variant=None, target_dir=None):
    """Put verified copies of ``variant``'s files where deep-teaching-commons reads them.

    The older deep.TEACHING notebooks load MNIST with::

        from deep_teaching_commons.data.fundamentals.mnist import Mnist
        Mnist(data_dir).get_all_data(one_hot_enc=True, flatten=True, normalized=True)

    That ``Mnist`` downloads from a URL that no longer answers, and only when
    ``data_dir`` does not exist yet; then it gunzips ``data_dir/<name>.gz``
    for the four names in :data:`FILES`, without checking them.  This
    function obtains the files as :func:`fetch_mnist` does (local, verified,
    else downloaded) and writes them there as gzip files, so that code runs
    unchanged.  A file already there is kept if it verifies, and replaced if
    not (e.g. the other variant: the package has one folder for both).

    Args:
        variant: ``"digits"``, ``"fashion"`` or None (see :func:`resolve_variant`).
        target_dir: the folder the notebook gives ``Mnist``; None means the
            package's default, ``config.BASE_DATA_DIR/MNIST``, i.e.
            ``~/deep.TEACHING/data/MNIST``.

    Returns:
        The four paths in ``target_dir``, in the order of :data:`FILES`.

    Raises:
        DatasetNotFoundError: as :func:`fetch_mnist`.
    """
    variant = resolve_variant(variant)
    sources = fetch_mnist(variant)
    target = (Path(target_dir).expanduser() if target_dir
              else _deep_teaching_commons_default_dir())
    target.mkdir(parents=True, exist_ok=True)
    placed = []
    for spec, source in zip(FILES[variant], sources):
        final = target / spec.gz_name
        if not _is_good_copy(final, spec):
            data = source.read_bytes()
            if not data.startswith(b"\x1f\x8b"):  # a plain copy: the package reads only gzip
                data = gzip.compress(data)
            handle, temporary = tempfile.mkstemp(dir=target, prefix=f".{spec.gz_name}.")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                os.replace(temporary, final)  # never a half-written file under the real name
            finally:
                Path(temporary).unlink(missing_ok=True)
        placed.append(final)
    return tuple(placed)


def _deep_teaching_commons_default_dir():
    """deep-teaching-commons' own default: Mnist(data_dir=None) reads BASE_DATA_DIR/MNIST."""
    try:
        from deep_teaching_commons import config
        base = config.BASE_DATA_DIR
    except ImportError:  # the same value as its 0.72 config, when it is not installed
        base = "~/deep.TEACHING/data"
    return Path(base).expanduser() / "MNIST"


def _is_good_copy(path, spec):
    if not path.is_file():
        return False
    try:
        _verified_array(path, spec)
    except _INVALID_FILE_ERRORS:
        return False
    return True


def load_mnist(variant=None, data_dir=None, flatten=True, one_hot=False, normalized=True,
               dtype=np.float64, download=True):
    """Load MNIST (or Fashion-MNIST) as ``x_train, y_train, x_test, y_test``.

    Args:
        variant: ``"digits"``, ``"fashion"``, or None for the value of the
            environment variable ``DP_MNIST_VARIANT``, else ``"digits"``.
        data_dir: a folder to look in first and to download into; None
            means ``$DP_DATA_DIR/<variant folder>`` or the per-user cache.
        flatten: images as rows of 784 pixels (else 28x28 arrays).
        one_hot: labels as one-hot rows of length 10 (else integers 0-9).
        normalized: pixels scaled from 0..255 into [0, 1].
        dtype: dtype of the images and of one-hot labels; must be a floating
            type when ``normalized``.  Integer labels are always int64.
        download: fetch missing files from the mirrors (else only local copies).

    Returns:
        Four new, writable arrays: ``x_train`` (60000, 784) or (60000, 28, 28),
        ``y_train`` (60000,) or (60000, 10), ``x_test`` and ``y_test`` likewise
        with 10000 rows.  For a subset, slice them: ``x_train[:1000]``.

    Raises:
        ValueError: an unknown variant or an unsuitable dtype.
        DatasetNotFoundError: the data is not on this machine and could not
            be downloaded; the message says where it looked and what to do.
    """
    variant = resolve_variant(variant)
    dtype = _checked_dtype(dtype, normalized)
    (_, x_train), (_, y_train), (_, x_test), (_, y_test) = _obtain(variant, data_dir, download)
    return _convert(x_train, y_train, x_test, y_test, flatten, one_hot, normalized, dtype)


def _checked_dtype(dtype, normalized):
    dtype = np.dtype(dtype)
    if dtype.kind not in "iuf":
        raise ValueError(f"dtype={dtype} is not a numeric type; "
                         "expected e.g. np.float64 or np.uint8")
    if normalized and dtype.kind != "f":
        raise ValueError(
            f"dtype={dtype} cannot hold pixels normalized into [0, 1]; "
            "use a floating dtype such as np.float32, or normalized=False"
        )
    return dtype


def _convert(x_train, y_train, x_test, y_test, flatten, one_hot, normalized, dtype):
    def images(raw):
        array = raw.reshape(len(raw), -1) if flatten else raw
        array = array.astype(dtype)  # always a copy: the parsed buffer is read-only
        if normalized:
            array /= 255
        return array

    def labels(raw):
        if one_hot:
            return np.eye(10, dtype=dtype)[raw]
        return raw.astype(np.int64)

    return images(x_train), labels(y_train), images(x_test), labels(y_test)


# The deep_teaching_commons loader of the 2019 notebooks, Mnist, is dp.legacy's; it
# registers it (dp.aliases), so this module answers to it without importing dp.legacy.
__getattr__ = aliases.module_getattr(__name__)


def main(argv=None):
    """Fetch and verify a dataset ahead of time, e.g. before a lab session.

    Usage: ``python -m dp.datasets [digits|fashion] [DATA_DIR]``; prints the
    verified paths, or the explanation of what is missing (exit status 1).

    ``python -m dp.datasets {digits|fashion} --for-deep-teaching-commons [DIR]``
    also copies the verified files where deep-teaching-commons' ``Mnist(DIR)``
    reads them (default: its own default folder); see
    :func:`layout_for_deep_teaching_commons`.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m dp.datasets",
                                     description=main.__doc__.split("\n")[0])
    parser.add_argument("variant", nargs="?", choices=VARIANTS,
                        help=f"default: ${VARIANT_ENV}, else digits")
    parser.add_argument("data_dir", nargs="?", help=f"default: ${DATA_DIR_ENV} or the user cache")
    parser.add_argument("--for-deep-teaching-commons", nargs="?", const="", metavar="DIR",
                        dest="dtc_dir",
                        help="also put the files where deep-teaching-commons' Mnist(DIR) reads "
                             "them (default DIR: ~/deep.TEACHING/data/MNIST)")
    args = parser.parse_args(argv)
    try:
        if args.dtc_dir is not None:
            if args.data_dir is not None:
                parser.error("give the folder after --for-deep-teaching-commons, not before it")
            paths = layout_for_deep_teaching_commons(args.variant, args.dtc_dir or None)
        else:
            paths = fetch_mnist(args.variant, args.data_dir)
    except DatasetNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print(*paths, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
