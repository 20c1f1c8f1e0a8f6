SELECT Timestamp, DeviceName, AccountName, FileName, ProcessCommandLine
FROM DeviceProcessEvents
WHERE regexp_matches(ProcessCommandLine, '(?i)(^|[^[:alnum:]])objectcategory([^[:alnum:]]|$)')
