SELECT Type, ActionType, count(*) AS Events, count(DISTINCT DeviceId) AS Devices
FROM (
    SELECT Type, ActionType, DeviceId, InitiatingProcessFileName FROM DeviceProcessEvents
    UNION ALL
    SELECT Type, ActionType, DeviceId, InitiatingProcessFileName FROM DeviceFileEvents
    UNION ALL
    SELECT Type, ActionType, DeviceId, InitiatingProcessFileName FROM DeviceNetworkEvents
)
WHERE lower(InitiatingProcessFileName) = 'powershell.exe'
GROUP BY ALL
