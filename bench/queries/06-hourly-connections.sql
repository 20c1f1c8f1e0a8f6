SELECT DeviceName, time_bucket(INTERVAL 1 HOUR, Timestamp::TIMESTAMP) AS Timestamp, count(*) AS Connections, count(DISTINCT RemoteIP) AS RemoteIPs
FROM DeviceNetworkEvents
WHERE ActionType = 'ConnectionSuccess'
GROUP BY ALL
HAVING count(*) > 20
