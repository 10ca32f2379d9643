"""The PicoCray rig of the labgrid environment, as the --port picocray takes."""
import os
import subprocess

import pytest
from labgrid.exceptions import NoResourceFoundError


def port_of(target):
    """rfc2217://HOST:PORT or tcp://HOST:PORT for a NetworkSerialPort, the device for a
    RawSerialPort (local, or a USBSerialPort a remote place brings)."""
    try:
        res = target.get_resource("NetworkSerialPort")
        scheme = "rfc2217" if res.protocol == "rfc2217" else "tcp"
        return f"{scheme}://{res.host}:{res.port}"
    except NoResourceFoundError:
        pass
    for cls in ("RawSerialPort", "USBSerialPort"):
        try:
            return target.get_resource(cls).port
        except NoResourceFoundError:
            continue
    raise NoResourceFoundError("the target has no serial port resource for picocray")


@pytest.fixture(scope="session")
def picocray(target):
    """A function running picocray against the target's rig: returns the CompletedProcess."""
    binary = os.environ.get("PICOCRAY", "picocray")
    port = port_of(target)

    def run(*args, **kwargs):
        return subprocess.run([binary, "--port", port, *args], capture_output=True, text=True,
                              timeout=kwargs.pop("timeout", 300), check=False, **kwargs)

    run.port = port
    return run
