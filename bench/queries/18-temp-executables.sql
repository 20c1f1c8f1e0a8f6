SELECT DeviceName, InitiatingProcessFileName, count(*) AS Files
FROM DeviceFileEvents
WHERE ActionType = 'FileCreated'
  AND contains(lower(FolderPath), '\temp\')
  AND (ends_with(lower(FileName), '.exe') OR ends_with(lower(FileName), '.ps1') OR ends_with(lower(FileName), '.dll'))
GROUP BY ALL
