//! Column indexes by name, resolved once per table (GENERATED from the schema column
//! names; a test checks that every documented column has a field).

use defender_schema::Column;

/// Index of a column that the table does not have: setting it is a no-op.
pub const ABSENT: usize = usize::MAX;

macro_rules! cols {
    ($($name:ident),* $(,)?) => {
        /// One field per column name of any Defender table: its index in this table's
        /// `all_columns()`, or [`ABSENT`].
        #[allow(non_snake_case)]
        #[derive(Debug, Clone)]
        pub struct Cols { $(pub $name: usize,)* }

        impl Cols {
            pub fn resolve(columns: &[Column]) -> Cols {
                let find = |n: &str| columns.iter().position(|c| c.name == n).unwrap_or(ABSENT);
                Cols { $($name: find(stringify!($name)),)* }
            }

            /// Every column name that has a field here.
            pub const NAMES: &[&str] = &[$(stringify!($name)),*];
        }
    };
}

cols! {
    AadDeviceId, AccountDisplayName, AccountDomain, AccountId, AccountName, AccountObjectId,
    AccountSid, AccountType, AccountUpn, Action, ActionResult, ActionTrigger, ActionType,
    ActivityObjects, ActivityType, AdditionalFields, Address, AffectedSoftware, AlertId,
    AppGuardContainerId, AppInstanceId, Application, ApplicationId, AssetValue, AssignedRoles,
    AttachmentCount, AttackTechniques, AuditSource, AuthenticationDetails, AwsResourceName,
    AzureResourceId, BehaviorId, BulkComplaintLevel, Categories, Category,
    CertificateCountersignatureTime, CertificateCreationTime, CertificateExpirationTime,
    CertificateSerialNumber, ChangeSource, City, ClientVersion, CloudPlatform, CloudResource,
    CloudSid, ConfidenceLevel, ConfigurationBenchmarks, ConfigurationCategory,
    ConfigurationDescription, ConfigurationId, ConfigurationImpact, ConfigurationName,
    ConfigurationSubcategory, ConnectedNetworks, ConnectivityType, Connectors, Context, Country,
    CountryCode, CreatedDateTime, CreatedProcessSessionId, CrlDistributionPointUrls, CveId,
    CveTags, CvssScore, DataSources, DefaultGateways, DeliveryAction, DeliveryLocation,
    Department, Description, DestinationDeviceName, DestinationIPAddress, DestinationPort,
    DetectionMethods, DetectionSource, DeviceCategory, DeviceDynamicTags, DeviceId,
    DeviceManualTags, DeviceName, DeviceSubtype, DeviceType, DistinguishedName, DnsAddresses,
    EmailAction, EmailActionPolicy, EmailActionPolicyGuid, EmailAddress, EmailClusterId,
    EmailDirection, EmailLanguage, EmailSubject, EndOfSupportDate, EndOfSupportStatus, EndTime,
    EntityType, EvidenceDirection, EvidenceRole, ExclusionReason, ExposureLevel, FailureReason,
    FileName, FileOriginIP, FileOriginReferrerUrl, FileOriginUrl, FileSize, FileType,
    FolderPath, GcpFullResourceName, GivenName, HostDeviceId, IPAddress, IPAddresses,
    IPCategory, IPTags, IPv4Dhcp, IPv6Dhcp, ISP, InitiatingProcessAccountDomain,
    InitiatingProcessAccountName, InitiatingProcessAccountObjectId, InitiatingProcessAccountSid,
    InitiatingProcessAccountUpn, InitiatingProcessCommandLine, InitiatingProcessCreationTime,
    InitiatingProcessFileName, InitiatingProcessFileSize, InitiatingProcessFolderPath,
    InitiatingProcessId, InitiatingProcessIntegrityLevel, InitiatingProcessLogonId,
    InitiatingProcessMD5, InitiatingProcessParentCreationTime, InitiatingProcessParentFileName,
    InitiatingProcessParentId, InitiatingProcessRemoteSessionDeviceName,
    InitiatingProcessRemoteSessionIP, InitiatingProcessSHA1, InitiatingProcessSHA256,
    InitiatingProcessSessionId, InitiatingProcessSignatureStatus, InitiatingProcessSignerType,
    InitiatingProcessTokenElevation, InitiatingProcessVersionInfoCompanyName,
    InitiatingProcessVersionInfoFileDescription, InitiatingProcessVersionInfoInternalFileName,
    InitiatingProcessVersionInfoOriginalFileName, InitiatingProcessVersionInfoProductName,
    InitiatingProcessVersionInfoProductVersion, InternetMessageId, IsAccountEnabled,
    IsAdminOperation, IsAnonymousProxy, IsApplicable, IsAzureADJoined,
    IsAzureInfoProtectionApplied, IsClickedThrough, IsCompliant, IsExcluded,
    IsExpectedUserImpact, IsExploitAvailable, IsExternalUser, IsImpersonated,
    IsInitiatingProcessRemoteSession, IsInternetFacing, IsLocalAdmin, IsProcessRemoteSession,
    IsRootSignerMicrosoft, IsSigned, IsTrusted, Isp, Issuer, IssuerHash, JobTitle, JoinType,
    LastModifiedTime, LastSeenForUser, LatestDeliveryAction, LatestDeliveryLocation, LocalIP,
    LocalIPType, LocalPort, Location, LoggedOnUsers, LogonId, LogonType, MD5, MacAddress,
    MachineGroup, Manager, MergedDeviceIds, MergedToDeviceId, Model, NetworkAdapterName,
    NetworkAdapterStatus, NetworkAdapterType, NetworkAdapterVendor, NetworkMessageId,
    OAuthAppId, OAuthApplicationId, OSArchitecture, OSBuild, OSDistribution, OSPlatform,
    OSVersion, OSVersionInfo, ObjectId, ObjectName, ObjectType, OnPremSid, OnboardingStatus,
    OrgLevelAction, OrgLevelPolicy, Phone, Port, PreviousFileName, PreviousFolderPath,
    PreviousRegistryKey, PreviousRegistryValueData, PreviousRegistryValueName,
    PrivilegedEntraPimRoles, ProcessCommandLine, ProcessCreationTime, ProcessId,
    ProcessIntegrityLevel, ProcessRemoteSessionDeviceName, ProcessRemoteSessionIP,
    ProcessTokenElevation, ProcessVersionInfoCompanyName, ProcessVersionInfoFileDescription,
    ProcessVersionInfoInternalFileName, ProcessVersionInfoOriginalFileName,
    ProcessVersionInfoProductName, ProcessVersionInfoProductVersion, ProductCodeCpe, Protocol,
    PublicIP, PublishedDate, Query, QueryTarget, QueryType, RawEventData, RecipientEmailAddress,
    RecipientObjectId, RecommendedSecurityUpdate, RecommendedSecurityUpdateId,
    RegistryDeviceTag, RegistryKey, RegistryValueData, RegistryValueName, RegistryValueType,
    RelatedMitreTactics, RelatedMitreTechniques, RemediationOptions, RemoteDeviceName, RemoteIP,
    RemoteIPType, RemotePort, RemoteUrl, ReportId, RequestAccountDomain, RequestAccountName,
    RequestAccountSid, RequestProtocol, RequestSourceIP, RequestSourcePort, ResourceID,
    ResourceType, RiskDescription, SHA1, SHA256, SenderDisplayName, SenderFromAddress,
    SenderFromDomain, SenderIPv4, SenderIPv6, SenderMailFromAddress, SenderMailFromDomain,
    SenderObjectId, SensitivityLabel, SensitivitySubLabel, SensorHealthState, ServiceSource,
    SessionData, Severity, ShareName, SignatureType, Signer, SignerHash, SipProxyAddress,
    SoftwareName, SoftwareVendor, SoftwareVersion, SourceProvider, SourceSystem, StartTime,
    Subject, SubscriptionId, Surname, Tags, TargetAccountDisplayName, TargetAccountUpn,
    TargetDeviceName, TenantId, ThreatFamily, ThreatNames, ThreatTypes, TimeGenerated,
    Timestamp, Title, TunnelType, Type, UncommonForUser, Url, UrlChain, UrlCount, UrlDomain,
    UrlLocation, UserAgent, UserAgentTags, UserLevelAction, UserLevelPolicy, Vendor,
    VulnerabilityDescription, VulnerabilitySeverityLevel, Workload,
}
