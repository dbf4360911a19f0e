"""The configuration-era driver input (`--config driverConfiguration.json`).

Upstream master validates it with pydantic; the demo driver reads the same
fields with the standard library. `test_script` is a path (upstream types it
`Path`); `global_timeout` is a timedelta, given as seconds or as an ISO 8601
duration such as "PT1H" (what pydantic accepts).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List


@dataclass
class MachineConfiguration:
    name: str
    start_script: Path


QemuMachineConfiguration = MachineConfiguration


@dataclass
class DriverConfiguration:
    vms: Dict[str, MachineConfiguration]
    containers: Dict[str, MachineConfiguration]
    vlans: List[int]
    global_timeout: dt.timedelta
    enable_ssh_backdoor: bool
    test_script: Path
    display_viewers: Dict[str, Any] = field(default_factory=dict)


_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_timedelta(value: Any) -> dt.timedelta:
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        return dt.timedelta(seconds=value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return dt.timedelta(seconds=float(text))
        match = _ISO_DURATION.match(text)
        if match and text not in ("P", "PT"):
            parts = {k: float(v) for k, v in match.groupdict().items() if v}
            return dt.timedelta(
                days=parts.get("d", 0),
                hours=parts.get("h", 0),
                minutes=parts.get("m", 0),
                seconds=parts.get("s", 0),
            )
    raise ValueError(f"not a duration: {value!r}")


def _machines(data: Any, what: str) -> Dict[str, MachineConfiguration]:
    if not isinstance(data, dict):
        raise ValueError(f"{what} must be an object")
    out = {}
    for key, value in data.items():
        if not isinstance(value, dict) or "start_script" not in value:
            raise ValueError(f"{what}.{key} needs a start_script")
        out[key] = MachineConfiguration(
            name=str(value.get("name", key)), start_script=Path(value["start_script"])
        )
    return out


def driver_configuration_from_dict(data: Dict[str, Any]) -> DriverConfiguration:
    missing = [
        k
        for k in ("vms", "vlans", "global_timeout", "enable_ssh_backdoor", "test_script")
        if k not in data
    ]
    if missing:
        raise ValueError(f"driver configuration lacks {', '.join(missing)}")
    return DriverConfiguration(
        vms=_machines(data["vms"], "vms"),
        containers=_machines(data.get("containers", {}), "containers"),
        vlans=[int(v) for v in data["vlans"]],
        global_timeout=parse_timedelta(data["global_timeout"]),
        enable_ssh_backdoor=bool(data["enable_ssh_backdoor"]),
        test_script=Path(data["test_script"]),
        display_viewers=dict(data.get("display_viewers", {})),
    )


def load_driver_configuration(file_path: Any) -> DriverConfiguration:
    with open(file_path) as file:
        data = json.load(file)
    return driver_configuration_from_dict(data)
