SELECT Timestamp, DeviceName, AccountName, FileName, ProcessCommandLine
FROM DeviceProcessEvents
WHERE regexp_matches(ProcessCommandLine, '(?i)(^|[^[:alnum:]])(downloadstring|webclient|urlcache|downloadfile)([^[:alnum:]]|$)')
