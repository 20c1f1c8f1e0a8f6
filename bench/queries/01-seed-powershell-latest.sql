SELECT Timestamp, FileName, InitiatingProcessFileName
FROM DeviceProcessEvents
WHERE lower(InitiatingProcessFileName) = 'powershell.exe'
ORDER BY Timestamp DESC
LIMIT 2
