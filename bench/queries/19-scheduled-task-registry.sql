SELECT DeviceName, InitiatingProcessFileName, ActionType, count(*) AS Writes
FROM DeviceRegistryEvents
WHERE contains(lower(RegistryKey), '\schedule\taskcache\')
  AND lower(InitiatingProcessFileName) <> 'svchost.exe'
GROUP BY ALL
