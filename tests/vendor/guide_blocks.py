"""The vendor guide's tested shell blocks, and the sandbox they run in.

The convention, stated at the top of ``docs/vendors.md``:

* a fence opened with ```` ```sh test ```` is a block the test runs; plain ```` ```sh ```` blocks
  are shown but not run;
* a ```` ```text expected ```` fence right after a tested block lists lines that must each appear
  in that block's output (stdout and stderr);
* blocks run in document order, each in its own ``bash -euo pipefail``, from the same working
  folder, so files that one block writes are there for the next (shell variables are not);
* the working folder is a scratch copy holding ``examples/`` and links to ``enterprise/`` and
  ``docs/`` of the checkout; ``pip`` and ``anneal`` are those of a throwaway virtual environment
  that sees the test's installed packages, on the embedded default with its own data folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "vendors.md"

_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    line: int
    script: str
    expected: tuple[str, ...] = ()


def runnable_blocks(text: str) -> list[Block]:
    """The ```` ```sh test ```` blocks of ``text``, each with the ``text expected`` block that follows it."""
    fences = [(m, m.group("info").split()) for m in _FENCE.finditer(text)]
    blocks: list[Block] = []
    for index, (match, info) in enumerate(fences):
        if info[:2] != ["sh", "test"]:
            continue
        expected: tuple[str, ...] = ()
        if index + 1 < len(fences):
            following, following_info = fences[index + 1]
            between = text[match.end():following.start()]
            if following_info[:2] == ["text", "expected"] and not between.strip():
                expected = tuple(line.strip() for line in following.group("body").splitlines() if line.strip())
        blocks.append(Block(text.count("\n", 0, match.start()) + 1, match.group("body"), expected))
    return blocks


class GuideSandbox:
    """A scratch working folder and a throwaway virtual environment for the guide's commands."""

    def __init__(self, tmp_path: Path) -> None:
        self.work = tmp_path / "work"
        (self.work / "examples").mkdir(parents=True)
        for example in (ROOT / "examples").iterdir():
            if example.is_dir():
                shutil.copytree(example, self.work / "examples" / example.name,
                                ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        for shared in ("enterprise", "docs"):
            (self.work / shared).symlink_to(ROOT / shared)
        self.venv = tmp_path / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.venv)], check=True, timeout=60)
        python = self.venv / "bin" / "python"
        site_packages = Path(subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True).stdout.strip())
        # The test's own packages (Anneal installed editable among them) are visible, below the sandbox's.
        (site_packages / "_anneal_guide_parent.pth").write_text(
            f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
        for command, module in (("pip", "pip"), ("anneal", "core.cli")):
            wrapper = self.venv / "bin" / command
            wrapper.write_text(f'#!/bin/sh\nexec "{python}" -m {module} "$@"\n')
            wrapper.chmod(0o755)
        self.data = tmp_path / "data"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ANNEAL_", "DJANGO_", "PYTHON")) and k not in {"DATABASE_URL", "REDIS_URL"}}
        env.update({
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "VIRTUAL_ENV": str(self.venv),
            "ANNEAL_DATA_DIR": str(self.data),
            # Offline: nothing is downloaded; the build backend is the one already installed.
            "PIP_NO_INDEX": "1",
            "PIP_NO_BUILD_ISOLATION": "0",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        })
        return env

    def run(self, block: Block, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-euo", "pipefail", "-c", block.script], cwd=self.work, env=self.env(),
                              capture_output=True, text=True, timeout=timeout)
