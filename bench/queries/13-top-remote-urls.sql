SELECT RemoteUrl, count(*) AS Connections, count(DISTINCT DeviceId) AS Devices
FROM DeviceNetworkEvents
WHERE RemoteUrl IS NOT NULL AND RemoteUrl <> ''
GROUP BY RemoteUrl
ORDER BY Connections DESC, RemoteUrl ASC
LIMIT 10
