"""The README's state diagram is generated from the FSM definitions: it names every state with
its label and every transition with the roles that may take it, and `fsm_diagram --check`
fails as soon as the README and the code disagree."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from requests_app import diagram
from requests_app.models import Case, CaseState
from requests_app.rules import TRANSITION_LABELS

README = Path(settings.BASE_DIR) / "README.md"


def test_the_readme_diagram_matches_the_code():
    call_command("fsm_diagram", "--check")  # raises when they disagree
    text = README.read_text(encoding="utf-8")
    assert diagram.readme_block() in text


def test_every_state_and_transition_is_drawn_with_its_roles():
    block = diagram.case_state_mermaid()
    for value, label in CaseState.choices:
        assert f"{value}: {label}" in block
    field = Case._meta.get_field("state")
    for transition in field.get_all_transitions(Case):
        if transition.target is None:
            continue
        assert f"{TRANSITION_LABELS[transition.name]}（" in block, transition.name
    # who may take each, from rules.TRANSITION_ROLES
    assert "review --> finished: 审核通过并答复办结（审核人）" in block
    assert "supplement --> other: 逾期未补正，视为放弃（承办人）" in block
    assert "received --> finished: 当场答复办结（登记员、承办人）" in block
    assert "finished --> void: 作废（登记错误）（审核人）" in block
    assert "[*] --> received: 登记（登记员、承办人）" in block
    assert "requested --> approved: 批准延期（审核人）" in diagram.extension_mermaid()


def test_check_fails_when_the_readme_disagrees(tmp_path):
    stale = README.read_text(encoding="utf-8").replace(
        "review --> finished: 审核通过并答复办结（审核人）",
        "review --> disclosed: 审核通过并答复办结（审核人）",
    )
    path = tmp_path / "README.md"
    path.write_text(stale, encoding="utf-8")
    with pytest.raises(CommandError, match="不一致"):
        call_command("fsm_diagram", "--check", "--readme", str(path))
    call_command("fsm_diagram", "--write", "--readme", str(path))
    assert path.read_text(encoding="utf-8") == README.read_text(encoding="utf-8")
    call_command("fsm_diagram", "--check", "--readme", str(path))


def test_check_fails_without_the_markers(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# 无状态图\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少标记"):
        call_command("fsm_diagram", "--check", "--readme", str(path))
