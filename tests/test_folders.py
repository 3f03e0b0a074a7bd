"""Tests of folder discovery: which files in a folder are images.

What is an image is decided here by Pillow writing the file, not by the
table the package reads signatures from.
"""

import os

import pytest
from PIL import Image

from sknotes._folders import IMAGE_EXTENSIONS, image_files, normalised_extensions


def save(path, format=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), (10, 200, 30)).save(path, format=format)
    return path


def names(paths, root):
    return [path.relative_to(root).as_posix() for path in paths]


def test_default_extensions_are_the_images_and_the_plugins_pillow_opens():
    registered = Image.registered_extensions()
    plugins = {".heic", ".heif"}
    expected = IMAGE_EXTENSIONS | {
        e for e in plugins if registered.get(e) in Image.OPEN
    }
    assert normalised_extensions(None) == expected
    assert {".jpg", ".png", ".tiff", ".webp"} <= IMAGE_EXTENSIONS


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("JPG", {".jpg"}),
        (".Png", {".png"}),
        ([" tif ", ".TIFF", "jpg"], {".tif", ".tiff", ".jpg"}),
        (("png",), {".png"}),
    ],
)
def test_extensions_in_any_case_with_or_without_the_dot(given, expected):
    assert normalised_extensions(given) == expected


@pytest.mark.parametrize("bad", ["", ".", " . ", 3, [".jpg", None]])
def test_an_extension_that_is_no_name_is_refused(bad):
    with pytest.raises(ValueError, match="extensions must be names like '.jpg'"):
        normalised_extensions(bad if isinstance(bad, list) else [bad])


def test_images_and_skipped_files_sorted_hidden_ones_left_out(tmp_path):
    save(tmp_path / "b.png")
    save(tmp_path / "A.JPG")
    save(tmp_path / "noext", format="PNG")  # recognised by its content
    save(tmp_path / "jpeg.txt", format="JPEG")  # another extension
    save(tmp_path / ".hidden.png")
    (tmp_path / "notes.txt").write_text("a note")
    (tmp_path / "README").write_text("no extension, not an image")
    save(tmp_path / "sub" / "c.png")
    images, skipped = image_files(tmp_path, normalised_extensions(None), False)
    assert names(images, tmp_path) == ["A.JPG", "b.png", "noext"]
    assert names(skipped, tmp_path) == ["README", "jpeg.txt", "notes.txt"]
    images, skipped = image_files(tmp_path, normalised_extensions(None), True)
    assert names(images, tmp_path) == ["A.JPG", "b.png", "jpeg.txt", "noext"]
    assert names(skipped, tmp_path) == ["README", "notes.txt"]


def test_recursive_search_leaves_out_hidden_folders(tmp_path):
    save(tmp_path / "a.png")
    save(tmp_path / "sub" / "deeper" / "b.gif")
    save(tmp_path / ".cache" / "c.png")
    (tmp_path / "sub" / "list.csv").write_text("x\n")
    images, skipped = image_files(
        tmp_path, normalised_extensions("png"), sniff_all=True, recursive=True
    )
    assert names(images, tmp_path) == ["a.png", "sub/deeper/b.gif"]
    assert names(skipped, tmp_path) == ["sub/list.csv"]


def test_entries_named_like_images_are_kept_to_be_reported(tmp_path):
    # A broken link or a pipe named like an image is kept, so that loading
    # names it with the reason; a folder named like one is not an image.
    (tmp_path / "broken.jpg").symlink_to(tmp_path / "missing.jpg")
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "pipe").symlink_to(tmp_path / "pipe.png")  # never opened to sniff
    images, skipped = image_files(tmp_path, normalised_extensions(None), True)
    assert names(images, tmp_path) == ["broken.jpg", "pipe.png"]
    assert names(skipped, tmp_path) == ["pipe"]


def test_a_file_starting_bm_is_no_bmp_without_zero_reserved_bytes(tmp_path):
    save(tmp_path / "real", format="BMP")
    (tmp_path / "text").write_bytes(b"BMW 320i, 1987, blue\n")
    images, skipped = image_files(tmp_path, frozenset({".png"}), False)
    assert names(images, tmp_path) == ["real"]
    assert names(skipped, tmp_path) == ["text"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_broken_links_loops_and_pipes_named_like_images_are_kept_and_named(
    tmp_path, one_image_folder
):
    import os

    from sknotes import ImageFlattener, ImageLoadError, load_image_folder

    folder = one_image_folder
    (folder / "broken.jpg").symlink_to(folder / "missing.jpg")
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    os.mkfifo(folder / "pipe.jpg")
    files = load_image_folder(tmp_path / "photos").filenames
    names = sorted(os.path.basename(f) for f in files)
    assert names == ["broken.jpg", "good.jpg", "loop.jpg", "pipe.jpg"]
    for name, reason in [
        ("broken.jpg", "broken symbolic link"),
        ("loop.jpg", "loop.jpg"),
        ("pipe.jpg", "not a regular file"),
    ]:
        with pytest.raises(ImageLoadError, match=reason):
            ImageFlattener(size=4).transform([str(folder / name)])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("extensions", ["jpg", ".JPG", ["jpg"], ("PNG", ".jpg")])
def test_extensions_take_a_string_and_names_with_or_without_the_dot(
    tmp_path, extensions, one_image_folder
):
    from sknotes import load_image_folder

    data = load_image_folder(tmp_path / "photos", extensions=extensions)
    assert [f.rsplit("/", 1)[-1] for f in data.filenames] == ["good.jpg"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_no_image_files_error_lists_the_extensions_searched(tmp_path, one_image_folder):
    from sknotes import load_image_folder

    with pytest.raises(ValueError, match=r"searched for \.gif, \.png"):
        load_image_folder(tmp_path / "photos", extensions=["png", "gif"])
    with pytest.raises(ValueError, match="extensions must be names"):
        load_image_folder(tmp_path / "photos", extensions=[""])
