"""With production settings (DEBUG off) the deploy checklist finds nothing but the opt-in HSTS."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check_deploy(**env) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "k3y-" + "abcdefghij" * 6,
            "ALLOWED_HOSTS": "ogi.example",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout + result.stderr


def test_production_defaults_are_secure():
    output = check_deploy()
    for warning in ("W008", "W012", "W016", "drf_spectacular.W001"):
        assert warning not in output, output
    assert "W004" in output  # HSTS is opt-in: a deployment turns it on once HTTPS is certain
    # Subdomains and preload stay off on purpose: on a government domain the subdomains are
    # other agencies' sites.
    assert "W004" not in check_deploy(HSTS_SECONDS="31536000")


def test_an_http_only_intranet_can_opt_out():
    assert "W012" in check_deploy(HTTPS="false")
