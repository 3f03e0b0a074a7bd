"""Tests of ImageFlattener and load_image_folder on real files made at test time.

Every expected value comes from a second computation: Pillow called the plain
way, or numpy on the pixels that were written.
"""

import os
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageOps, features
from sklearn.base import clone
from sklearn.datasets import load_digits, load_sample_image
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import (
    check_estimator_repr,
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from sknotes.images import ImageFlattener, ImageLoadError, load_image_folder
from sknotes.linear_model import GDLogisticRegression

# -- image files for the tests ------------------------------------------------


def photo(name="china.jpg", width=96, height=64):
    """A small natural image: a crop of one of scikit-learn's sample photos."""
    pixels = load_sample_image(name)
    top, left = 150, 200
    return np.ascontiguousarray(pixels[top : top + height, left : left + width])


def save(path, pixels, **options):
    """Write ``pixels`` (an array or an Image) to ``path``; return the path."""
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    image.save(path, **options)
    return path


def pillow_pixels(path, mode="RGB", size=None, resample=Image.Resampling.BILINEAR):
    """The plain Pillow way: open, make upright, convert, resize."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image).convert(mode)
        if size is not None:
            image = image.resize(size, resample)
        return np.asarray(image)


def flat(pixels, n=1):
    return pixels.reshape(n, -1)


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    """Twelve JPEG crops of the two sample photos, of two sizes."""
    folder = tmp_path_factory.mktemp("jpegs")
    rng = np.random.default_rng(0)
    paths = []
    for i in range(12):
        name = ("china.jpg", "flower.jpg")[i % 2]
        width, height = ((320, 213), (98, 98))[i // 6]
        full = load_sample_image(name)
        top = rng.integers(0, full.shape[0] - height)
        left = rng.integers(0, full.shape[1] - width)
        crop = full[top : top + height, left : left + width]
        paths.append(save(folder / f"{i:02d}.jpg", np.ascontiguousarray(crop)))
    return [str(p) for p in paths]


# -- values: order, scaling, dtype ---------------------------------------------


def test_rows_are_pixels_in_row_column_channel_order(tmp_path):
    pixels = photo()
    path = save(tmp_path / "a.png", pixels)
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    np.testing.assert_array_equal(out, flat(pixels))
    assert out.shape == (1, 64 * 96 * 3)
    # Reshaped with image_shape_, a row is the image again.
    flattener = ImageFlattener(size=None).fit([path])
    assert flattener.image_shape_ == pixels.shape
    assert flattener.n_features_out_ == pixels.size


def test_normalize_divides_by_255(tmp_path):
    pixels = photo()
    path = save(tmp_path / "a.png", pixels)
    out = ImageFlattener(size=None).fit_transform([path])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, flat(pixels).astype(np.float32) / 255)
    assert 0 <= out.min() and out.max() <= 1


@pytest.mark.parametrize("dtype", [np.float64, "float64"])
def test_float64_output(tmp_path, dtype):
    pixels = photo()
    path = save(tmp_path / "a.png", pixels)
    out = ImageFlattener(size=None, dtype=dtype).fit_transform([path])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, flat(pixels) / 255.0)


@pytest.mark.parametrize(
    "resample", ["nearest", "bilinear", "bicubic", "lanczos", "box", "hamming"]
)
def test_exact_mode_equals_a_plain_pillow_resize(jpegs, resample):
    filter_ = getattr(Image.Resampling, resample.upper())
    out = ImageFlattener(
        size=(40, 30), resample=resample, draft=False, normalize=False
    ).fit_transform(jpegs[:2])
    expected = [pillow_pixels(p, size=(40, 30), resample=filter_) for p in jpegs[:2]]
    np.testing.assert_array_equal(out, flat(np.stack(expected), 2))


@pytest.mark.parametrize("color", ["rgb", "grayscale"])
def test_draft_mode_is_close_to_the_exact_path(jpegs, color):
    draft = ImageFlattener((32, 32), color=color, normalize=False).fit_transform(jpegs)
    exact = ImageFlattener(
        (32, 32), color=color, normalize=False, draft=False
    ).fit_transform(jpegs)
    difference = np.abs(draft - exact)
    assert difference.mean() < 2.0  # measured about 0.9 on photos
    assert np.percentile(difference, 99) <= 12
    assert difference.max() > 0  # draft decoding did take another path


def test_grayscale_is_pillows_luma(jpegs):
    out = ImageFlattener((24, 20), color="grayscale", draft=False, normalize=False)
    expected = [pillow_pixels(p, "L", (24, 20)) for p in jpegs[:3]]
    np.testing.assert_array_equal(
        out.fit_transform(jpegs[:3]), flat(np.stack(expected), 3)
    )


@pytest.mark.parametrize("draft", [True, False])
def test_threads_give_the_same_output(jpegs, draft):
    one = ImageFlattener((32, 24), draft=draft, n_jobs=1).fit_transform(jpegs)
    two = ImageFlattener((32, 24), draft=draft, n_jobs=2).fit_transform(jpegs)
    np.testing.assert_array_equal(one, two)


def test_int_size_means_square(jpegs):
    out = ImageFlattener(16).fit(jpegs[:1])
    assert out.image_shape_ == (16, 16, 3)


# -- formats and modes -----------------------------------------------------------


LOSSLESS = ["png", "bmp", "tiff"] + (["webp"] if features.check("webp") else [])


@pytest.mark.parametrize("extension", LOSSLESS)
def test_lossless_formats_give_back_the_pixels(tmp_path, extension):
    pixels = photo()
    options = {"lossless": True} if extension == "webp" else {}
    path = save(tmp_path / f"image.{extension}", pixels, **options)
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    np.testing.assert_array_equal(out, flat(pixels))


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_baseline_and_progressive(tmp_path, progressive):
    path = save(tmp_path / "image.jpg", photo(), progressive=progressive, quality=95)
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    np.testing.assert_array_equal(out, flat(pillow_pixels(path)))
    assert np.abs(out - flat(photo())).mean() < 8  # and it is the photo


def test_gif_gives_its_first_frame(tmp_path):
    red, blue = (np.zeros((8, 8, 3), np.uint8) for _ in range(2))
    red[..., 0] = 255
    blue[..., 2] = 255
    frames = [Image.fromarray(red), Image.fromarray(blue)]
    path = tmp_path / "animation.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    np.testing.assert_array_equal(out, flat(red))


def test_palette_image(tmp_path):
    image = Image.fromarray(photo()).quantize(16)
    path = save(tmp_path / "palette.png", image)
    expected = np.asarray(image.convert("RGB"))
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    np.testing.assert_array_equal(out, flat(expected))


def test_grayscale_file_gives_three_equal_channels(tmp_path):
    gray = np.asarray(Image.fromarray(photo()).convert("L"))
    path = save(tmp_path / "gray.png", gray)
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    np.testing.assert_array_equal(out, flat(np.repeat(gray[..., None], 3, axis=2)))
    out = ImageFlattener(size=None, normalize=False, color="grayscale")
    np.testing.assert_array_equal(out.fit_transform([path]), flat(gray))


def test_one_bit_image(tmp_path):
    bits = photo()[..., 0] > 128
    path = save(tmp_path / "bits.png", Image.fromarray(bits))
    out = ImageFlattener(size=None, normalize=False, color="grayscale")
    np.testing.assert_array_equal(out.fit_transform([path]), flat(bits * 255))


def composite_on_white(rgb, alpha):
    """Alpha compositing onto white, in floating point."""
    a = alpha[..., None] / 255.0
    return rgb * a + 255 * (1 - a)


def test_alpha_is_composited_on_white(tmp_path):
    rgb = photo()
    alpha = np.linspace(0, 255, rgb.shape[1]).astype(np.uint8)
    alpha = np.broadcast_to(alpha, rgb.shape[:2])
    path = save(tmp_path / "rgba.png", np.dstack([rgb, alpha]))
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    expected = composite_on_white(rgb.astype(float), alpha.astype(float))
    np.testing.assert_allclose(out, flat(expected), atol=1)
    assert np.all(out.reshape(rgb.shape)[:, 0] == 255)  # transparent: white


def test_gray_with_alpha(tmp_path):
    gray = np.asarray(Image.fromarray(photo()).convert("L"))
    alpha = np.full_like(gray, 128)
    path = save(tmp_path / "la.png", Image.fromarray(np.dstack([gray, alpha]), "LA"))
    out = ImageFlattener(size=None, normalize=False, color="grayscale")
    expected = composite_on_white(gray[..., None].astype(float), alpha)[..., 0]
    np.testing.assert_allclose(out.fit_transform([path]), flat(expected), atol=1)


def test_transparent_palette_colour_is_white(tmp_path):
    indices = np.zeros((6, 6), np.uint8)
    indices[:3] = 1
    image = Image.fromarray(indices, "P")
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    path = save(tmp_path / "transparent.png", image, transparency=0)
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    expected = np.zeros((6, 6, 3))
    expected[:3] = [255, 0, 0]
    expected[3:] = 255
    np.testing.assert_array_equal(out, flat(expected))


def cmyk_to_rgb(cmyk):
    """Pillow's formula, written out: R = (255 - C)(255 - K) / 255."""
    cmyk = cmyk.astype(float)
    white = 255 - cmyk[..., 3:]
    return (255 - cmyk[..., :3]) * white / 255


@pytest.mark.parametrize("extension", ["jpg", "tiff"])
def test_cmyk(tmp_path, extension):
    path = save(
        tmp_path / f"cmyk.{extension}", Image.fromarray(photo()).convert("CMYK")
    )
    with Image.open(path) as image:
        stored = np.asarray(image)  # what the file holds, decoded
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    np.testing.assert_allclose(out, flat(cmyk_to_rgb(stored)), atol=1)
    assert np.abs(out - flat(photo())).mean() < 8


def test_sixteen_bit_is_scaled_not_clipped(tmp_path):
    values = np.linspace(0, 65535, 64 * 96).reshape(64, 96).astype(np.uint16)
    path = save(tmp_path / "deep.png", values)
    with Image.open(path) as image:
        assert image.mode.startswith("I")
    out = ImageFlattener(size=None, normalize=False, color="grayscale")
    np.testing.assert_array_equal(
        out.fit_transform([path]), flat(np.round(values / 257))
    )


def test_thirty_two_bit_integer_image(tmp_path):
    values = np.linspace(0, 65535, 24).reshape(4, 6).astype(np.int32)
    path = save(tmp_path / "int.tiff", Image.fromarray(values))
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    expected = np.repeat(np.round(values / 257)[..., None], 3, axis=2)
    np.testing.assert_array_equal(out, flat(expected))


def test_floating_point_image_is_refused(tmp_path):
    path = save(tmp_path / "float.tiff", Image.fromarray(np.ones((4, 4), np.float32)))
    with pytest.raises(ImageLoadError, match="float.tiff.*floating-point"):
        ImageFlattener(size=None).fit_transform([path])


# Orientation tag -> what a viewer does to the stored pixels, in numpy.
UPRIGHT = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}


def with_orientation(orientation):
    """Save options that tag the file with an EXIF orientation."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return {"exif": exif}


@pytest.mark.parametrize("orientation", sorted(UPRIGHT))
def test_exif_orientation_is_applied(tmp_path, orientation):
    pixels = photo(width=12, height=8)
    image = Image.fromarray(pixels)
    path = save(tmp_path / "o.png", image, **with_orientation(orientation))
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    expected = UPRIGHT[orientation](pixels)
    np.testing.assert_array_equal(out, flat(expected))
    np.testing.assert_array_equal(out, flat(pillow_pixels(path)))


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_tiff_orientation_is_applied_once(tmp_path, orientation):
    # Recent Pillow turns a TIFF upright by itself; it must not turn twice.
    from PIL import TiffImagePlugin

    pixels = photo(width=12, height=8)
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[0x0112] = orientation
    path = save(tmp_path / "o.tif", Image.fromarray(pixels), tiffinfo=tags)
    flattener = ImageFlattener(size=None, normalize=False)
    out = flattener.fit_transform([path])
    expected = UPRIGHT[orientation](pixels)
    assert flattener.image_shape_ == expected.shape
    np.testing.assert_array_equal(out, flat(expected))


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_in_draft_mode(tmp_path, orientation):
    image = Image.fromarray(photo("flower.jpg", width=320, height=240))
    path = save(tmp_path / "o.jpg", image, **with_orientation(orientation))
    flattener = ImageFlattener((30, 40), normalize=False)
    draft = flattener.fit_transform([path])
    assert flattener.image_shape_ == (40, 30, 3)
    exact = pillow_pixels(path, size=(30, 40))
    assert np.abs(draft - flat(exact)).mean() < 3


def test_size_none_uses_the_upright_size(tmp_path):
    image = Image.fromarray(photo(width=12, height=8))
    path = save(tmp_path / "o.jpg", image, **with_orientation(6))
    assert ImageFlattener(size=None).fit([path]).image_shape_ == (12, 8, 3)


def test_file_names_with_spaces_and_non_ascii_characters(tmp_path):
    folder = tmp_path / "vacances d'été"
    folder.mkdir()
    path = save(folder / "chat noir 猫 ñ.png", photo())
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    np.testing.assert_array_equal(out, flat(photo()))


def test_file_without_extension_is_recognised_by_content(tmp_path):
    path = tmp_path / "image"
    save(path, photo(), format="PNG")
    out = ImageFlattener(size=None, normalize=False).fit_transform([path])
    np.testing.assert_array_equal(out, flat(photo()))


# -- input types ------------------------------------------------------------------


@pytest.fixture
def two_pngs(tmp_path):
    return [
        str(save(tmp_path / "a.png", photo())),
        str(save(tmp_path / "b.png", photo("flower.jpg"))),
    ]


@pytest.mark.parametrize(
    "wrap",
    [
        list,
        tuple,
        lambda p: [os.fsencode(x) for x in p],
        lambda p: np.asarray(p),
        lambda p: np.asarray(p, dtype=object),
        lambda p: np.asarray(p)[:, None],
        lambda p: pd.Series(p),
        lambda p: pd.DataFrame({"path": p}),
        lambda p: [Path(x) for x in p],
    ],
    ids=["list", "tuple", "bytes", "str-array", "object-array", "column-array",
         "series", "dataframe", "pathlib"],
)  # fmt: skip
def test_accepted_containers_of_paths(two_pngs, wrap):
    expected = ImageFlattener(size=None).fit_transform(two_pngs)
    np.testing.assert_array_equal(
        ImageFlattener(size=None).fit_transform(wrap(two_pngs)), expected
    )


def test_images_in_memory_go_through_the_same_path(two_pngs):
    pixels = np.stack([photo(), photo("flower.jpg")])
    for size in [None, (30, 20)]:
        from_files = ImageFlattener(size, draft=False).fit_transform(two_pngs)
        from_memory = ImageFlattener(size).fit_transform(pixels)
        np.testing.assert_array_equal(from_memory, from_files)
    grayscale = ImageFlattener((30, 20), color="grayscale")
    np.testing.assert_array_equal(
        grayscale.fit_transform(pixels), grayscale.fit_transform(two_pngs)
    )


def test_images_in_memory_of_every_channel_count():
    gray = np.asarray(Image.fromarray(photo()).convert("L"))[None]
    out = ImageFlattener(size=None, normalize=False, color="grayscale")
    np.testing.assert_array_equal(out.fit_transform(gray), flat(gray))
    np.testing.assert_array_equal(out.fit_transform(gray[..., None]), flat(gray))
    rgb = ImageFlattener(size=None, normalize=False).fit_transform(gray)
    np.testing.assert_array_equal(rgb, flat(np.repeat(gray[..., None], 3, axis=3)))
    rgba = np.dstack([photo(), np.full(photo().shape[:2], 255, np.uint8)])[None]
    out = ImageFlattener(size=None, normalize=False).fit_transform(rgba)
    np.testing.assert_array_equal(out, flat(photo()))


@settings(max_examples=25, deadline=None)
@given(
    arrays(
        np.uint8,
        st.tuples(
            st.integers(1, 3),
            st.integers(1, 6),
            st.integers(1, 6),
            st.sampled_from([3]),
        ),
    )
)
def test_flattening_arrays_is_reshape_over_255(images):
    out = ImageFlattener(size=None).fit_transform(images)
    expected = images.reshape(len(images), -1).astype(np.float32) / 255
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize(
    "bad, error, message",
    [
        ("one.jpg", TypeError, "single path"),
        ([], ValueError, "empty"),
        ([1, 2], TypeError, "item 0"),
        (np.zeros((2, 4, 4), np.float64), ValueError, "uint8"),
        (np.zeros((2, 4, 4, 2), np.uint8), ValueError, "channels"),
        (np.zeros((0, 4, 4), np.uint8), ValueError, "empty"),
        (42, TypeError, "sequence"),
    ],
)
def test_bad_containers(bad, error, message):
    with pytest.raises(error, match=message):
        ImageFlattener().fit_transform(bad)


def test_dataframe_with_two_columns_is_refused(two_pngs):
    frame = pd.DataFrame({"a": two_pngs, "b": two_pngs})
    with pytest.raises(ValueError, match="one column"):
        ImageFlattener().fit_transform(frame)


# -- size=None --------------------------------------------------------------------


def test_size_none_with_different_sizes_names_the_file(tmp_path):
    first = save(tmp_path / "first.png", photo())
    odd = save(tmp_path / "odd one.png", photo(width=50))
    with pytest.raises(ImageLoadError, match=r"odd one\.png.*50x64.*96x64"):
        ImageFlattener(size=None).fit_transform([first, first, odd])
    with pytest.raises(ImageLoadError, match=r"odd one\.png"):
        ImageFlattener(size=None, n_jobs=2).fit_transform([first] * 5 + [odd])


def test_size_none_keeps_the_size_seen_in_fit(tmp_path):
    small = save(tmp_path / "small.png", photo(width=10, height=10))
    big = save(tmp_path / "big.png", photo())
    flattener = ImageFlattener(size=None).fit([small])
    with pytest.raises(ImageLoadError, match="big.png"):
        flattener.transform([big])


def test_size_none_keeps_the_size_seen_in_fit_for_arrays_too():
    rng = np.random.RandomState(0)
    big = rng.randint(0, 256, (2, 20, 30, 3)).astype(np.uint8)
    small = rng.randint(0, 256, (2, 10, 15, 3)).astype(np.uint8)
    flattener = ImageFlattener(size=None).fit(big)
    assert flattener.transform(big).shape == (2, 20 * 30 * 3)
    with pytest.raises(ValueError, match=r"15x10.*30x20.*size=None"):
        flattener.transform(small)


def test_a_list_of_arrays_gets_a_clear_error():
    images = [np.zeros((8, 8, 3), np.uint8), np.zeros((6, 9, 3), np.uint8)]
    with pytest.raises(TypeError, match=r"Item 0 is an array of shape \(8, 8, 3\)"):
        ImageFlattener((4, 4)).fit_transform(images)


def test_one_colour_image_is_not_taken_for_a_stack_of_grey_ones():
    one = np.zeros((48, 64, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"one colour image.*X\[np.newaxis\]"):
        ImageFlattener((8, 8)).fit_transform(one)
    assert ImageFlattener((8, 8)).fit_transform(one[np.newaxis]).shape == (1, 192)
    grey = np.zeros((48, 64, 3, 1), dtype=np.uint8)  # width 3, said so
    assert ImageFlattener((8, 8), color="grayscale").fit_transform(grey).shape[0] == 48


def test_unfitted_transform_works_and_checks_parameters(jpegs):
    assert ImageFlattener((8, 8)).transform(jpegs[:2]).shape == (2, 192)
    with pytest.raises(InvalidParameterError, match="color"):
        ImageFlattener(color="purple").transform(jpegs[:1])


def test_changing_size_after_fit_is_an_error(jpegs):
    flattener = ImageFlattener((8, 8)).fit(jpegs[:1])
    flattener.set_params(size=(9, 9))
    with pytest.raises(ValueError, match="fit again"):
        flattener.transform(jpegs[:1])


@pytest.mark.parametrize("size", [(0, 5), (5,), (1.5, 2), "64", (True, 2), 0])
def test_bad_size(jpegs, size):
    with pytest.raises(ValueError, match="size"):
        ImageFlattener(size=size).fit(jpegs[:1])


@pytest.mark.parametrize(
    "params",
    [{"color": "cmyk"}, {"resample": "cubic"}, {"dtype": np.int32},
     {"normalize": "yes"}, {"n_jobs": 1.5}, {"draft": None}],
)  # fmt: skip
def test_parameter_validation(jpegs, params):
    with pytest.raises(InvalidParameterError):
        ImageFlattener(**params).fit(jpegs[:1])


# -- bad files ----------------------------------------------------------------------


def assert_load_error(path, reason, n_jobs=1, others=()):
    """Loading ``path`` among ``others`` raises ImageLoadError naming it."""
    with pytest.raises(ImageLoadError) as info:
        ImageFlattener((8, 8), n_jobs=n_jobs).fit_transform([*others, path])
    assert str(path) in str(info.value)
    assert info.value.filename == str(path)
    assert reason in info.value.reason
    return info.value


def test_missing_file(tmp_path):
    assert_load_error(tmp_path / "missing.jpg", "no such file")


def test_directory(tmp_path):
    assert_load_error(tmp_path, "directory")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.touch()
    assert_load_error(path, "empty")


def test_truncated_jpeg(tmp_path):
    path = save(tmp_path / "cut.jpg", photo())
    path.write_bytes(path.read_bytes()[:1500])
    error = assert_load_error(path, "truncated")
    assert isinstance(error.__cause__, OSError)
    assert_load_error(path, "truncated", n_jobs=2)


def test_text_file_named_jpg(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("these are not pixels\n")
    assert_load_error(path, "text file")


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.png"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 500, np.uint8).tobytes())
    assert_load_error(path, "not an image")


def test_an_archive_named_like_an_image_says_what_it_is(tmp_path):
    import zipfile

    path = tmp_path / "photos.jpg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "a zip file, not a picture")
    assert_load_error(path, "it is a zip archive")


def test_html_page(tmp_path):
    path = tmp_path / "download.jpg"
    path.write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>")
    assert_load_error(path, "HTML")


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need rights")
def test_dangling_symlink(tmp_path):
    path = tmp_path / "link.jpg"
    path.symlink_to(tmp_path / "gone.jpg")
    assert_load_error(path, "broken symbolic link")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    # Opening a FIFO for reading blocks until a writer appears: the loader
    # must refuse it before opening it.
    path = tmp_path / "pipe.jpg"
    os.mkfifo(path)
    assert_load_error(path, "not a regular file")


def test_image_over_the_decompression_bomb_limit(tmp_path, monkeypatch):
    path = save(tmp_path / "bomb.png", photo(width=30, height=10))  # 300 pixels
    # Between one and two times the limit Pillow warns, and the image loads
    # (as a 108-megapixel phone photo does with the default limit).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 200)
    with pytest.warns(Image.DecompressionBombWarning):
        assert ImageFlattener(8).fit_transform([path]).shape == (1, 192)
    # Above twice the limit, where Pillow raises.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    assert_load_error(path, "MAX_IMAGE_PIXELS")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert ImageFlattener(8).fit_transform([path]).shape == (1, 192)


def test_one_bad_file_among_many_in_worker_threads(jpegs, tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + bytes(100))
    for position in [0, 5, len(jpegs)]:
        paths = [*jpegs[:position], bad, *jpegs[position:]]
        with pytest.raises(ImageLoadError, match="bad.jpg"):
            ImageFlattener((8, 8), n_jobs=2).fit_transform(paths)


def test_load_error_survives_pickling():
    error = ImageLoadError("a.jpg", "no such file")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.filename, copy.reason, str(copy)) == (
        "a.jpg",
        "no such file",
        str(error),
    )
    assert isinstance(copy, ValueError)


def test_load_error_is_named_from_the_public_module():
    # Tracebacks print "sknotes.images.ImageLoadError", and pickles (a
    # process pool sending the error back) name the module users import.
    assert ImageLoadError.__module__ == "sknotes.images"
    assert b"sknotes.images" in pickle.dumps(ImageLoadError("a.jpg", "gone"))
    assert b"_image_errors" not in pickle.dumps(ImageLoadError("a.jpg", "gone"))


# -- scikit-learn API ---------------------------------------------------------------


def test_feature_names(jpegs):
    names = ImageFlattener((3, 2)).fit(jpegs[:1]).get_feature_names_out()
    assert len(names) == 2 * 3 * 3
    assert list(names[:4]) == ["r0_c0_red", "r0_c0_green", "r0_c0_blue", "r0_c1_red"]
    assert names[-1] == "r1_c2_blue"
    gray = ImageFlattener((3, 2), color="grayscale").get_feature_names_out()
    assert list(gray) == [f"r{r}_c{c}_gray" for r in range(2) for c in range(3)]


def test_feature_names_need_fit_when_size_is_none():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ImageFlattener(size=None).get_feature_names_out()


def test_pandas_output(jpegs):
    paths = pd.Series(jpegs[:3], index=["x", "y", "z"])
    flattener = ImageFlattener((4, 3)).set_output(transform="pandas")
    frame = flattener.fit_transform(paths)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == ["x", "y", "z"]
    assert list(frame.columns) == list(flattener.get_feature_names_out())
    plain = ImageFlattener((4, 3)).fit_transform(jpegs[:3])
    np.testing.assert_array_equal(frame.to_numpy(), plain)


def test_tags():
    tags = ImageFlattener().__sklearn_tags__()
    assert not tags.input_tags.two_d_array
    assert tags.input_tags.one_d_array and tags.input_tags.string
    assert not tags.requires_fit


@pytest.mark.parametrize(
    "check",
    [
        check_get_params_invariance,
        check_set_params,
        check_no_attributes_set_in_init,
        check_estimator_repr,
        check_parameters_default_constructible,
    ],
)
def test_sklearn_api_checks(check):
    check("ImageFlattener", ImageFlattener())


def test_fit_does_not_change_parameters(jpegs):
    # check_estimators_overwrite_params feeds numbers, not paths: same idea.
    flattener = ImageFlattener(size=[16, 12], dtype="float64")
    before = flattener.get_params()
    flattener.fit_transform(jpegs[:2])
    assert flattener.get_params() == before


def test_clone_keeps_parameters_not_fitted_state(jpegs):
    flattener = ImageFlattener((8, 6), color="grayscale", n_jobs=2).fit(jpegs[:1])
    copy = clone(flattener)
    assert copy.get_params() == flattener.get_params()
    assert not hasattr(copy, "image_shape_")


@pytest.fixture(scope="module")
def digit_files(tmp_path_factory):
    """120 digits of load_digits as 16x16 PNG files, two classes."""
    folder = tmp_path_factory.mktemp("digits")
    digits = load_digits(n_class=2)
    paths = []
    for i, (pixels, label) in enumerate(zip(digits.images[:120], digits.target)):
        image = Image.fromarray((pixels * 15).astype(np.uint8)).resize((16, 16))
        paths.append(str(save(folder / f"{label}_{i}.png", image)))
    return np.asarray(paths), digits.target[:120]


def test_grid_search_over_both_steps(digit_files):
    paths, y = digit_files
    pipeline = make_pipeline(
        ImageFlattener(color="grayscale"), GDLogisticRegression(max_iter=50, tol=None)
    )
    grid = GridSearchCV(
        pipeline,
        {
            "imageflattener__size": [(8, 8), (16, 16)],
            "gdlogisticregression__alpha": [0.0, 1.0],
        },
        cv=3,
    ).fit(paths, y)
    assert grid.best_score_ > 0.9
    assert set(grid.cv_results_["param_imageflattener__size"]) == {(8, 8), (16, 16)}
    assert grid.predict(paths[:5]).shape == (5,)


def test_fitted_pipeline_survives_clone_and_pickle(digit_files):
    paths, y = digit_files
    pipeline = make_pipeline(
        ImageFlattener((8, 8), color="grayscale"),
        GDLogisticRegression(max_iter=50, tol=None),
    ).fit(paths, y)
    restored = pickle.loads(pickle.dumps(pipeline))
    np.testing.assert_array_equal(
        restored.predict_proba(paths), pipeline.predict_proba(paths)
    )
    refit = clone(pipeline).fit(paths, y)
    np.testing.assert_allclose(
        refit.predict_proba(paths), pipeline.predict_proba(paths)
    )


# -- load_image_folder ----------------------------------------------------------------


@pytest.fixture
def class_folders(tmp_path):
    """cat/ and dog/ with images and the clutter that real folders have."""
    for name in ["cat/b.jpg", "cat/a.PNG", "dog/1.jpeg", "dog/photo"]:
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        save(path, photo(width=8, height=8), format="PNG")
    (tmp_path / "cat" / ".hidden.jpg").write_bytes(b"")
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    (tmp_path / "dog" / "README").write_text("no extension, not an image")
    (tmp_path / ".cache").mkdir()
    save(tmp_path / ".cache" / "x.png", photo(width=8, height=8))
    (tmp_path / "labels.csv").write_text("file,label\n")
    return tmp_path


def test_load_image_folder(class_folders):
    data = load_image_folder(class_folders)
    relative = [os.path.relpath(f, class_folders) for f in data.filenames]
    assert relative == [
        os.path.join("cat", "a.PNG"),
        os.path.join("cat", "b.jpg"),
        os.path.join("dog", "1.jpeg"),
        os.path.join("dog", "photo"),
    ]
    assert data.target.tolist() == [0, 0, 1, 1]
    assert data.target_names.tolist() == ["cat", "dog"]
    assert data.filenames.dtype.kind == "U"
    skipped = [os.path.relpath(f, class_folders) for f in data.skipped]
    assert skipped == [os.path.join("cat", "notes.txt"), os.path.join("dog", "README")]
    # The files it finds load.
    assert ImageFlattener(4).fit_transform(data.filenames).shape == (4, 48)


def test_load_image_folder_return_x_y(class_folders):
    filenames, target = load_image_folder(class_folders, return_X_y=True)
    data = load_image_folder(class_folders)
    np.testing.assert_array_equal(filenames, data.filenames)
    np.testing.assert_array_equal(target, data.target)


def test_load_image_folder_custom_extensions(class_folders):
    data = load_image_folder(class_folders, extensions=[".JPG"])
    names = [os.path.basename(f) for f in data.filenames]
    assert names == ["b.jpg", "photo"]


def test_load_image_folder_finds_every_photo_pillow_reads(tmp_path):
    # Formats past the classic ones, and a JPEG whose name says HEIC (a
    # phone's export): by default they are images, not silently dropped.
    from PIL import features

    image = Image.fromarray(photo(width=8, height=8))
    names = ["a.jpg", "b.jp2", "c.heic", "d.tga"]
    if features.check("avif"):
        names.append("e.avif")
    for name in names:
        path = tmp_path / "cls" / name
        path.parent.mkdir(exist_ok=True)
        kind = {"heic": "JPEG", "jp2": "JPEG2000"}.get(name[2:])
        image.save(path, format=kind)
    data = load_image_folder(tmp_path)
    assert sorted(os.path.basename(f) for f in data.filenames) == names
    assert len(data.skipped) == 0
    assert ImageFlattener(4).fit_transform(data.filenames).shape == (len(names), 48)
    explicit = load_image_folder(tmp_path, extensions="jpg")
    assert [os.path.basename(f) for f in explicit.filenames] == ["a.jpg"]


def test_command_line_reports_skipped_files(class_folders, capsys):
    from sknotes.__main__ import main

    assert main(["fit", str(class_folders), "--size", "4", "4"]) == 0
    err = capsys.readouterr().err
    assert "Skipped 2 files that are not images: notes.txt, README" in err


def test_load_image_folder_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_image_folder(tmp_path / "nowhere")


def test_load_image_folder_on_a_file(tmp_path):
    path = save(tmp_path / "a.png", photo())
    with pytest.raises(NotADirectoryError, match="a.png"):
        load_image_folder(path)


def test_load_image_folder_empty(tmp_path):
    with pytest.raises(ValueError, match="no class subfolders"):
        load_image_folder(tmp_path)


def test_load_image_folder_without_class_subfolders(tmp_path):
    save(tmp_path / "a.png", photo())
    (tmp_path / ".git").mkdir()
    with pytest.raises(ValueError, match="no class subfolders"):
        load_image_folder(tmp_path)


def test_load_image_folder_with_an_empty_class(tmp_path):
    (tmp_path / "cat").mkdir()
    (tmp_path / "dog").mkdir()
    save(tmp_path / "cat" / "a.png", photo())
    (tmp_path / "dog" / "notes.txt").write_text("")
    with pytest.raises(ValueError, match="dog.*no image files"):
        load_image_folder(tmp_path)


def test_fit_transform_takes_a_generator_of_paths(jpegs):
    # Before: fit used up the generator and transform found "an empty sequence".
    paths = list(jpegs)
    expected = ImageFlattener(size=8).fit_transform(paths)
    out = ImageFlattener(size=8).fit_transform(p for p in paths)
    np.testing.assert_array_equal(out, expected)
    pipeline = make_pipeline(ImageFlattener(size=8), GDLogisticRegression(max_iter=5))
    pipeline.fit((p for p in paths), np.arange(len(paths)) % 2)
    assert pipeline[-1].n_features_in_ == 8 * 8 * 3


@pytest.mark.parametrize("shape", [(2, 0, 8), (2, 8, 0), (2, 0, 8, 3), (1, 0, 0, 1)])
def test_images_without_pixels_are_refused(shape):
    # Before: (2, 0, 8) gave a (2, 48) result of pixels that do not exist.
    for size in [4, None]:
        with pytest.raises(ValueError, match="no pixels"):
            ImageFlattener(size=size).fit_transform(np.zeros(shape, np.uint8))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "param, value",
    [
        ("color", "purple"),
        ("normalize", "yes"),
        ("resample", "bogus"),
        ("draft", 2),
        ("dtype", "int8"),
        ("n_jobs", "many"),
        ("size", "large"),
    ],
)
def test_image_flattener_validates_every_parameter(
    tmp_path, param, value, one_image_folder
):
    # scikit-learn's check_param_validation needs numeric input, which this
    # transformer does not take: the same check, on a real image file.
    from sklearn.utils._param_validation import InvalidParameterError

    from sknotes import ImageFlattener

    path = str(one_image_folder / "good.jpg")
    flattener = ImageFlattener(**{param: value})
    for method in ("fit", "fit_transform", "transform"):
        with pytest.raises(InvalidParameterError, match=param):
            getattr(flattener, method)([path])
