//! Everyday admin commands of IT staff: the binaries and command lines an admin shell
//! runs (`{fs}`, `{dc}`, `{user}`, `{dom}` are filled in by [`expand`]).

use crate::catalog::Bin;
use crate::ctx::Dx;

/// (binary, command line) of everyday admin commands; `{fs}`, `{dc}`, `{user}`, `{dom}`.
pub const ADMIN_CMDS: &[(Bin, &str)] = &[
    (Bin::Ipconfig, "ipconfig /all"),
    (Bin::Ipconfig, "ipconfig /flushdns"),
    (Bin::Net, "net use"),
    (Bin::Net, r"net use Z: \\{fs}\shared /persistent:yes"),
    (Bin::Net, "net localgroup administrators"),
    (Bin::Net, "net user {user} /domain"),
    (Bin::Net, "net time \\\\{dc}"),
    (
        Bin::Reg,
        r#"reg query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion" /v DisplayVersion"#,
    ),
    (
        Bin::Reg,
        r"reg query HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters",
    ),
    (Bin::Sc, "sc query wuauserv"),
    (Bin::Sc, "sc qc Spooler"),
    (Bin::Schtasks, "schtasks /query /fo LIST /v"),
    (
        Bin::Certutil,
        r"certutil -hashfile C:\Users\{user}\Downloads\7z2408-x64.msi SHA256",
    ),
    (
        Bin::Certutil,
        "certutil -verify -urlfetch C:\\Users\\{user}\\Desktop\\server.cer",
    ),
    (Bin::Wmic, "wmic os get caption,version /value"),
    (Bin::Wmic, "wmic logicaldisk get name,freespace,size"),
    (Bin::Gpupdate, "gpupdate /force"),
    (Bin::Nslookup, "nslookup {fs}"),
    (Bin::Ping, "ping -n 4 {dc}"),
    (Bin::Tasklist, "tasklist /v"),
    (Bin::Systeminfo, "systeminfo"),
    (Bin::Whoami, "whoami"),
    (
        Bin::Msiexec,
        r#"msiexec.exe /i "\\{fs}\deploy\7z2408-x64.msi" /qn /norestart"#,
    ),
    (
        Bin::Cscript,
        r"cscript.exe //nologo C:\Windows\System32\slmgr.vbs /dli",
    ),
    (
        Bin::Rundll32,
        r"rundll32.exe C:\Windows\system32\shell32.dll,Control_RunDLL ncpa.cpl",
    ),
    (
        Bin::Regsvr32,
        r#"regsvr32.exe /s "C:\Program Files\Microsoft Office\root\Office16\ADDINS\ColleagueImport.dll""#,
    ),
    (Bin::Bitsadmin, "bitsadmin /list /allusers"),
    (
        Bin::Mmc,
        r#""C:\Windows\system32\mmc.exe" "C:\Windows\system32\dsa.msc""#,
    ),
    (
        Bin::Curl,
        "curl -s -o NUL -w %{http_code} https://{fs}/health",
    ),
    (Bin::Taskkill, "taskkill /IM OUTLOOK.EXE /F"),
    (
        Bin::Netsh,
        "netsh advfirewall firewall show rule name=all dir=in",
    ),
    (Bin::Netsh, "netsh interface ip show config"),
    (Bin::Netsh, "netsh winhttp show proxy"),
    (
        Bin::Netsh,
        r#"netsh advfirewall firewall add rule name="Allow WinRM HTTPS" dir=in action=allow protocol=TCP localport=5986"#,
    ),
    (Bin::Wevtutil, "wevtutil qe System /c:20 /f:text /rd:true"),
    (Bin::Wevtutil, "wevtutil el"),
    (Bin::Wevtutil, r"wevtutil epl Application C:\Temp\app.evtx"),
    (
        Bin::Robocopy,
        r"robocopy \\{fs}\deploy C:\Temp\deploy /MIR /R:2 /W:5 /NP",
    ),
    (
        Bin::Robocopy,
        r"robocopy C:\Users\{user}\Documents \\{fs}\home\{user}\Documents /E /Z /XO",
    ),
    (
        Bin::Icacls,
        r#"icacls "\\{fs}\shared\Finance" /grant "{dom}\Finance":(OI)(CI)M"#,
    ),
    (Bin::Icacls, r"icacls C:\Temp\deploy /reset /T"),
    (Bin::Sc, "sc query type= service state= all"),
    (Bin::Sc, r"sc \\{fs} query Spooler"),
    (Bin::Sc, "sc stop Spooler"),
    (Bin::Sc, "sc start Spooler"),
    (Bin::Sc, "sc config wuauserv start= delayed-auto"),
    (Bin::PsExec, r"PsExec.exe \\{fs} -s ipconfig /flushdns"),
    (
        Bin::PsExec,
        r"PsExec.exe -accepteula \\{fs} -s cmd /c gpupdate /force",
    ),
    (
        Bin::SevenZip,
        r#""C:\Program Files\7-Zip\7z.exe" x C:\Users\{user}\Downloads\logs.zip -oC:\Temp\logs"#,
    ),
    (
        Bin::SevenZip,
        r#""C:\Program Files\7-Zip\7z.exe" a C:\Temp\logs.7z C:\Windows\Logs\CBS\*.log"#,
    ),
    (
        Bin::Tar,
        r"tar -xf C:\Users\{user}\Downloads\tools.zip -C C:\Tools",
    ),
    (Bin::Klist, "klist purge"),
    (Bin::Klist, "klist tickets"),
    (Bin::Gpresult, r"gpresult /h C:\Temp\gp.html /f"),
    (Bin::Gpresult, "gpresult /r /scope computer"),
    (Bin::Quser, r"quser /server:{fs}"),
    (Bin::Qwinsta, r"qwinsta /server:{fs}"),
    (Bin::Net, "net session"),
    (Bin::Net, r"net view \\{fs}"),
    (Bin::Net, "net group \"Domain Admins\" /domain"),
    (Bin::Net, "net accounts"),
    (Bin::Net, "net share"),
    (Bin::Net, "net start"),
    (Bin::Netstat, "netstat -ano"),
    (Bin::Netstat, "netstat -an"),
    (Bin::Nbtstat, "nbtstat -A {fs}"),
    (Bin::Arp, "arp -a"),
    (Bin::Route, "route print"),
    (Bin::Dsquery, "dsquery user -name {user}*"),
    (Bin::Dsquery, "dsquery computer -inactive 8"),
    (Bin::Setspn, "setspn -L {fs}"),
    (Bin::Auditpol, "auditpol /get /category:*"),
    (Bin::Fsutil, "fsutil fsinfo drives"),
    (Bin::Fsutil, "fsutil volume diskfree C:"),
    (
        Bin::Findstr,
        r"findstr /i /c:error C:\Windows\Logs\CBS\CBS.log",
    ),
    (
        Bin::Xcopy,
        r"xcopy \\{fs}\deploy\drivers C:\Temp\drivers /E /I /Y",
    ),
    (Bin::Cmdkey, "cmdkey /list"),
    (Bin::Hostname, "hostname"),
    (Bin::Whoami, "whoami /groups"),
    (Bin::Nltest, "nltest /dsgetdc:{dom}"),
    (Bin::Nltest, "nltest /sc_query:{dom}"),
    (
        Bin::Wusa,
        r"wusa.exe C:\Temp\windows10.0-kb5044273-x64.msu /quiet /norestart",
    ),
    (Bin::Mountvol, "mountvol"),
    (Bin::Attrib, r"attrib -h -s -r C:\Temp\deploy\*.* /S"),
    (Bin::Schtasks, "schtasks /query /fo CSV /nh"),
    (
        Bin::Schtasks,
        r#"schtasks /create /tn "IT\Weekly Cleanup" /tr "C:\Windows\System32\cleanmgr.exe /sagerun:1" /sc weekly /d SUN /st 02:00 /ru SYSTEM /f"#,
    ),
    (
        Bin::Reg,
        r"reg export HKLM\SOFTWARE\Policies C:\Temp\policies.reg /y",
    ),
    (
        Bin::Reg,
        r#"reg query "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall" /s /f DisplayName"#,
    ),
    (
        Bin::Reg,
        r"reg query HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
    ),
    (Bin::Wmic, "wmic qfe list brief"),
    (Bin::Wmic, "wmic product get name,version"),
    (Bin::Wmic, r"wmic /node:{fs} os get lastbootuptime"),
    (Bin::Wmic, "wmic computersystem get model,manufacturer"),
    (
        Bin::Tasklist,
        "tasklist /svc /fi \"imagename eq svchost.exe\"",
    ),
    (Bin::Bcdedit, "bcdedit /enum"),
    (Bin::Vssadmin, "vssadmin list shadows"),
    (Bin::Wbadmin, "wbadmin get versions"),
    (Bin::Certutil, "certutil -store my"),
    (Bin::Certutil, "certutil -pulse"),
    (Bin::Mstsc, "mstsc.exe /v:{fs}"),
    (
        Bin::Nslookup,
        "nslookup -type=SRV _ldap._tcp.dc._msdcs.{dom}",
    ),
    (Bin::Manage, "manage-bde -status C:"),
    (Bin::Cipher, r"cipher /c C:\Users\{user}\Documents\*"),
];

pub const ADMIN_PS: &[&str] = &[
    r#"powershell.exe -NoProfile -Command "Get-Service | Where-Object Status -eq 'Running'""#,
    r#"powershell.exe -ExecutionPolicy Bypass -NoProfile -File \\{dom}\NETLOGON\inventory.ps1"#,
    r#"powershell.exe -NoProfile -Command "Get-ADUser -Identity {user} -Properties LastLogonDate""#,
    r#"powershell.exe -NoProfile -Command "Test-NetConnection {fs} -Port 445""#,
    r#"powershell.exe -NoProfile -Command "Get-WinEvent -LogName System -MaxEvents 50""#,
    r#"powershell.exe -NoProfile -Command "Restart-Service -Name Spooler -Force""#,
    r#"powershell.exe -NoProfile -Command "Get-HotFix | Sort-Object InstalledOn -Descending | Select-Object -First 5""#,
    r#"powershell.exe -NoProfile -Command "Invoke-Command -ComputerName {fs} -ScriptBlock { Get-Service W32Time }""#,
    r#"powershell.exe -NoProfile -Command "Get-LocalGroupMember -Group Administrators""#,
    r#"powershell.exe -NoProfile -Command "Get-SmbShare; Get-SmbSession""#,
    r#"powershell.exe -NoProfile -Command "Get-ScheduledTask | Where-Object State -eq 'Ready'""#,
    r#"powershell.exe -NoProfile -Command "Test-ComputerSecureChannel -Verbose""#,
    r#"powershell.exe -NoProfile -Command "Resolve-DnsName {dc}.{dom}""#,
    r#"powershell.exe -NoProfile -Command "Get-NetTCPConnection -State Listen""#,
    r#"powershell.exe -NoProfile -Command "Get-MpComputerStatus | Select-Object AMProductVersion,AntivirusSignatureLastUpdated""#,
    r#"powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "Install-Module -Name PSWindowsUpdate -Force -Scope CurrentUser""#,
    r#"powershell.exe -NoProfile -Command "Get-ChildItem Cert:\LocalMachine\My""#,
    r#"powershell.exe -NoProfile -Command "Get-ADComputer -Filter * -Properties LastLogonDate | Where-Object LastLogonDate -lt (Get-Date).AddDays(-90)""#,
    r#"powershell.exe -NoProfile -Command "Get-ADGroupMember -Identity 'Domain Admins'""#,
    r#"powershell.exe -NoProfile -Command "Compress-Archive -Path C:\Windows\Logs\CBS -DestinationPath C:\Temp\cbs.zip -Force""#,
    r#"powershell.exe -NoProfile -Command "Get-WmiObject -Class Win32_LogicalDisk -ComputerName {fs}""#,
    r#"powershell.exe -NoProfile -Command "Get-Process | Sort-Object WS -Descending | Select-Object -First 10""#,
    r#"powershell.exe -NoProfile -Command "Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser -Force""#,
    r#"powershell.exe -NoProfile -Command "Invoke-WebRequest -Uri https://aka.ms/installazurecliwindows -OutFile C:\Temp\AzureCLI.msi""#,
    r#"powershell.exe -NoProfile -Command "Resolve-DnsName {fs}.{dom}; Get-DnsClientServerAddress -AddressFamily IPv4""#,
    r#"powershell.exe -NoProfile -Command "Get-NetAdapter | Where-Object Status -eq 'Up'; Get-NetIPConfiguration""#,
    r#"powershell.exe -NoProfile -Command "Get-NetAdapterBinding -ComponentID ms_tcpip6""#,
    r#"powershell.exe -NoProfile -Command "Get-ADDomainController -Discover -Service PrimaryDC""#,
    r#"powershell.exe -NoProfile -Command "Get-WinEvent -FilterHashtable @{LogName='System'; Level=2; StartTime=(Get-Date).AddDays(-1)}""#,
    r#"powershell.exe -NoProfile -Command "Get-Content -Encoding UTF8 C:\Windows\Logs\DISM\dism.log -Tail 50""#,
];

pub fn expand(dx: &Dx, template: &str, user: &str) -> String {
    let fs = dx
        .fleet
        .devices
        .iter()
        .find(|d| d.role == "file")
        .or_else(|| dx.fleet.devices.first())
        .map(|d| d.short.as_str())
        .unwrap_or("fileserver");
    let dc = dx
        .fleet
        .dcs
        .first()
        .and_then(|i| dx.fleet.devices.get(*i))
        .map(|d| d.short.as_str())
        .unwrap_or("dc01");
    template
        .replace("{fs}", fs)
        .replace("{dc}", dc)
        .replace("{user}", user)
        .replace("{dom}", &dx.fleet.tenant.ad_domain)
}
