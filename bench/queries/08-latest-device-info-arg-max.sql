SELECT DeviceId, DeviceName, OSPlatform, OSVersion, PublicIP, MachineGroup, Timestamp
FROM DeviceInfo
QUALIFY row_number() OVER (PARTITION BY DeviceId ORDER BY Timestamp DESC) = 1
