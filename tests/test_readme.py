"""The README's shell session, run as written against a real server on a free loopback port:
each command answers JSON, and the numbers are the ones the README says they are."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.servers import ROOT, Uvicorn

README = (ROOT / "README.md").read_text()


def shell_session() -> str:
    """The first sh block after "the notes' example from a shell"."""
    after = README.split("the notes' example from a shell:", 1)[1]
    return re.search(r"```sh\n(.*?)```", after, re.S).group(1)


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    assert shutil.which("curl"), "the README's session needs curl (scripts/ensure-curl)"
    script = shell_session()
    assert re.search(r"^PORT=8000\b", script, re.M), "the session names the port it uses"
    saved = str(tmp_path_factory.mktemp("saved"))
    with Uvicorn({"BPTT_SAVED_DIR": saved}) as server:
        ported = re.sub(r"^PORT=8000\b", f"PORT={server.port}", script, flags=re.M)
        done = subprocess.run(
            ["bash", "-c", ported], capture_output=True, text=True, timeout=60, check=True
        )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_every_command_answers_json_in_order(answers: list[dict]) -> None:
    # 3 forward, 3 backward, one term, the update, the state
    assert [a.get("kind") for a in answers[:6]] == ["forward"] * 3 + ["backward"] * 3
    assert [a["t"] for a in answers[:6]] == [1, 2, 3, 3, 2, 1]
    assert answers[6]["id"] == "W_h:3:2" and answers[7]["kind"] == "update"
    assert len(answers) == 9 and "token" not in answers[8]


def test_the_numbers_are_the_readmes(answers: list[dict]) -> None:
    """The table under the session: h_t, the loss, dL/dW_h so far, the update."""
    assert [round(a["h"][0], 5) for a in answers[:3]] == [0.53705, 0.6525, 0.35574]
    assert round(answers[2]["loss"], 5) == 0.50231
    so_far = [round(a["grads"]["W_h"][0][0], 5) for a in answers[3:6]]
    assert so_far == [-0.27006, -0.37217, -0.37217]
    assert len(answers[6]["factors"]) >= 3
    update = answers[7]
    assert round(update["params_new"]["W_h"][0][0], 5) == 0.80037
    assert (round(update["loss_before"], 5), round(update["loss_after"], 5)) == (0.50231, 0.50165)
    assert answers[8]["epoch"] == 2


def test_the_backward_summary_names_the_fields_the_answers_carry(answers: list[dict]) -> None:
    """Each "backward t  terms ..., t = t, ks = [...]" line is what that answer's terms hold."""
    summary = r"^backward (\d)  terms ([\w ]+), t = (\d), ks = \[([\d, ]*)\]"
    lines = re.findall(summary, README, re.M)
    assert len(lines) == 3
    for (step, params, t, ks), answer in zip(lines, answers[3:6], strict=True):
        terms = answer["terms"]
        assert int(step) == int(t) == answer["t"] and all(term["t"] == int(t) for term in terms)
        assert params.split() == [term["param"] for term in terms]
        assert all(term["ks"] == [int(k) for k in ks.split(",")] for term in terms)
        assert all("id" not in term for term in terms)  # the README says ids are built, not sent


def python_blocks() -> list[str]:
    """Every python block of the README, in order."""
    return re.findall(r"```python\n(.*?)```", README, re.S)


def test_the_python_snippets_run_as_written_and_say_what_they_give() -> None:
    import numpy as np

    from app.core import Config

    blocks = python_blocks()
    assert len(blocks) >= 2
    names: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), names)  # the README's own code, as written
    assert round(names["run"].loss, 5) == 0.50231
    sizes = names["term_sizes"](names["run"], "W_h")
    # as the comment says: NaN where there is no term; the seed's one loss step k = 3 has all
    assert sizes.shape == (3, 3) and np.isnan(sizes[:2]).all() and np.isfinite(sizes[2]).all()
    assert "NaN where there is no term" in blocks[0]
    config = names["config"]
    assert isinstance(config, Config) and config.cell == "gru" and config.optimizer.name == "adam"
