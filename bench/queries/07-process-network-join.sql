WITH Scripting AS (
    SELECT DeviceId, ProcessId, Timestamp AS ProcessStart, FileName
    FROM DeviceProcessEvents
    WHERE lower(FileName) IN ('powershell.exe', 'cmd.exe', 'mshta.exe', 'rundll32.exe', 'wscript.exe', 'cscript.exe')
)
SELECT s.FileName, n.RemotePort, count(*) AS Connections, count(DISTINCT n.RemoteIP) AS RemoteIPs
FROM DeviceNetworkEvents n
JOIN Scripting s ON n.DeviceId = s.DeviceId AND n.InitiatingProcessId = s.ProcessId
WHERE n.ActionType IN ('ConnectionSuccess', 'ConnectionAttempt')
  AND n.Timestamp BETWEEN s.ProcessStart AND s.ProcessStart + INTERVAL 10 MINUTE
GROUP BY ALL
