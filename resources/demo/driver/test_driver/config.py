"""The configuration-era driver input (`--config driverConfiguration.json`),
validated with pydantic as upstream master does: `vms` and `containers` map
names to `{name, start_script}`, `global_timeout` is a timedelta (seconds or
an ISO 8601 duration such as "PT1H"), `test_script` a path. Only the
configuration-era driver imports this module (it needs pydantic, which the
environment era's Python does not have).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError


class MachineConfiguration(BaseModel):
    name: str
    start_script: Path


class QemuMachineConfiguration(MachineConfiguration):
    pass


class NspawnMachineConfiguration(MachineConfiguration):
    pass


class DriverConfiguration(BaseModel):
    vms: dict[str, QemuMachineConfiguration]
    containers: dict[str, NspawnMachineConfiguration]
    vlans: list[int]
    global_timeout: dt.timedelta
    enable_ssh_backdoor: bool
    test_script: Path
    # Written by newer test frameworks; the demo has no display viewers.
    display_viewers: dict[str, Any] = {}


class ConfigurationError(ValueError):
    """A driver configuration file that cannot be read or is not valid."""


def load_driver_configuration(file_path: Any) -> DriverConfiguration:
    try:
        with open(file_path) as file:
            data = json.load(file)
    except OSError as error:
        raise ConfigurationError(f"{file_path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise ConfigurationError(
            f"{file_path}:{error.lineno}:{error.colno}: not JSON: {error.msg}"
        ) from error
    try:
        return DriverConfiguration.model_validate(data)
    except ValidationError as error:
        raise ConfigurationError(f"{file_path}: {error}") from error
