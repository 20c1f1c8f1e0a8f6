SELECT ActionType, k AS Key, count(*) AS Events
FROM DeviceEvents, unnest(json_keys(AdditionalFields)) AS t(k)
WHERE AdditionalFields IS NOT NULL AND AdditionalFields <> ''
GROUP BY ALL
