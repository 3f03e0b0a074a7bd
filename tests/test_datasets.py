"""The course's flower data set."""

import numpy as np
import pytest

from sknotes.datasets import make_flower


def test_defaults_reproduce_the_course_data():
    X, y = make_flower()
    assert X.shape == (400, 2)
    assert y.shape == (400,)
    assert X.dtype == np.float64
    assert np.issubdtype(y.dtype, np.integer)
    assert X[0, 0] == pytest.approx(1.204442292254319, rel=1e-15)
    assert X[0, 1] == pytest.approx(3.5761141481288448, rel=1e-15)
    assert X[:, 0].sum() == pytest.approx(-17.33836367040442, rel=1e-12)
    assert X[:, 1].sum() == pytest.approx(27.426346947846085, rel=1e-12)
    np.testing.assert_array_equal(np.bincount(y), [200, 200])
    # the first half is class 0, the second class 1
    np.testing.assert_array_equal(y, np.repeat([0, 1], 200))


@pytest.mark.parametrize("n_samples, petals, seed", [(40, 2.5, 7), (400, 4, 1)])
def test_matches_the_documented_generative_formula(n_samples, petals, seed):
    # The docstring's recipe, evaluated here on its own: per class j, angles
    # spread over [3.12 j, 3.12 (j + 1)] plus noise, radius a sin(4t) plus
    # noise, all noise from one RandomState in the order t, r, class 0, 1.
    rng = np.random.RandomState(seed)
    half = n_samples // 2
    points, labels = [], []
    for j in (0, 1):
        t = 3.12 * j + 3.12 * np.arange(half) / (half - 1) + 0.2 * rng.randn(half)
        r = petals * np.sin(4 * t) + 0.2 * rng.randn(half)
        points.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(half, j))
    X, y = make_flower(n_samples, petals=petals, random_state=seed)
    np.testing.assert_allclose(X, np.vstack(points), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(y, np.concatenate(labels))


def test_random_state_behaviour():
    X1, _ = make_flower(random_state=3)
    X2, _ = make_flower(random_state=3)
    X3, _ = make_flower(random_state=np.random.RandomState(3))
    X4, _ = make_flower(random_state=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(X1, X3)
    assert not np.allclose(X1, X4)


def test_does_not_touch_the_global_random_state():
    # The legacy global state is exactly what must stay untouched.
    before = np.random.get_state()  # noqa: NPY002
    make_flower()
    after = np.random.get_state()  # noqa: NPY002
    np.testing.assert_array_equal(after[1], before[1])
    assert after[2:] == before[2:]


def test_radius_scales_with_petals():
    # Without the 0.2-scaled noise the radius is a sin(4t); with it, the mean
    # radius still grows with a.
    r_small = np.linalg.norm(make_flower(petals=1)[0], axis=1).mean()
    r_large = np.linalg.norm(make_flower(petals=8)[0], axis=1).mean()
    assert r_large > 4 * r_small


@pytest.mark.parametrize("n_samples", [0, 1, 3, 401, -2])
def test_bad_sample_counts_are_rejected(n_samples):
    with pytest.raises(ValueError, match="n_samples"):
        make_flower(n_samples)


def test_small_sizes():
    X, y = make_flower(2)
    assert X.shape == (2, 2)
    np.testing.assert_array_equal(y, [0, 1])


def test_spirals_follow_the_documented_formula():
    from sknotes.datasets import make_spirals

    X, y = make_spirals(300, n_turns=1.5, noise=0.1, random_state=4)
    rng = np.random.RandomState(4)
    t = 2 * np.pi * 1.5 * np.sqrt(rng.uniform(size=300))
    labels = rng.randint(2, size=300)
    r = 0.5 + 5 * t / (2 * np.pi * 1.5)
    clean = np.c_[r * np.cos(t + np.pi * labels), r * np.sin(t + np.pi * labels)]
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_allclose(X, clean + 0.1 * rng.normal(size=(300, 2)), atol=1e-12)
    # without noise every point is on its arm, at radius 0.5 to 5.5
    X0, _ = make_spirals(200, noise=0, random_state=0)
    radius = np.hypot(*X0.T)
    assert radius.min() >= 0.5 and radius.max() <= 5.5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 1}, "n_samples"),
        ({"n_samples": 10.5}, "n_samples"),
        ({"n_turns": 0}, "n_turns"),
        ({"noise": -1}, "noise"),
        ({"noise": np.nan}, "noise"),
    ],
)
def test_spirals_refuse_bad_arguments(kwargs, match):
    from sknotes.datasets import make_spirals

    with pytest.raises(ValueError, match=match):
        make_spirals(**kwargs)
