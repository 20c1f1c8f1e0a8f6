SELECT Timestamp, DeviceName, InitiatingProcessFileName, ProcessCommandLine
FROM DeviceProcessEvents
WHERE lower(FileName) = 'powershell.exe'
  AND regexp_matches(ProcessCommandLine, '(?i)(^|[^[:alnum:]])hidden([^[:alnum:]]|$)')
  AND regexp_matches(ProcessCommandLine, '(?i)(^|[^[:alnum:]])nop([^[:alnum:]]|$)')
  AND regexp_matches(ProcessCommandLine, '(?i)(^|[^[:alnum:]])iex([^[:alnum:]]|$)')
