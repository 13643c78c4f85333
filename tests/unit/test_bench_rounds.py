"""The bench's alternating rounds: each product round against the raw round just before it."""

from bench.rounds import summary


def _raw(per_s):
    return {"per_s": per_s}


def _product(per_s, posts, last_row, worker_ms):
    return {"per_s": per_s, "posts_done_s": posts, "last_review_row_s": last_row,
            "worker_cpu_ms_per_application": worker_ms}


def test_each_product_round_is_divided_by_the_raw_round_before_it():
    # The machine got busier: raw and product both slowed. Pairwise the ratio stays 0.6 to 0.7;
    # dividing the product's median by the raw median would say 50 / 80 = 0.62 by luck of order.
    raws = [_raw(100.0), _raw(80.0), _raw(50.0)]
    products = [_product(70.0, 14.0, 20.0, 30.0), _product(50.0, 20.0, 30.0, 35.0),
                _product(30.0, 33.0, 40.0, 31.0)]
    s = summary(raws, products)
    assert s["pair_ratios"] == [0.7, 0.62, 0.6]
    assert s["ratio"] == {"median": 0.62, "min": 0.6, "max": 0.7}


def test_the_key_figures_are_medians_with_their_spread():
    raws = [_raw(100.0), _raw(100.0), _raw(100.0)]
    products = [_product(60.0, 14.0, 40.0, 30.0), _product(65.0, 12.0, 20.0, 33.0),
                _product(70.0, 11.0, 25.0, 29.0)]
    s = summary(raws, products)
    assert s["posts_done_s"] == {"median": 12.0, "min": 11.0, "max": 14.0}
    assert s["last_review_row_s"] == {"median": 25.0, "min": 20.0, "max": 40.0}
    assert s["worker_cpu_ms_per_application"] == {"median": 30.0, "min": 29.0, "max": 33.0}
    assert s["http_per_s"]["median"] == 65.0


def test_a_part_named_runs_alone_and_an_unknown_one_is_refused(capsys):
    import pytest

    from bench.run import parse
    assert parse(["decision"]).parts == ["decision"]
    assert parse(["decision", "throughput"]).parts == ["throughput", "decision"]  # in order
    assert parse([]).parts == ["throughput", "memory", "decision", "lists", "board"]  # make bench: all
    with pytest.raises(SystemExit):
        parse(["throughput", "speed"])
    assert "unknown part(s) speed" in capsys.readouterr().err
