"""deep-teaching-commons, as the older deep.TEACHING notebooks use it, fed by dp.datasets.

Its Mnist downloads from a URL that no longer answers, and only when its folder
does not exist; `python -m dp.datasets VARIANT --for-deep-teaching-commons [DIR]`
puts verified files there. The old loading lines below run unchanged, with
urllib's download replaced by a trap so that any download attempt fails the test.
"""

import gzip
import urllib.request

import numpy as np
import pytest
from deep_teaching_commons import config
from deep_teaching_commons.data.fundamentals.mnist import Mnist

import dp.datasets as datasets
from test_datasets import idx_bytes, make_fake_dataset
from test_setup_data import machine, mirror, put  # noqa: F401 (fixtures)

# As in the old notebooks, character for character.
OLD_NOTEBOOK = """\
from deep_teaching_commons.data.fundamentals.mnist import Mnist
mnist_loader = Mnist(data_dir)
train_images, train_labels, test_images, test_labels = mnist_loader.get_all_data(one_hot_enc=True, flatten=True, normalized=True)
"""


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch):
    def trap(url, *args, **kwargs):
        raise AssertionError(f"deep-teaching-commons tried to download {url}")
    monkeypatch.setattr(urllib.request, "urlretrieve", trap)


def run_old_notebook(data_dir):
    namespace = {"data_dir": None if data_dir is None else str(data_dir)}
    exec(OLD_NOTEBOOK, namespace)
    return [namespace[name] for name in ("train_images", "train_labels", "test_images",
                                         "test_labels")]


@pytest.mark.notebook
def test_old_notebook_code_reads_verified_fashion_mnist_unchanged(tmp_path, capsys):
    try:
        datasets.find_mnist("fashion")
    except datasets.DatasetNotFoundError:
        pytest.skip("no verified Fashion-MNIST on this machine: run python -m tools.setup_data "
                    "with DP_MNIST_VARIANT=fashion (make test does)")
    folder = tmp_path / "MNIST"
    assert datasets.main(["fashion", "--for-deep-teaching-commons", str(folder)]) == 0
    assert sorted(capsys.readouterr().out.split()) == sorted(
        str(folder / spec.gz_name) for spec in datasets.FILES["fashion"])
    x_train, y_train, x_test, y_test = run_old_notebook(folder)
    assert "download aborted" in capsys.readouterr().out
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    # dp's raw pixels (uint8: the smallest copy); the package divides them by 256,
    # which float32 holds exactly. Compared in slices to keep memory low.
    dp_x_train, dp_y_train, dp_x_test, dp_y_test = datasets.load_mnist(
        "fashion", one_hot=True, normalized=False, dtype=np.uint8)
    for ours, theirs in ((dp_x_train, x_train), (dp_x_test, x_test)):
        for start in range(0, len(ours), 10000):
            np.testing.assert_array_equal(theirs[start:start + 10000] * 256,
                                          ours[start:start + 10000])
    np.testing.assert_array_equal(y_train, dp_y_train)
    np.testing.assert_array_equal(y_test, dp_y_test)


def test_layout_fills_the_packages_default_folder_and_replaces_wrong_files(
        machine, monkeypatch, tmp_path, capsys):
    # Fashion's own verified copies: one kept plain, as after gunzip.
    put(machine.files, machine.debian)
    plain = machine.debian / "train-labels-idx1-ubyte"
    plain.write_bytes(gzip.decompress((machine.debian / (plain.name + ".gz")).read_bytes()))
    (machine.debian / (plain.name + ".gz")).unlink()
    monkeypatch.setattr(config, "BASE_DATA_DIR", str(tmp_path / "home" / "deep.TEACHING" / "data"))
    default = tmp_path / "home" / "deep.TEACHING" / "data" / "MNIST"
    default.mkdir(parents=True)
    # Left from the digits: the package keeps both variants in this one folder.
    other = gzip.compress(idx_bytes(make_fake_dataset(seed=99)[2]))
    (default / "t10k-images-idx3-ubyte.gz").write_bytes(other)

    assert datasets.main(["fashion", "--for-deep-teaching-commons"]) == 0
    assert {p.name for p in default.iterdir()} == set(machine.files)  # no temporary left
    arrays = make_fake_dataset(seed=7)  # what the machine fixture wrote
    x_train, y_train, x_test, y_test = run_old_notebook(None)  # Mnist() reads its default
    np.testing.assert_array_equal(np.rint(x_train * 256), arrays[0].reshape(-1, 784))
    np.testing.assert_array_equal(np.rint(x_test * 256), arrays[2].reshape(-1, 784))
    np.testing.assert_array_equal(y_train, np.eye(10)[arrays[1]])
    np.testing.assert_array_equal(y_test, np.eye(10)[arrays[3]])


def test_layout_without_data_explains_and_writes_nothing(machine, tmp_path, capsys):
    assert datasets.main(["fashion", "--for-deep-teaching-commons", str(tmp_path / "x")]) == 1
    assert "Fashion-MNIST ('fashion') is not available" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_find_mnist_never_downloads(machine, mirror):
    mirror.routes = {"/" + name: data for name, data in machine.files.items()}
    datasets.MIRRORS["fashion"] = (mirror.url,)  # the machine fixture restores MIRRORS
    with pytest.raises(datasets.DatasetNotFoundError, match="downloading was switched off"):
        datasets.find_mnist("fashion")
    assert mirror.requests == []
    put(machine.files, machine.debian)
    assert [p.parent for p in datasets.find_mnist("fashion")] == [machine.debian] * 4


def test_a_data_dir_before_the_flag_is_refused_with_the_right_order(capsys):
    with pytest.raises(SystemExit) as exit:
        datasets.main(["fashion", "somewhere", "--for-deep-teaching-commons"])
    assert exit.value.code == 2
    assert "give the folder after --for-deep-teaching-commons" in capsys.readouterr().err
