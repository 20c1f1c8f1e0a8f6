SELECT Timestamp, DeviceName, RemoteIP, RemotePort, RemoteUrl, InitiatingProcessFileName
FROM DeviceNetworkEvents
WHERE contains(lower(RemoteUrl), 'update-cdn-check')
