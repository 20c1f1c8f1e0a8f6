SELECT InitiatingProcessFileName, FileName, DeviceName, count(*) AS Children, max(Timestamp) AS LastSeen
FROM DeviceProcessEvents
WHERE lower(InitiatingProcessFileName) IN ('winword.exe', 'excel.exe', 'outlook.exe', 'powerpnt.exe')
  AND lower(FileName) NOT IN ('splwow64.exe', 'msedge.exe', 'chrome.exe')
GROUP BY ALL
