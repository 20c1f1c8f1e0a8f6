SELECT DeviceName, FileName, count(*) AS Launches, min(Timestamp) AS FirstSeen, max(Timestamp) AS LastSeen
FROM DeviceProcessEvents
WHERE lower(FileName) IN ('mshta.exe', 'certutil.exe', 'rundll32.exe', 'regsvr32.exe', 'bitsadmin.exe', 'powershell.exe')
  AND contains(lower(ProcessCommandLine), 'http')
GROUP BY DeviceName, FileName
