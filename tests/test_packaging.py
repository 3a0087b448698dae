"""Packaging metadata that builds without warnings on every supported setuptools."""
import configparser
import pathlib

ROOT = pathlib.Path(__file__).parent.parent


def test_no_license_classifier():
    # setuptools 77+ warns "License classifiers are deprecated" on every build;
    # `license = MIT` (an SPDX identifier) says it, and installs on Python 3.7's setuptools too.
    config = configparser.ConfigParser()
    config.read(str(ROOT / "setup.cfg"))
    classifiers = config.get("metadata", "classifiers").splitlines()
    assert not [c for c in classifiers if c.strip().startswith("License ::")]
    assert config.get("metadata", "license") == "MIT"
