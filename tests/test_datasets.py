"""Tests for dp.idx and dp.datasets.

Nothing here touches the internet: downloads are served by a local HTTP
server on 127.0.0.1, from small IDX files that the tests generate, with the
module's checksum table and mirror list replaced for the test.  The real
MNIST and Fashion-MNIST files are used only where they exist on the machine
(shared/data/mnist and Debian's dataset-fashion-mnist); otherwise those tests
are skipped with a reason.
"""

import gzip
import hashlib
import http.server
import socket
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

import dp.datasets as datasets
from dp.idx import IdxFormatError, parse_idx, read_idx

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
if not SHARED_MNIST.is_dir():
    SHARED_MNIST = Path("/work/shared/data/mnist")
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


# --- helpers -----------------------------------------------------------------

def idx_bytes(array):
    """Encode a uint8 array as IDX, written independently of dp.idx."""
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def make_fake_dataset(seed, n_train=5, n_test=3):
    """Small random images and labels, as the four arrays load_mnist returns."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, n_train, dtype=np.uint8),
        rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, n_test, dtype=np.uint8),
    )


def specs_for(arrays):
    """A FILES entry describing ``arrays`` (same names as the real files)."""
    names = [spec.name for spec in datasets.FILES["digits"]]
    return tuple(
        datasets.DataFile(name, array.shape, hashlib.sha256(idx_bytes(array)).hexdigest())
        for name, array in zip(names, arrays)
    )


def write_dataset(folder, arrays, compress=True):
    folder.mkdir(parents=True, exist_ok=True)
    for spec, array in zip(datasets.FILES["digits"], arrays):
        data = idx_bytes(array)
        if compress:
            (folder / spec.gz_name).write_bytes(gzip.compress(data))
        else:
            (folder / spec.name).write_bytes(data)


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


class Mirror:
    """A tiny HTTP server in a thread; ``routes`` maps a path to a reply.

    A reply is ``bytes`` (served with status 200), an ``int`` (that status,
    no body), or ``("truncated", bytes)``: announces the full length, sends
    half, then closes the connection, like a download that breaks off.
    """

    def __init__(self):
        self.routes = {}
        self.requests = []
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                mirror.requests.append(self.path)
                reply = mirror.routes.get(self.path, 404)
                if isinstance(reply, int):
                    self.send_error(reply)
                    return
                truncated = isinstance(reply, tuple)
                body = reply[1] if truncated else reply
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if truncated else body)
                if truncated:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def serve_dataset(self, arrays, prefix="/"):
        for spec, array in zip(datasets.FILES["digits"], arrays):
            self.routes[prefix + spec.gz_name] = gzip.compress(idx_bytes(array))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror():
    server = Mirror()
    yield server
    server.close()


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real cache, no DP_* variables, no system folders, no real mirrors."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DP_DATA_DIR", raising=False)
    monkeypatch.delenv("DP_MNIST_VARIANT", raising=False)
    for variant in datasets.VARIANTS:
        monkeypatch.setitem(datasets.SYSTEM_DIRS, variant, ())
        monkeypatch.setitem(datasets.MIRRORS, variant, (closed_port_url(),))
    return tmp_path


@pytest.fixture
def fake(isolated, monkeypatch):
    """Generated arrays whose checksums replace the real digits table."""
    arrays = make_fake_dataset(seed=1)
    monkeypatch.setitem(datasets.FILES, "digits", specs_for(arrays))
    return arrays


def cache_folder(tmp_path, variant="digits"):
    return tmp_path / "cache" / "dp" / datasets.SUBDIRS[variant]


def assert_same_data(loaded, arrays):
    x_train, y_train, x_test, y_test = loaded
    np.testing.assert_array_equal(x_train, arrays[0].reshape(len(arrays[0]), -1) / 255)
    np.testing.assert_array_equal(y_train, arrays[1])
    np.testing.assert_array_equal(x_test, arrays[2].reshape(len(arrays[2]), -1) / 255)
    np.testing.assert_array_equal(y_test, arrays[3])


# --- the IDX parser on the real MNIST files ----------------------------------

needs_shared_mnist = pytest.mark.skipif(
    not SHARED_MNIST.is_dir(), reason=f"the MNIST sample files are not in {SHARED_MNIST}")


@needs_shared_mnist
def test_real_mnist_labels_and_test_images_parse():
    assert read_idx(SHARED_MNIST / "t10k-labels-idx1-ubyte.gz")[0] == 7
    assert list(read_idx(SHARED_MNIST / "train-labels-idx1-ubyte.gz")[:5]) == [5, 0, 4, 1, 9]
    images = read_idx(SHARED_MNIST / "t10k-images-idx3-ubyte.gz", expected_shape=(10000, 28, 28))
    assert images.shape == (10000, 28, 28)
    assert images.dtype == np.uint8
    assert images.max() == 255 and images.min() == 0


@needs_shared_mnist
def test_recorded_checksums_match_the_real_files():
    specs = {spec.name: spec for spec in datasets.FILES["digits"]}
    for path in sorted(SHARED_MNIST.glob("*.gz")):
        spec = specs[path.name.removesuffix(".gz")]
        assert hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest() == spec.sha256


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_recorded_fashion_checksums_match_debian_files():
    for spec in datasets.FILES["fashion"]:
        data = gzip.decompress((DEBIAN_FASHION / spec.gz_name).read_bytes())
        assert hashlib.sha256(data).hexdigest() == spec.sha256


# --- IDX header checks ---------------------------------------------------------

@pytest.mark.parametrize("damage, message", [
    (lambda data: b"\x00\x01" + data[2:], "magic number"),
    (lambda data: data[:2] + b"\x07" + data[3:], "magic number"),
    (lambda data: data[:4] + struct.pack(">I", 6) + data[8:], "expected (5, 28, 28)"),
    (lambda data: data[:-1], "truncated"),
    (lambda data: data[:10], "truncated header"),
    (lambda data: data + b"\x00", "trailing bytes"),
])
def test_damaged_headers_are_rejected_naming_the_file(tmp_path, damage, message):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(damage(idx_bytes(np.zeros((5, 28, 28)))))
    with pytest.raises(IdxFormatError) as info:
        read_idx(path, expected_shape=(5, 28, 28))
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_truncated_gzip_is_rejected_naming_the_file(tmp_path):
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(1000) % 10))[:-20])
    with pytest.raises(IdxFormatError, match="gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_parse_idx_reads_big_endian_multibyte_types():
    values = np.array([[1.5, -2.0], [3.25, 1e10]])
    data = struct.pack(">BBBBII", 0, 0, 0x0E, 2, 2, 2) + values.astype(">f8").tobytes()
    np.testing.assert_array_equal(parse_idx(data), values)


# --- loading from local folders ------------------------------------------------

def test_loads_from_data_dir_with_every_option(fake, tmp_path):
    write_dataset(tmp_path / "data", fake)
    x_train, y_train, x_test, y_test = datasets.load_mnist(data_dir=tmp_path / "data")
    assert_same_data((x_train, y_train, x_test, y_test), fake)
    assert x_train.dtype == np.float64 and y_train.dtype == np.int64

    x_train, y_train, _, y_test = datasets.load_mnist(
        data_dir=tmp_path / "data", flatten=False, one_hot=True, normalized=False, dtype=np.uint8)
    np.testing.assert_array_equal(x_train, fake[0])
    assert y_train.shape == (5, 10) and y_train.dtype == np.uint8
    np.testing.assert_array_equal(y_train.argmax(axis=1), fake[1])
    np.testing.assert_array_equal(y_test.sum(axis=1), 1)


def test_accepts_uncompressed_and_regzipped_copies(fake, tmp_path):
    write_dataset(tmp_path / "plain", fake, compress=False)
    assert_same_data(datasets.load_mnist(data_dir=tmp_path / "plain"), fake)

    # A copy compressed again with other settings (as Debian's are) has
    # different .gz bytes but the same content, and must be accepted.
    regzipped = tmp_path / "regzipped"
    write_dataset(regzipped, fake)
    for path in regzipped.iterdir():
        path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes()), compresslevel=1,
                                       mtime=0))
    assert_same_data(datasets.load_mnist(data_dir=regzipped), fake)


def test_published_gz_md5_is_an_alternative_proof(fake, tmp_path, monkeypatch):
    write_dataset(tmp_path / "gz", fake)
    write_dataset(tmp_path / "plain", fake, compress=False)
    gz_path = tmp_path / "gz" / datasets.FILES["digits"][0].gz_name
    first = datasets.FILES["digits"][0]
    # As for MNIST's train-images: the recorded SHA-256 is not the one this
    # copy has, but the .gz bytes have the published MD5.
    substitute = datasets.DataFile(first.name, first.shape, "0" * 64,
                                   gz_md5=hashlib.md5(gz_path.read_bytes()).hexdigest())
    monkeypatch.setitem(datasets.FILES, "digits", (substitute, *datasets.FILES["digits"][1:]))
    assert_same_data(datasets.load_mnist(data_dir=tmp_path / "gz"), fake)
    with pytest.warns(datasets.CorruptDataWarning, match="SHA-256"):
        with pytest.raises(datasets.DatasetNotFoundError):
            datasets.load_mnist(data_dir=tmp_path / "plain")


def test_search_order_data_dir_then_env_then_cache(fake, tmp_path, monkeypatch):
    for folder in (tmp_path / "explicit", tmp_path / "root" / "mnist", cache_folder(tmp_path)):
        write_dataset(folder, fake)
    monkeypatch.setenv("DP_DATA_DIR", str(tmp_path / "root"))
    assert datasets.fetch_mnist(data_dir=tmp_path / "explicit")[0].parent == tmp_path / "explicit"
    assert datasets.fetch_mnist()[0].parent == tmp_path / "root" / "mnist"
    monkeypatch.delenv("DP_DATA_DIR")
    assert datasets.fetch_mnist()[0].parent == cache_folder(tmp_path)


def test_system_folder_comes_after_the_cache(fake, tmp_path, monkeypatch):
    write_dataset(tmp_path / "system", fake)
    monkeypatch.setitem(datasets.SYSTEM_DIRS, "digits", (tmp_path / "system",))
    assert datasets.fetch_mnist()[0].parent == tmp_path / "system"
    write_dataset(cache_folder(tmp_path), fake)
    assert datasets.fetch_mnist()[0].parent == cache_folder(tmp_path)


def test_variant_comes_from_argument_then_environment(isolated, tmp_path, monkeypatch):
    digits, fashion = make_fake_dataset(seed=1), make_fake_dataset(seed=2)
    monkeypatch.setitem(datasets.FILES, "digits", specs_for(digits))
    monkeypatch.setitem(datasets.FILES, "fashion", specs_for(fashion))
    write_dataset(cache_folder(tmp_path, "digits"), digits)
    write_dataset(cache_folder(tmp_path, "fashion"), fashion)

    assert_same_data(datasets.load_mnist(), digits)
    monkeypatch.setenv("DP_MNIST_VARIANT", "fashion")
    assert_same_data(datasets.load_mnist(), fashion)
    assert_same_data(datasets.load_mnist(variant="digits"), digits)

    monkeypatch.setenv("DP_MNIST_VARIANT", "letters")
    with pytest.raises(ValueError, match="DP_MNIST_VARIANT='letters'"):
        datasets.load_mnist()
    with pytest.raises(ValueError, match="variant='letters'"):
        datasets.load_mnist(variant="letters")


def test_normalizing_into_an_integer_dtype_is_refused(fake):
    with pytest.raises(ValueError, match="floating dtype"):
        datasets.load_mnist(dtype=np.int32)


# --- downloading -----------------------------------------------------------------

def test_downloads_into_the_cache_and_reuses_it(fake, tmp_path, monkeypatch, mirror):
    mirror.serve_dataset(fake)
    monkeypatch.setitem(datasets.MIRRORS, "digits", (mirror.url,))
    assert_same_data(datasets.load_mnist(), fake)
    folder = cache_folder(tmp_path)
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        spec.gz_name for spec in datasets.FILES["digits"])

    served = len(mirror.requests)
    assert_same_data(datasets.load_mnist(), fake)
    assert len(mirror.requests) == served  # the second load did not download


def test_downloads_into_data_dir_when_given(fake, tmp_path, monkeypatch, mirror):
    mirror.serve_dataset(fake)
    monkeypatch.setitem(datasets.MIRRORS, "digits", (mirror.url,))
    paths = datasets.fetch_mnist(data_dir=tmp_path / "mine")
    assert all(path.parent == tmp_path / "mine" for path in paths)


def test_mirror_fallback_after_refused_and_missing(fake, monkeypatch, mirror):
    mirror.serve_dataset(fake, prefix="/good/")
    monkeypatch.setitem(datasets.MIRRORS, "digits",
                        (closed_port_url(), mirror.url + "empty/", mirror.url + "good/"))
    assert_same_data(datasets.load_mnist(), fake)
    assert any(path.startswith("/empty/") for path in mirror.requests)


def test_mirror_serving_wrong_bytes_is_rejected(fake, tmp_path, monkeypatch, mirror):
    mirror.serve_dataset(make_fake_dataset(seed=99), prefix="/wrong/")
    mirror.serve_dataset(fake, prefix="/good/")
    monkeypatch.setitem(datasets.MIRRORS, "digits", (mirror.url + "wrong/", mirror.url + "good/"))
    assert_same_data(datasets.load_mnist(), fake)
    assert sum(path.startswith("/wrong/") for path in mirror.requests) == 4


def test_truncated_file_in_cache_is_reported_and_fetched_again(fake, tmp_path, monkeypatch, mirror):
    folder = cache_folder(tmp_path)
    write_dataset(folder, fake)
    damaged = folder / datasets.FILES["digits"][0].gz_name
    damaged.write_bytes(damaged.read_bytes()[:-30])
    mirror.serve_dataset(fake)
    monkeypatch.setitem(datasets.MIRRORS, "digits", (mirror.url,))

    with pytest.warns(datasets.CorruptDataWarning, match=str(damaged)):
        assert_same_data(datasets.load_mnist(), fake)
    assert mirror.requests == ["/" + damaged.name]
    assert datasets.fetch_mnist()[0] == damaged  # repaired in place


def test_broken_off_download_leaves_no_file(fake, tmp_path, monkeypatch, mirror):
    for spec in datasets.FILES["digits"]:
        mirror.routes["/" + spec.gz_name] = ("truncated", b"\x1f\x8b" + bytes(4000))
    monkeypatch.setitem(datasets.MIRRORS, "digits", (mirror.url,))
    with pytest.raises(datasets.DatasetNotFoundError):
        datasets.load_mnist()
    assert list(cache_folder(tmp_path).iterdir()) == []


def test_interrupted_download_leaves_no_file(fake, tmp_path, monkeypatch, mirror):
    def download_then_interrupt(url, output_path):
        Path(output_path).write_bytes(b"\x1f\x8b" + bytes(100))
        raise KeyboardInterrupt

    monkeypatch.setitem(datasets.MIRRORS, "digits", (mirror.url,))
    monkeypatch.setattr(datasets, "_fetch_url", download_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        datasets.load_mnist()
    assert list(cache_folder(tmp_path).iterdir()) == []


def test_offline_with_no_copy_explains_where_and_how(isolated, tmp_path):
    with pytest.raises(datasets.DatasetNotFoundError) as info:
        datasets.load_mnist(variant="fashion", data_dir=tmp_path / "mine")
    message = str(info.value)
    for expected in (str(tmp_path / "mine"), str(cache_folder(tmp_path, "fashion")),
                     datasets.MIRRORS["fashion"][0], "could not connect",
                     "DP_DATA_DIR", "apt-get install dataset-fashion-mnist"):
        assert expected in message
    # One refused connection is enough: the other three files do not retry
    # the mirror, so an offline machine does not wait once per file.
    assert message.count("could not connect") == 1
    assert message.count("skipped") == 3


# --- the Debian Fashion-MNIST package -------------------------------------------

@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_loads_debian_fashion_mnist(isolated, monkeypatch):
    monkeypatch.setitem(datasets.SYSTEM_DIRS, "fashion", (DEBIAN_FASHION,))
    x_train, y_train, x_test, y_test = datasets.load_mnist(
        variant="fashion", one_hot=True, dtype=np.float32)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and y_train.dtype == np.float32
    assert 0 <= x_train.min() and x_train.max() == 1
    assert y_train.shape == (60000, 10) and y_test.shape == (10000, 10)
    np.testing.assert_array_equal(y_train.sum(axis=1), 1)
    assert len(np.unique(y_test.argmax(axis=1))) == 10
    del x_train, y_train

    _, _, images, labels = datasets.load_mnist(
        variant="fashion", flatten=False, normalized=False, dtype=np.uint8)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.max() == 9
    np.testing.assert_array_equal(images.reshape(10000, -1) / np.float32(255), x_test)


# --- the old notebooks' Mnist class ---------------------------------------------

def test_mnist_class_runs_old_notebook_code(fake, tmp_path, capsys):
    data_dir = tmp_path / "deep.Teaching" / "data"
    write_dataset(data_dir, fake)
    mnist_loader = datasets.Mnist(data_dir)
    train_images, train_labels, test_images, test_labels = mnist_loader.get_all_data(
        flatten=True, one_hot_enc=True, normalized=True)
    assert train_images.shape == (5, 784) and test_images.shape == (3, 784)
    np.testing.assert_array_equal(train_images, fake[0].reshape(5, -1) / 255)
    np.testing.assert_array_equal(np.argmax(train_labels, axis=1), fake[1])
    np.testing.assert_array_equal(test_labels, np.eye(10)[fake[3]])
    assert str(data_dir) in capsys.readouterr().out

    images, labels, _, _ = datasets.Mnist(data_dir, verbose=False).get_all_data(flatten=False)
    np.testing.assert_array_equal(images, fake[0])
    np.testing.assert_array_equal(labels, fake[1])


def test_mnist_class_without_auto_download_never_downloads(fake, tmp_path, monkeypatch, mirror):
    mirror.serve_dataset(fake)
    monkeypatch.setitem(datasets.MIRRORS, "digits", (mirror.url,))
    loader = datasets.Mnist(tmp_path / "empty", auto_download=False)
    with pytest.raises(datasets.DatasetNotFoundError, match="downloading was switched off"):
        loader.get_all_data()
    assert mirror.requests == []


def test_command_line_fetches_ahead_of_time(fake, tmp_path, monkeypatch, mirror, capsys):
    assert datasets.main(["digits", str(tmp_path / "lab")]) == 1
    assert "DP_DATA_DIR" in capsys.readouterr().err

    mirror.serve_dataset(fake)
    monkeypatch.setitem(datasets.MIRRORS, "digits", (mirror.url,))
    assert datasets.main(["digits", str(tmp_path / "lab")]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(tmp_path / "lab" / spec.gz_name) for spec in datasets.FILES["digits"]]
