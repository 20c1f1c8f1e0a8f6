SELECT AccountName, count(*) AS Commands, count(DISTINCT DeviceId) AS Devices
FROM DeviceProcessEvents
WHERE (lower(FileName) = 'net.exe' OR lower(FileName) = 'net1.exe')
  AND regexp_matches(ProcessCommandLine, '(?i)(^|[^[:alnum:]])(group|user)([^[:alnum:]]|$)')
GROUP BY AccountName
