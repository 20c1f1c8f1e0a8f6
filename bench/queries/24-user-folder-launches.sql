SELECT lower(AccountName) AS Account, lower(FileName) AS Image, count(*) AS Launches
FROM DeviceProcessEvents
WHERE starts_with(lower(FolderPath), lower('C:\Users\'))
GROUP BY ALL
HAVING count(*) > 2
