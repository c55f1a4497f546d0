"""`build --since`: earlier versions of a fact file from a file or a git revision."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from briefgen.errors import UsageProblem
from briefgen.history import NotInRevision, find_earlier


def git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "Desk", "GIT_AUTHOR_EMAIL": "desk@example.org",
        "GIT_COMMITTER_NAME": "Desk", "GIT_COMMITTER_EMAIL": "desk@example.org",
        "PATH": "/usr/bin:/bin", "HOME": str(repo),
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with two versions of facts/brief.yaml and a dirty work tree."""
    root = tmp_path / "repo"
    (root / "facts").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    brief = root / "facts" / "brief.yaml"
    brief.write_text("title: version one\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")
    brief.write_text("title: version two\n", encoding="utf-8")
    git(root, "commit", "-qam", "two")
    brief.write_text("title: work in progress\n", encoding="utf-8")  # uncommitted
    return root


def test_history_reads_a_revision_of_the_same_file(repo: Path):
    earlier = find_earlier("HEAD~1", repo / "facts" / "brief.yaml")
    assert earlier.text == b"title: version one\n"
    assert earlier.name == "HEAD~1:facts/brief.yaml"
    assert earlier.path is None


def test_history_reads_rev_colon_path_from_the_top_of_the_repository(repo: Path, monkeypatch):
    monkeypatch.chdir(repo)
    earlier = find_earlier("main:facts/brief.yaml", repo / "facts" / "brief.yaml")
    assert earlier.text == b"title: version two\n"
    assert earlier.name == "main:facts/brief.yaml"


def test_history_leaves_work_tree_index_and_head_alone(repo: Path):
    before = (git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD"))
    find_earlier("HEAD~1", repo / "facts" / "brief.yaml")
    assert (git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD")) == before
    assert (repo / "facts" / "brief.yaml").read_text(encoding="utf-8") == "title: work in progress\n"


def test_history_names_a_file_when_one_exists(repo: Path, tmp_path: Path):
    old = tmp_path / "v1.yaml"
    old.write_text("title: archived\n", encoding="utf-8")
    earlier = find_earlier(str(old), repo / "facts" / "brief.yaml")
    assert earlier.path == old and earlier.text is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nosuchbranch", "is not a revision git knows"),
        ("HEAD~99", "is not a revision git knows"),
        ("--output=/tmp/x", "cannot start with '-'"),
        ("", "name an earlier fact file or a git revision"),
    ],
)
def test_history_refuses_what_is_neither_file_nor_revision(repo: Path, spec: str, message: str):
    with pytest.raises(UsageProblem) as caught:
        find_earlier(spec, repo / "facts" / "brief.yaml")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_history_file_new_since_the_revision_is_not_in_it(repo: Path):
    new = repo / "facts" / "new.yaml"
    new.write_text("title: new\n", encoding="utf-8")
    with pytest.raises(NotInRevision, match="does not exist in HEAD"):
        find_earlier("HEAD", new)


def test_history_outside_a_repository_says_so(tmp_path: Path):
    lone = tmp_path / "lone"
    lone.mkdir()
    facts = lone / "brief.yaml"
    facts.write_text("title: x\n", encoding="utf-8")
    with pytest.raises(UsageProblem, match="not in a git repository"):
        find_earlier("HEAD~1", facts)
