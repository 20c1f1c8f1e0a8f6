SELECT InitiatingProcessFileName, FileName, count(*) AS Launches
FROM DeviceProcessEvents
GROUP BY ALL
ORDER BY Launches DESC, InitiatingProcessFileName ASC, FileName ASC
LIMIT 10
