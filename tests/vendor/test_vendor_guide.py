"""The vendor guide's commands run as written: every ```` ```sh test ```` block of ``docs/vendors.md``.

See ``tests/vendor/guide_blocks.py`` for the convention (also stated at the top of the guide).
"""

from __future__ import annotations

from pathlib import Path

from tests.vendor.guide_blocks import GUIDE, Block, GuideSandbox, runnable_blocks


def test_only_sh_test_fences_are_run_and_an_expected_block_must_follow_directly():
    text = "\n".join([
        "```sh", "echo shown only", "```",
        "```sh test", "echo one", "```",
        "```text expected", "one", "```",
        "```sh test", "echo two", "```",
        "Some prose.",
        "```text expected", "not attached: prose in between", "```",
    ]) + "\n"
    blocks = runnable_blocks(text)
    assert [(b.script, b.expected) for b in blocks] == [("echo one\n", ("one",)), ("echo two\n", ())]
    assert blocks[0].line == 4


def test_the_guide_states_its_convention_and_has_runnable_blocks():
    text = GUIDE.read_text()
    assert "```sh test" in text and "```text expected" in text
    assert len(runnable_blocks(text)) >= 2


def test_a_failing_block_is_reported_as_failing(tmp_path: Path):
    sandbox = GuideSandbox(tmp_path)
    result = sandbox.run(Block(1, "true\nfalse\necho not reached\n"))
    assert result.returncode != 0 and "not reached" not in result.stdout


def test_every_tested_block_of_the_guide_runs_and_prints_what_it_expects(tmp_path: Path):
    sandbox = GuideSandbox(tmp_path)
    for block in runnable_blocks(GUIDE.read_text()):
        result = sandbox.run(block)
        output = result.stdout + result.stderr
        where = f"docs/vendors.md line {block.line}:\n{block.script}\n--- output ---\n{output}"
        assert result.returncode == 0, f"the block exited with {result.returncode}: {where}"
        missing = [line for line in block.expected if line not in output]
        assert not missing, f"the block's output lacks {missing}: {where}"
