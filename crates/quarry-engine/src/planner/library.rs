//! Defender's own functions — `FileProfile()`, `DeviceFromIP()`, `SeenBy()` (used with
//! `invoke`) and `AssignedIPAddresses()` (a tabular source) — written in KQL over the
//! tenant's tables, so they are computed from the store's own data. Their arguments
//! must be constants; they are spliced into the KQL text as literals.
//!
//! "Global" prevalence and first/last seen are computed over the tenant's data: a
//! tenant's catalog reaches nothing else.

use datafusion::common::DFSchema;
use datafusion::logical_expr::LogicalPlan;
use kql_syntax::ast::{self, ExprKind, Statement};

use super::{Binding, Planner};
use crate::error::{QueryError, Result};

/// The name the invoked function's input is bound to inside its KQL text.
pub(crate) const INPUT: &str = "__invoke_input";

/// Whether `name` is one of the library's `invoke` functions.
pub(crate) fn is_invoke_function(name: &str) -> bool {
    matches!(name, "FileProfile" | "DeviceFromIP" | "SeenBy")
}

/// Whether `name` is one of the library's tabular source functions.
pub(crate) fn is_source_function(name: &str) -> bool {
    name == "AssignedIPAddresses"
}

/// A constant argument as KQL text (a string's value for column names).
fn literal_text(e: &ast::Expr, function: &str) -> Result<String> {
    match &e.kind {
        ExprKind::Literal(_) => Ok(kql_syntax::print_expr(e)),
        ExprKind::Call { name, .. }
            if matches!(
                name.name.as_str(),
                "ago" | "now" | "datetime" | "todatetime"
            ) =>
        {
            Ok(kql_syntax::print_expr(e))
        }
        _ => Err(QueryError::semantic(
            format!("{function}(): arguments must be constants"),
            e.span,
        )),
    }
}

fn string_arg(e: &ast::Expr, function: &str) -> Result<String> {
    match &e.kind {
        ExprKind::Literal(ast::Literal::String(s)) => Ok(s.clone()),
        _ => Err(QueryError::semantic(
            format!("{function}(): expected a string constant"),
            e.span,
        )),
    }
}

/// The file-profile columns, in Defender's documented order.
const PROFILE_COLUMNS: &[&str] = &[
    "SHA1",
    "SHA256",
    "MD5",
    "FileSize",
    "GlobalPrevalence",
    "GlobalFirstSeen",
    "GlobalLastSeen",
    "Signer",
    "Issuer",
    "SignerHash",
    "IsCertificateValid",
    "IsRootSignerMicrosoft",
    "SignatureState",
    "IsExecutable",
    "ThreatName",
    "Publisher",
    "SoftwareName",
    "ProfileAvailability",
];

/// `invoke FileProfile([column [, limit]])`: enriches the first `limit` (1..1000, default
/// 100) rows by the file hash in `column` (SHA1 by default; SHA256 and the
/// InitiatingProcess forms too).
fn file_profile(args: &[ast::Expr], input_columns: &[String]) -> Result<String> {
    let column = match args.first() {
        Some(e) => string_arg(e, "FileProfile")?,
        None => "SHA1".to_string(),
    };
    let by_sha256 = match column.as_str() {
        "SHA1" | "InitiatingProcessSHA1" => false,
        "SHA256" | "InitiatingProcessSHA256" => true,
        other => {
            return Err(QueryError::semantic(
                format!(
                    "FileProfile(): '{other}' is not SHA1, SHA256, InitiatingProcessSHA1 or InitiatingProcessSHA256"
                ),
                args.first().map(|e| e.span).unwrap_or_default(),
            ));
        }
    };
    if !input_columns.iter().any(|c| c == &column) {
        return Err(QueryError::semantic(
            format!("FileProfile(): the input has no column '{column}'"),
            args.first().map(|e| e.span).unwrap_or_default(),
        ));
    }
    let limit = match args.get(1) {
        Some(e) => literal_text(e, "FileProfile")?,
        None => "100".to_string(),
    };
    let key = if by_sha256 { "SHA256" } else { "SHA1" };
    let mut text = format!(
        r#"let __fp_files = union
    (DeviceFileEvents | project SHA1, SHA256, MD5, FileSize, FileName, DeviceId, Timestamp),
    (DeviceImageLoadEvents | project SHA1, SHA256, MD5, FileSize, FileName, DeviceId, Timestamp),
    (DeviceProcessEvents | project SHA1, SHA256, MD5, FileSize, FileName, DeviceId, Timestamp),
    (DeviceProcessEvents | project SHA1 = InitiatingProcessSHA1, SHA256 = InitiatingProcessSHA256, MD5 = InitiatingProcessMD5,
        FileSize = InitiatingProcessFileSize, FileName = InitiatingProcessFileName, DeviceId, Timestamp)
    | where isnotempty({key});
let __fp_certs = DeviceFileCertificateInfo
    | summarize arg_max(Timestamp, Signer, Issuer, SignerHash, IsTrusted, IsRootSignerMicrosoft, IsSigned) by SHA1;
let __fp_profiles = __fp_files
    | summarize __fp_GlobalPrevalence = dcount(DeviceId), __fp_GlobalFirstSeen = min(Timestamp), __fp_GlobalLastSeen = max(Timestamp),
        __fp_SHA1 = take_any(SHA1), __fp_SHA256 = take_any(SHA256), __fp_MD5 = take_any(MD5), __fp_FileSize = take_any(FileSize),
        __fp_FileName = take_any(FileName) by __fp_key = {key}
    | join kind=leftouter (__fp_certs | project __fp_cert_sha1 = SHA1, Signer, Issuer, SignerHash, IsTrusted, IsRootSignerMicrosoft, IsSigned)
        on $left.__fp_SHA1 == $right.__fp_cert_sha1
    | project __fp_key, __fp_SHA1, __fp_SHA256, __fp_MD5, __fp_FileSize, __fp_GlobalPrevalence, __fp_GlobalFirstSeen, __fp_GlobalLastSeen,
        __fp_Signer = Signer, __fp_Issuer = Issuer, __fp_SignerHash = SignerHash, __fp_IsCertificateValid = IsTrusted,
        __fp_IsRootSignerMicrosoft = IsRootSignerMicrosoft,
        __fp_SignatureState = case(isnull(IsSigned), "Unknown", IsSigned and IsTrusted, "SignedValid", IsSigned, "SignedInvalid", "Unsigned"),
        __fp_IsExecutable = tolower(__fp_FileName) matches regex @"\.(exe|dll|sys|scr|ocx|cpl|com|efi|drv)$",
        __fp_ThreatName = "", __fp_Publisher = Signer, __fp_SoftwareName = "", __fp_found = true;
{INPUT}
| serialize __fp_row = row_number()
| extend __fp_key = iff(__fp_row <= {limit}, tostring({column}), "")
| join kind=leftouter (__fp_profiles) on __fp_key
| extend __fp_ProfileAvailability = iff(isempty(__fp_key), "", iff(__fp_found == true, "Available", "Missing"))
"#
    );
    // Each profile column replaces an input column of the same name or is appended.
    let mut extends = Vec::new();
    for c in PROFILE_COLUMNS {
        if input_columns.iter().any(|i| i == c) {
            extends.push(format!("{c} = coalesce(__fp_{c}, {c})"));
        } else {
            extends.push(format!("{c} = __fp_{c}"));
        }
    }
    text.push_str(&format!("| extend {}\n", extends.join(", ")));
    text.push_str("| project-away __fp_*\n");
    Ok(text)
}

/// The latest IP addresses per device (DeviceNetworkInfo's IPAddresses JSON), optionally
/// as of a time.
fn ip_assignments(as_of: Option<&str>) -> String {
    let when = as_of
        .map(|t| format!("| where Timestamp <= {t}"))
        .unwrap_or_default();
    format!(
        r#"DeviceNetworkInfo
    {when}
    | summarize arg_max(Timestamp, *) by DeviceId, NetworkAdapterName
    | mv-expand __ip = parse_json(IPAddresses)
    | extend IPAddress = tostring(__ip.IPAddress), __type = tostring(__ip.AddressType)
    | where isnotempty(IPAddress)"#
    )
}

/// `invoke DeviceFromIP([timestamp])`: the device each input row's `IP` was assigned to.
fn device_from_ip(args: &[ast::Expr], input_columns: &[String]) -> Result<String> {
    if !input_columns.iter().any(|c| c == "IP") {
        return Err(QueryError::semantic(
            "DeviceFromIP(): the input needs a column named IP".to_string(),
            Default::default(),
        ));
    }
    let as_of = args
        .first()
        .map(|e| literal_text(e, "DeviceFromIP"))
        .transpose()?;
    Ok(format!(
        "let __assigned = {}\n    | summarize arg_max(Timestamp, DeviceId) by IP = IPAddress\n    | project IP, DeviceId;\n\
         {INPUT} | extend IP = tostring(IP) | join kind=inner (__assigned) on IP | project IP, DeviceId\n",
        ip_assignments(as_of.as_deref())
    ))
}

/// `invoke SeenBy()`: onboarded devices that connected to an address of each input
/// device (a device "seen" on the network by them).
fn seen_by(input_columns: &[String]) -> Result<String> {
    if !input_columns.iter().any(|c| c == "DeviceId") {
        return Err(QueryError::semantic(
            "SeenBy(): the input needs a DeviceId column".to_string(),
            Default::default(),
        ));
    }
    Ok(format!(
        "let __targets = {INPUT} | distinct DeviceId;\n\
         let __target_ips = {}\n    | join kind=inner (__targets) on DeviceId | distinct IP = IPAddress;\n\
         DeviceNetworkEvents | join kind=inner (__target_ips) on $left.RemoteIP == $right.IP | distinct DeviceId\n",
        ip_assignments(None)
    ))
}

/// `AssignedIPAddresses(device [, timestamp])`.
fn assigned_ip_addresses(args: &[ast::Expr]) -> Result<String> {
    let device = args.first().ok_or_else(|| {
        QueryError::semantic(
            "AssignedIPAddresses(): expects a DeviceId or DeviceName",
            Default::default(),
        )
    })?;
    let device = literal_text(device, "AssignedIPAddresses")?;
    let as_of = args
        .get(1)
        .map(|e| literal_text(e, "AssignedIPAddresses"))
        .transpose()?;
    let when = as_of
        .map(|t| format!("| where Timestamp <= {t}"))
        .unwrap_or_default();
    Ok(format!(
        r#"DeviceNetworkInfo
| where DeviceId =~ {device} or DeviceName =~ {device}
{when}
| summarize arg_max(Timestamp, *) by NetworkAdapterName
| mv-expand __ip = parse_json(IPAddresses)
| extend IPAddress = tostring(__ip.IPAddress), __type = tostring(__ip.AddressType)
| where isnotempty(IPAddress)
| extend IPType = iff(isnotempty(__type), __type, iff(ipv4_is_private(IPAddress), "Private", "Public"))
| project Timestamp, IPAddress, IPType, NetworkAdapterType, ConnectedNetworks
"#
    ))
}

impl Planner<'_> {
    /// Plans KQL text with `bindings` in a scope of its own.
    fn plan_library_text(
        &mut self,
        text: &str,
        bindings: Vec<(String, Binding)>,
    ) -> Result<LogicalPlan> {
        let query = kql_syntax::parse(text).map_err(|e| {
            QueryError::Execution(format!("library function text does not parse: {e}"))
        })?;
        self.scopes.push(bindings.into_iter().collect());
        let result = (|| {
            let mut last = None;
            for statement in &query.statements {
                match statement {
                    Statement::Let(l) => self.plan_let(l, &DFSchema::empty())?,
                    Statement::Expr(e) => last = Some(e),
                    Statement::Set { .. } | Statement::DeclareParameters { .. } => {}
                }
            }
            let last = last
                .ok_or_else(|| QueryError::Execution("library function without a result".into()))?;
            self.plan_tabular(last)
        })();
        self.scopes.pop();
        result
    }

    /// `input | invoke Name(args)` for a library function.
    pub(crate) fn invoke_library(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        input: LogicalPlan,
    ) -> Result<LogicalPlan> {
        let columns: Vec<String> = input
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let text = match name {
            "FileProfile" => file_profile(args, &columns)?,
            "DeviceFromIP" => device_from_ip(args, &columns)?,
            "SeenBy" => seen_by(&columns)?,
            other => {
                return Err(QueryError::not_supported(format!(
                    "function '{other}' with invoke"
                )));
            }
        };
        self.plan_library_text(&text, vec![(INPUT.to_string(), Binding::Tabular(input))])
    }

    /// A library tabular source such as `AssignedIPAddresses(...)`.
    pub(crate) fn library_source(&mut self, name: &str, args: &[ast::Expr]) -> Result<LogicalPlan> {
        let text = match name {
            "AssignedIPAddresses" => assigned_ip_addresses(args)?,
            other => {
                return Err(QueryError::not_supported(format!(
                    "function '{other}' as a tabular source"
                )));
            }
        };
        self.plan_library_text(&text, Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn library_texts_parse() {
        let c = cols(&["SHA1", "IP", "DeviceId", "FileName"]);
        for text in [
            file_profile(&[], &c).expect("FileProfile"),
            device_from_ip(&[], &c).expect("DeviceFromIP"),
            seen_by(&c).expect("SeenBy"),
        ] {
            kql_syntax::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        }
        let q = kql_syntax::parse("print AssignedIPAddresses('ws1', ago(1d))").expect("parse");
        let Statement::Expr(e) = &q.statements[0] else {
            panic!()
        };
        let ExprKind::Source(src) = &e.kind else {
            panic!()
        };
        let ast::Source::Print(items) = src.as_ref() else {
            panic!()
        };
        let ExprKind::Call { args, .. } = &items[0].expr.kind else {
            panic!()
        };
        let values: Vec<ast::Expr> = args.iter().map(|a| a.value.clone()).collect();
        let text = assigned_ip_addresses(&values).expect("text");
        kql_syntax::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }

    #[test]
    fn file_profile_checks_its_column() {
        assert!(file_profile(&[], &cols(&["FileName"])).is_err());
        let q = kql_syntax::parse("print 'MD5'").expect("parse");
        let Statement::Expr(e) = &q.statements[0] else {
            panic!()
        };
        let ExprKind::Source(src) = &e.kind else {
            panic!()
        };
        let ast::Source::Print(items) = src.as_ref() else {
            panic!()
        };
        assert!(file_profile(&[items[0].expr.clone()], &cols(&["MD5"])).is_err());
    }
}
