"""The data step of `make test` and `make lab` (tools/setup_data.py), on a machine made empty.

Each test starts with an empty DP_DATA_DIR and cache, Debian's folder moved to an
empty place (DP_SYSTEM_DATA_DIR), and small generated "Fashion-MNIST" files whose
checksums replace the real table; downloads come from a server on 127.0.0.1
(the Mirror of test_datasets.py), and the real mirrors are replaced by a closed
port, so nothing here can reach the network.
"""

import hashlib
import gzip
import subprocess
from types import SimpleNamespace

import pytest

import dp.datasets as datasets
from test_datasets import Mirror, closed_port_url, idx_bytes, make_fake_dataset
from tools import setup_data


@pytest.fixture
def machine(tmp_path, monkeypatch):
    arrays = make_fake_dataset(seed=7)
    specs = tuple(datasets.DataFile(spec.name, array.shape,
                                    hashlib.sha256(idx_bytes(array)).hexdigest())
                  for spec, array in zip(datasets.FILES["fashion"], arrays))
    monkeypatch.setitem(datasets.FILES, "fashion", specs)
    monkeypatch.setattr(datasets, "MIRRORS",
                        {variant: (closed_port_url(),) for variant in datasets.VARIANTS})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("DP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DP_SYSTEM_DATA_DIR", str(tmp_path / "debian"))
    monkeypatch.setenv("DP_MNIST_VARIANT", "fashion")
    files = {spec.gz_name: gzip.compress(idx_bytes(array)) for spec, array in zip(specs, arrays)}
    return SimpleNamespace(root=tmp_path, files=files,
                           data=tmp_path / "data" / "fashion-mnist",
                           debian=tmp_path / "debian" / "fashion-mnist")


@pytest.fixture
def mirror():
    server = Mirror()
    yield server
    server.close()


def put(files, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def run(capsys, *argv):
    status = setup_data.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_a_verified_copy_in_the_data_dir_is_used_and_nothing_is_downloaded(machine, mirror,
                                                                            capsys):
    put(machine.files, machine.data)
    put(machine.files, machine.debian)
    mirror.routes = {"/" + name: data for name, data in machine.files.items()}
    status, out, _ = run(capsys, "--mirror", mirror.url)
    assert (status, out) == (0, f"✓ Fashion-MNIST verified in {machine.data}\n")
    assert mirror.requests == []


def test_debians_package_is_used_when_nothing_else_is_there_and_damage_is_named(
        machine, mirror, capsys):
    put(machine.files, machine.debian)
    machine.data.mkdir(parents=True)
    (machine.data / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip")  # damaged: skipped
    status, out, err = run(capsys, "--mirror", mirror.url)
    assert (status, out) == (0, f"✓ Fashion-MNIST verified in {machine.debian}\n")
    assert "note: not using a damaged file" in err and "t10k-labels-idx1-ubyte.gz" in err
    assert mirror.requests == []


def test_online_it_downloads_verifies_and_keeps_the_files(machine, mirror, capsys):
    mirror.routes = {"/" + name: data for name, data in machine.files.items()}
    mirror.routes["/t10k-labels-idx1-ubyte.gz"] = gzip.compress(b"\0\0\x08\x01\0\0\0\x03abc")
    second = Mirror()  # the first mirror serves one wrong file: the second one is used for it
    try:
        second.routes = {"/" + name: data for name, data in machine.files.items()}
        status, out, _ = run(capsys, "--mirror", mirror.url, "--mirror", second.url)
        assert (status, out) == (0, f"✓ Fashion-MNIST verified in {machine.data}\n")
        assert sorted(mirror.requests) == sorted("/" + name for name in machine.files)
        assert second.requests == ["/t10k-labels-idx1-ubyte.gz"]
        assert {p.name: p.read_bytes() for p in machine.data.iterdir()} == machine.files
        # Set-up again (the next `make test`): found, nothing downloaded.
        assert run(capsys, "--mirror", mirror.url)[0] == 0
        assert len(mirror.requests) == 4 and len(second.requests) == 1
    finally:
        second.close()


def test_with_nothing_it_stops_with_one_paragraph_saying_how_to_get_the_data(
        machine, mirror, capsys, monkeypatch):
    put(machine.files, machine.debian)
    monkeypatch.setenv("DP_SYSTEM_DATA_DIR", "")  # hides Debian's folder
    status, out, err = run(capsys, "--mirror", mirror.url)  # the mirror answers 404
    assert status == 1 and out == ""
    paragraph = err[err.index("Set-up stopped"):].strip()
    assert "\n\n" not in paragraph and "Traceback" not in err
    for advice in ("Fashion-MNIST", "internet", "DP_DATA_DIR=DIR", "DIR/fashion-mnist",
                   "sudo apt-get install dataset-fashion-mnist", "make doctor"):
        assert advice in paragraph.replace("\n", " ")
    assert not machine.data.exists() or not any(machine.data.iterdir())  # nothing half-written


def test_digits_failure_points_at_the_fashion_package(machine, capsys):
    status, _, err = run(capsys, "--variant", "digits")
    assert status == 1
    assert "DP_MNIST_VARIANT=fashion" in err.replace("\n", " ")


def test_make_test_and_make_lab_run_the_data_step_first():
    for target, then in (("test", "pytest"), ("lab", "tools.lab")):
        plan = subprocess.run(["make", "-n", "-o", ".venv/.installed-stamp", target],
                              capture_output=True, text=True, check=True,
                              cwd=setup_data.__file__.rsplit("/tools/", 1)[0]).stdout
        assert 0 <= plan.index("tools.setup_data") < plan.index(then), plan
