SELECT DeviceId, time_bucket(INTERVAL 1 HOUR, Timestamp::TIMESTAMP) AS Timestamp, count(*) AS Starts, count(DISTINCT FileName) AS Images
FROM DeviceProcessEvents
GROUP BY ALL
