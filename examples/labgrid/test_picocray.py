"""PicoCray on a rig that labgrid hands over: the selftest (JUnit) and a golden render.

Runs with labgrid's pytest plugin: pytest --lg-env ENV.yaml examples/labgrid/test_picocray.py
(PICOCRAY: the picocray binary, default `picocray` on PATH).
"""
import hashlib
import os
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def golden():
    """name -> (render options, sha256 of the 16-bit PGM), from golden.txt."""
    cases = {}
    with open(os.path.join(HERE, "golden.txt"), encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, digest, *opts = line.split()
            cases[name] = (opts, digest)
    return cases


def test_selftest(picocray, tmp_path):
    junit = tmp_path / "selftest.xml"
    r = picocray("selftest", "--junit", str(junit))
    assert r.returncode == 0, f"selftest on {picocray.port} failed:\n{r.stdout}\n{r.stderr}"
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("failures") == "0", r.stdout
    assert int(suite.get("tests")) >= 9


def test_golden_renders(picocray, tmp_path):
    for name, (opts, digest) in golden().items():
        raw = tmp_path / f"{name}.pgm"
        r = picocray("render", *opts, "--verify", "--raw", str(raw))
        assert r.returncode == 0, f"{name} on {picocray.port}: {r.stderr}"
        got = hashlib.sha256(raw.read_bytes()).hexdigest()
        assert got == digest, f"{name}: the counts differ from the golden image ({got})"
