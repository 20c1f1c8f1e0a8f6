SELECT ActionType, time_bucket(INTERVAL 1 DAY, Timestamp::TIMESTAMP) AS Day, count(*) AS Events, count(DISTINCT DeviceId) AS Devices
FROM DeviceNetworkEvents
GROUP BY ALL
