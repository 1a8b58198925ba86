"""Fixtures for this scenario's testinfra tests; the helpers live in tests/lab/hapair_lab/checks.py."""

import os
import sys

import pytest

TOP = os.environ.get("MOLECULE_PROJECT_DIRECTORY") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "lab"))

from hapair_lab.checks import lab_fixture  # noqa: E402


@pytest.fixture(scope="session")
def lab():
    return lab_fixture()
