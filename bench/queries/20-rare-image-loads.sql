SELECT FileName, count(*) AS Loads, count(DISTINCT DeviceId) AS Devices
FROM DeviceImageLoadEvents
GROUP BY FileName
HAVING count(DISTINCT DeviceId) <= 3
