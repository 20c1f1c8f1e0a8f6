"""A small streaming-export envelope file (stdout), for builds of quarry without
`quarry generate`: DeviceInfo for 3 devices (a domain controller, a workstation, a
server: the demo tenant's device groups tell them apart) and 20 DeviceProcessEvents each,
over the last hours."""

import datetime as dt
import hashlib
import json

now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
DEVICES = [
    ("dc01.demo.local", "WindowsServer2022"),
    ("ws-001.demo.local", "Windows11"),
    ("srv-01.demo.local", "Linux"),
]
records = []
for d, (name, os_platform) in enumerate(DEVICES):
    device_id = hashlib.sha1(name.encode()).hexdigest()
    t = (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    records.append(
        {
            "time": t,
            "tenantId": "demo",
            "operationName": "Publish",
            "category": "AdvancedHunting-DeviceInfo",
            "properties": {
                "Timestamp": t,
                "DeviceId": device_id,
                "DeviceName": name,
                "OSPlatform": os_platform,
                "ReportId": d,
            },
        }
    )
    for i in range(20):
        t = (now - dt.timedelta(minutes=7 * i + d)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
        records.append(
            {
                "time": t,
                "tenantId": "demo",
                "operationName": "Publish",
                "category": "AdvancedHunting-DeviceProcessEvents",
                "properties": {
                    "Timestamp": t,
                    "DeviceId": device_id,
                    "DeviceName": name,
                    "ActionType": "ProcessCreated",
                    "FileName": ["cmd.exe", "powershell.exe", "svchost.exe"][i % 3],
                    "ProcessId": 1000 + i,
                    "ProcessCommandLine": f"cmd.exe /c echo {i}",
                    "AccountName": "system",
                    "ReportId": i,
                },
            }
        )
for start in range(0, len(records), 20):
    print(json.dumps({"records": records[start : start + 20]}))
