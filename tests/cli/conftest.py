"""Fixtures of the command line's tests: image folders, a fitted model file,
and guards that fail a test when the command decodes images too early."""

import pytest

from sknotes import images


@pytest.fixture(scope="module")
def folders(tmp_path_factory, write_class_folders):
    root = tmp_path_factory.mktemp("cli")
    return (
        write_class_folders(root / "train"),
        write_class_folders(root / "test", n_per_class=4, seed=1),
    )


@pytest.fixture
def no_loading(monkeypatch):
    """Fail the test if ``sknotes fit`` lists or decodes any image."""
    calls = []

    def refuse(name):
        def called(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} was called before the options were checked")

        return called

    monkeypatch.setattr(images, "load_image_folder", refuse("load_image_folder"))
    for method in ["fit_transform", "transform"]:
        monkeypatch.setattr(images.ImageFlattener, method, refuse(method))
    yield calls
    assert calls == []


@pytest.fixture(scope="session")
def break_images():
    """``break_images(folder, names)`` writes files with image names that hold
    no image; it returns their paths."""

    def write(folder, names):
        paths = [folder / name for name in names]
        for path in paths:
            path.write_bytes(b"\xff\xd8\xff\xe0 cut short")  # a JPEG's first bytes only
        return paths

    return write
