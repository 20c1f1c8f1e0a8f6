SELECT DeviceName, u->>'DomainName' AS Domain, u->>'UserName' AS UserName, count(*) AS Snapshots
FROM DeviceInfo, unnest(json_extract(LoggedOnUsers, '$[*]')) AS t(u)
WHERE coalesce(u->>'UserName', '') <> ''
GROUP BY ALL
