"""The 2-D datasets follow TFP's dataset.ts; splits and input features are seeded and checked."""

import math

import numpy as np
import pytest

from playground.data import toy
from playground.errors import DatasetError


@pytest.mark.parametrize("dataset_id", list(toy.TOY_DATASETS))
def test_every_dataset_has_tfp_defaults_shapes_and_dtypes(dataset_id):
    row = toy.TOY_DATASETS[dataset_id]
    samples = toy.make_toy(dataset_id, noise=0.2, seed=3)
    assert len(samples) == row.default_points == (1200 if row.is_regression else 500)
    assert samples.points.dtype == np.float32 and samples.points.shape == (len(samples), 2)
    if row.is_regression:
        assert samples.targets.dtype == np.float32 and samples.targets.shape == (len(samples), 1)
    else:
        assert samples.targets.dtype == np.int64 and samples.targets.shape == (len(samples),)
        assert set(np.unique(samples.targets)) == set(range(len(row.class_names)))
    again = toy.make_toy(dataset_id, noise=0.2, seed=3)
    other = toy.make_toy(dataset_id, noise=0.2, seed=4)
    np.testing.assert_array_equal(samples.points, again.points)
    np.testing.assert_array_equal(samples.targets, again.targets)
    assert not np.array_equal(samples.points, other.points)


def test_circle_is_a_disc_of_radius_2_5_inside_a_ring_from_3_5_to_5():
    samples = toy.make_toy("circle", seed=0)
    radius = np.hypot(*samples.points.T)
    assert np.all((radius <= 2.5 + 1e-6) | ((radius >= 3.5 - 1e-6) & (radius <= 5 + 1e-6)))
    np.testing.assert_array_equal(samples.targets, (radius < 2.5).astype(np.int64))
    assert np.bincount(samples.targets).tolist() == [250, 250]


def test_noise_moves_the_position_labels_are_read_at_so_some_disagree():
    clean = toy.make_toy("circle", noise=0.0, seed=1)
    noisy = toy.make_toy("circle", noise=0.5, seed=1)
    rule = (np.hypot(*noisy.points.T) < 2.5).astype(np.int64)
    assert np.array_equal(clean.targets, (np.hypot(*clean.points.T) < 2.5).astype(np.int64))
    assert 0.05 < np.mean(noisy.targets != rule) < 0.5


def test_xor_keeps_0_3_away_from_the_axes_and_labels_by_the_sign_of_the_product():
    samples = toy.make_toy("xor", seed=0)
    magnitude = np.abs(samples.points)
    assert magnitude.min() >= 0.3 and magnitude.max() <= 5.3 + 1e-6
    product = samples.points[:, 0] * samples.points[:, 1]
    np.testing.assert_array_equal(samples.targets, (product >= 0).astype(np.int64))


@pytest.mark.parametrize(("noise", "variance"), [(0.0, 0.5), (0.25, 2.25), (0.5, 4.0)])
def test_two_gaussians_have_tfp_centres_and_variance_from_0_5_to_4(noise, variance):
    samples = toy.make_toy("gauss", points=20_000, noise=noise, seed=0)
    for label, centre in ((1, 2.0), (0, -2.0)):
        cloud = samples.points[samples.targets == label]
        np.testing.assert_allclose(cloud.mean(axis=0), [centre, centre], atol=0.06)
        np.testing.assert_allclose(cloud.var(axis=0), [variance, variance], rtol=0.05)


def test_spiral_arms_are_point_reflections_and_reach_radius_5():
    samples = toy.make_toy("spiral", seed=0)
    positive, negative = samples.points[samples.targets == 1], samples.points[samples.targets == 0]
    assert len(positive) == len(negative) == 250
    np.testing.assert_allclose(negative, -positive, atol=1e-5)
    radius = np.hypot(*positive.T)
    np.testing.assert_allclose(radius, np.arange(250) / 250 * 5, atol=1e-5)
    turns = 1.75 * 249 / 250
    angle = np.arctan2(positive[-1, 0], positive[-1, 1])
    assert math.isclose(angle % (2 * math.pi), (turns * 2 * math.pi) % (2 * math.pi), abs_tol=1e-5)


def test_noiseless_spiral_ignores_the_seed_and_noise_jitters_it_by_at_most_the_noise():
    first, other = toy.make_toy("spiral", seed=0), toy.make_toy("spiral", seed=9)
    np.testing.assert_array_equal(first.points, other.points)
    shift = toy.make_toy("spiral", noise=0.3, seed=2).points - toy.make_toy("spiral", seed=2).points
    assert np.abs(shift).max() <= 0.3 + 1e-6 and np.abs(shift).max() > 0.25


def test_three_spirals_are_three_arms_120_degrees_apart():
    samples = toy.make_toy("spiral3", seed=0)
    assert np.bincount(samples.targets).tolist() == [167, 167, 166]
    arms = [samples.points[samples.targets == k] for k in range(3)]
    turn = np.array([[math.cos(2 * math.pi / 3), -math.sin(2 * math.pi / 3)],
                     [math.sin(2 * math.pi / 3), math.cos(2 * math.pi / 3)]])
    # x = r sin t, y = r cos t: adding 120 degrees to t rotates (y, x) by 120 degrees.
    rotated = (arms[0][:, ::-1] @ turn.T)[:, ::-1]
    np.testing.assert_allclose(rotated, arms[1], atol=1e-5)


def test_plane_is_x1_plus_x2_over_10_and_reaches_1_2_in_the_corners():
    samples = toy.make_toy("plane", seed=0)
    assert np.abs(samples.points).max() <= 6.0
    np.testing.assert_allclose(samples.targets[:, 0], samples.points.sum(axis=1) / 10, atol=1e-6)
    assert 1.0 < np.abs(samples.targets).max() <= 1.2


def test_multi_gauss_peaks_at_the_six_centres_and_is_zero_far_from_them():
    samples = toy.make_toy("multigauss", points=20_000, seed=0)
    values = samples.targets[:, 0]
    assert -1.0 <= values.min() < -0.95 and 0.95 < values.max() <= 1.0
    for cx, cy, sign in toy._GAUSSIANS:
        near = np.hypot(samples.points[:, 0] - cx, samples.points[:, 1] - cy) < 0.1
        assert near.any() and np.all(np.sign(values[near]) == sign) and np.all(np.abs(values[near]) > 0.94)
    far = np.hypot(samples.points[:, 0, None] - toy._GAUSSIANS[:, 0],
                   samples.points[:, 1, None] - toy._GAUSSIANS[:, 1]).min(axis=1) >= 2.0
    assert far.sum() > 1000 and np.all(values[far] == 0)


def test_an_odd_count_still_gives_exactly_that_many_points():
    for dataset_id in ("circle", "gauss", "spiral", "spiral3"):
        assert len(toy.make_toy(dataset_id, points=11)) == 11


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"dataset_id": "moons"}, "unknown 2-D dataset"),
    ({"dataset_id": "circle", "points": 5}, "number of points"),
    ({"dataset_id": "circle", "points": 10**9}, "number of points"),
    ({"dataset_id": "circle", "points": 12.5}, "whole number"),
    ({"dataset_id": "circle", "noise": 0.51}, "noise"),
    ({"dataset_id": "circle", "noise": float("nan")}, "noise"),
    ({"dataset_id": "circle", "noise": True}, "noise"),
    ({"dataset_id": "circle", "seed": -1}, "seed"),
])
def test_bad_settings_are_dataset_errors_with_a_hint(kwargs, words):
    with pytest.raises(DatasetError, match=words) as caught:
        toy.make_toy(**kwargs)
    assert caught.value.hint or "seed" in words


@pytest.mark.parametrize(("ratio", "train"), [(0.5, 250), (0.1, 50), (0.9, 450), (0.33, 165)])
def test_split_cuts_floor_n_times_ratio_into_train_and_keeps_every_point_once(ratio, train):
    samples = toy.make_toy("xor", seed=0)
    parts = toy.split(samples, ratio, seed=5)
    assert len(parts.train) == train and len(parts.test) == 500 - train
    joined = np.concatenate([parts.train.points, parts.test.points])
    order = np.lexsort(joined.T)
    np.testing.assert_array_equal(joined[order], samples.points[np.lexsort(samples.points.T)])
    labels = np.concatenate([parts.train.targets, parts.test.targets])
    assert np.bincount(labels).tolist() == np.bincount(samples.targets).tolist()


def test_split_is_seeded_and_shuffles():
    samples = toy.make_toy("spiral", seed=0)
    first, again, other = toy.split(samples, seed=1), toy.split(samples, seed=1), toy.split(samples, seed=2)
    np.testing.assert_array_equal(first.train.points, again.train.points)
    assert not np.array_equal(first.train.points, other.train.points)
    assert 0.3 < first.train.targets.mean() < 0.7  # shuffled, not the first arm


@pytest.mark.parametrize("ratio", [0.05, 0.95, float("inf")])
def test_split_refuses_ratios_outside_10_to_90_percent(ratio):
    with pytest.raises(DatasetError, match="training ratio"):
        toy.split(toy.make_toy("xor"), ratio)


def test_split_of_own_points_keeps_one_on_each_side():
    two = toy.ToySamples(np.zeros((2, 2), np.float32), np.array([0, 1]))
    parts = toy.split(two, 0.1)
    assert len(parts.train) == len(parts.test) == 1
    with pytest.raises(DatasetError, match="two points"):
        toy.split(toy.ToySamples(np.zeros((1, 2), np.float32), np.array([0])))


def test_feature_matrix_computes_each_named_feature_in_order():
    points = np.array([[1.0, 2.0], [-0.5, 3.0]], dtype=np.float32)
    matrix = toy.feature_matrix(points, ["x2", "x1", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"])
    x1, x2 = points[:, 0], points[:, 1]
    expected = np.stack([x2, x1, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)], axis=1)
    assert matrix.dtype == np.float32 and matrix.shape == (2, 7)
    np.testing.assert_allclose(matrix, expected, rtol=1e-6)


def test_every_feature_row_has_a_label_and_tfp_default_is_x1_x2():
    assert list(toy.FEATURES) == ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]
    assert all(row.label for row in toy.FEATURES.values())
    assert toy.DEFAULT_FEATURES == ("x1", "x2")


def test_parse_features_reads_a_cli_list_and_refuses_unknown_repeated_or_none():
    assert toy.parse_features(" x1, x2 ,x1x2") == ("x1", "x2", "x1x2")
    cases = (("x1,x3", "unknown input feature 'x3'"), ("x1,x1", "chosen twice"), (" , ", "at least one"))
    for text, words in cases:
        with pytest.raises(DatasetError, match=words):
            toy.parse_features(text)


def test_feature_matrix_refuses_points_that_are_not_n_by_2():
    with pytest.raises(DatasetError, match=r"\(N, 2\)"):
        toy.feature_matrix(np.zeros((4, 3)), ["x1"])
