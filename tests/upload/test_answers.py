"""What the API answers is checked before use: each shape this package relies on, refused with the request named."""

from __future__ import annotations

import pytest

from openreward_nb.upload import answers


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"runs": {"a": 1}}, r'"runs" must be a list, got \{'),
        ({"runs": [{}, "x"]}, r"runs\[1\]: expected a JSON object, got 'x'"),
        ({"runs": [], "total": "many"}, '"total" must be a count'),
        ([{"name": "r"}], "expected a JSON object, got"),
    ],
)
def test_a_page_of_the_wrong_shape_is_refused(data: object, words: str) -> None:
    with pytest.raises(answers.BadAnswer, match=r"^the API's answer to GET /v1/runs makes no sense: " + words):
        answers.page("/v1/runs", data, "runs")


def test_a_good_page_and_an_empty_one() -> None:
    assert answers.page("/v1/runs", {"runs": [{"id": "a"}], "total": 1}, "runs") == ([{"id": "a"}], 1)
    assert answers.page("/v1/runs", {"total": 0}, "runs") == ([], 0)


def test_environment_and_variant_ids() -> None:
    assert answers.environment_id("/e", {"id": "env-1"}) == "env-1"
    assert answers.environment_id("/e", {"name": "no id"}) is None
    assert answers.variant_id("/e/variants", [{"name": "a", "id": "v-a"}, {"name": "b"}], "a") == "v-a"
    assert answers.variant_id("/e/variants", [], "a") is None
    for bad in ({"id": 12345}, {"id": ["x"]}, {"id": "x" * 1025}, "text"):
        with pytest.raises(answers.BadAnswer, match=r"^the API's answer to GET /e makes no sense"):
            answers.environment_id("/e", bad)
    with pytest.raises(answers.BadAnswer, match=r"item 0: \"id\" must be text"):
        answers.variant_id("/e/variants", [{"name": "a", "id": 7}], "a")
    with pytest.raises(answers.BadAnswer, match="expected a JSON list"):
        answers.variant_id("/e/variants", {"a": 1}, "a")
