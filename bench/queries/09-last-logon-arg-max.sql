SELECT DeviceId, AccountName, Timestamp, LogonType, RemoteIP, IsLocalAdmin
FROM DeviceLogonEvents
WHERE ActionType = 'LogonSuccess'
QUALIFY row_number() OVER (PARTITION BY DeviceId, AccountName ORDER BY Timestamp DESC) = 1
