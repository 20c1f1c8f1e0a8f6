SELECT DeviceName, count(*) AS Total, count(*) FILTER (WHERE ActionType = 'ConnectionFailed') AS Failed,
       round(100.0 * count(*) FILTER (WHERE ActionType = 'ConnectionFailed') / count(*), 2) AS FailRate
FROM DeviceNetworkEvents
GROUP BY DeviceName
HAVING count(*) FILTER (WHERE ActionType = 'ConnectionFailed') > 0
