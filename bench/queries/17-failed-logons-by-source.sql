SELECT RemoteIP, time_bucket(INTERVAL 1 HOUR, Timestamp::TIMESTAMP) AS Timestamp, count(*) AS Failures, count(DISTINCT AccountName) AS Accounts
FROM DeviceLogonEvents
WHERE ActionType = 'LogonFailed'
GROUP BY ALL
