//! The words the detectors know: SQL keywords and functions, shell and
//! Windows commands, scanner names, sensitive path words, JavaScript sinks and
//! PHP functions, each with a set of class flags.
//!
//! One hash table holds them all, built once; [`lookup`] is a single probe
//! (ASCII case-insensitive), cheap enough to run on every word of every
//! parameter and user agent in the prefilter.

/// `UNION`, `INTERSECT`, `EXCEPT`, `MINUS`.
pub(crate) const SQL_UNION: u64 = 1 << 0;
/// A keyword that starts a statement (`SELECT`, `DROP`, `WAITFOR`).
pub(crate) const SQL_STATEMENT: u64 = 1 << 1;
/// `AND`, `OR`, `XOR`.
pub(crate) const SQL_LOGIC: u64 = 1 << 2;
/// An operator spelled as a word (`LIKE`, `IS`, `IN`, `BETWEEN`).
pub(crate) const SQL_OPERATOR: u64 = 1 << 3;
/// A clause keyword (`FROM`, `WHERE`, `ORDER`, `BY`, `INTO`).
pub(crate) const SQL_KEYWORD: u64 = 1 << 4;
/// `TRUE`, `FALSE`, `NULL`.
pub(crate) const SQL_LITERAL: u64 = 1 << 5;
/// A function typical of injections (`CONCAT`, `VERSION`, `LOAD_FILE`).
pub(crate) const SQL_FUNCTION: u64 = 1 << 6;
/// A function common in SQL and in injections, weak evidence alone.
pub(crate) const SQL_FUNCTION_WEAK: u64 = 1 << 7;
/// A time-delay primitive (`SLEEP`, `BENCHMARK`, `PG_SLEEP`).
pub(crate) const SQL_TIME: u64 = 1 << 8;
/// A system catalog, procedure or provider (`INFORMATION_SCHEMA`).
pub(crate) const SQL_SYSTEM: u64 = 1 << 9;
/// A type name, as after a PostgreSQL `::` cast.
pub(crate) const SQL_TYPE: u64 = 1 << 10;
/// A command rarely seen as an ordinary word (`whoami`, `ifconfig`).
pub(crate) const CMD_DISTINCT: u64 = 1 << 11;
/// A command that is also an everyday word (`cat`, `set`, `time`).
pub(crate) const CMD_COMMON: u64 = 1 << 12;
/// A shell (`sh`, `bash`, `cmd`, `powershell`).
pub(crate) const CMD_SHELL: u64 = 1 << 13;
/// A script interpreter (`python`, `perl`, `php`).
pub(crate) const CMD_INTERPRETER: u64 = 1 << 14;
/// A command that runs the next word as a command (`nohup`, `env`, `sudo`).
pub(crate) const CMD_PREFIX: u64 = 1 << 15;
/// An HTTP client whose name is also its user agent (`curl`, `wget`).
pub(crate) const CMD_HTTP_CLIENT: u64 = 1 << 16;
/// Netcat and relatives (`nc`, `ncat`, `socat`, `telnet`).
pub(crate) const CMD_NETCAT: u64 = 1 << 17;
/// A Windows command or `cmd.exe` builtin.
pub(crate) const CMD_WINDOWS: u64 = 1 << 18;
/// The first part of a family of commands (`ansible-`, `chef-`, `aa-`).
pub(crate) const CMD_FAMILY: u64 = 1 << 19;
/// A dedicated attack or vulnerability-scanning tool.
pub(crate) const SCANNER_HIGH: u64 = 1 << 20;
/// A discovery or internet-wide scanner.
pub(crate) const SCANNER_MEDIUM: u64 = 1 << 21;
/// A word that starts a multi-word scanner name (checked as a phrase).
pub(crate) const SCANNER_HINT: u64 = 1 << 22;
/// A word of a sensitive Unix or Windows path (`passwd`, `proc`, `win`).
pub(crate) const PATH_WORD: u64 = 1 << 23;
/// A JavaScript sink or global used in XSS proofs (`alert`, `eval`).
pub(crate) const JS_SINK: u64 = 1 << 24;
/// A dangerous PHP function (`system`, `base64_decode`).
pub(crate) const PHP_FUNCTION: u64 = 1 << 25;
/// A Java class or method used in expression injection (`getRuntime`).
pub(crate) const JAVA_WORD: u64 = 1 << 26;
/// A boundary value used to probe integer or float overflow.
pub(crate) const OVERFLOW: u64 = 1 << 27;
/// A `cmd.exe` `IF` keyword or comparison (`EXIST`, `ERRORLEVEL`, `EQU`).
pub(crate) const BATCH: u64 = 1 << 28;
/// A path word that no browser's user agent contains (`passwd`, `proc`).
pub(crate) const AGENT_PATH_WORD: u64 = 1 << 29;

/// Any command flag.
pub(crate) const CMD_ANY: u64 = CMD_DISTINCT
    | CMD_COMMON
    | CMD_SHELL
    | CMD_INTERPRETER
    | CMD_PREFIX
    | CMD_HTTP_CLIENT
    | CMD_NETCAT
    | CMD_WINDOWS
    | CMD_FAMILY;

/// Class flags of a word (0 when unknown). `word` may be in any case.
pub(crate) fn lookup(word: &[u8]) -> u64 {
    get(word)
}

/// Like [`lookup`], also trying the word without a trailing version number
/// (`python3` → `python`) and, for hyphenated names, the family before the
/// first `-` (`ansible-playbook` → `ansible`).
pub(crate) fn lookup_command(word: &[u8]) -> u64 {
    let flags = lookup(word);
    if flags & CMD_ANY != 0 {
        return flags;
    }
    let trimmed = trim_version(word);
    if trimmed.len() < word.len() && trimmed.len() >= 2 {
        let flags = lookup(trimmed) & (CMD_INTERPRETER | CMD_SHELL);
        if flags != 0 {
            return flags;
        }
    }
    if let Some(dash) = word.iter().position(|&byte| byte == b'-') {
        let family = lookup(&word[..dash]);
        if family & CMD_FAMILY != 0 {
            return family;
        }
    }
    0
}

/// `word` without a trailing version such as `3`, `3.10` or `5.36`.
pub(crate) fn trim_version(word: &[u8]) -> &[u8] {
    let end = word
        .iter()
        .rposition(|byte| !(byte.is_ascii_digit() || *byte == b'.'))
        .map_or(0, |idx| idx + 1);
    &word[..end]
}

const SQL_UNIONS: &[&str] = &["union", "intersect", "except", "minus"];

const SQL_STATEMENTS: &[&str] = &[
    "select",
    "insert",
    "update",
    "delete",
    "drop",
    "create",
    "alter",
    "truncate",
    "exec",
    "execute",
    "declare",
    "shutdown",
    "waitfor",
    "set",
    "print",
    "grant",
    "revoke",
    "call",
    "replace",
    "rename",
    "load",
    "handler",
    "merge",
    "values",
    "backup",
    "restore",
    "dbcc",
    "openquery",
    "use",
    "begin",
    "commit",
    "rollback",
    "prepare",
    "deallocate",
    "do",
];

const SQL_LOGICS: &[&str] = &["and", "or", "xor"];

const SQL_OPERATORS: &[&str] = &[
    "like", "rlike", "regexp", "glob", "is", "in", "between", "div", "mod", "sounds", "escape",
    "collate", "not", "similar", "ilike", "match", "against", "binary",
];

const SQL_KEYWORDS: &[&str] = &[
    "from",
    "where",
    "limit",
    "offset",
    "order",
    "group",
    "by",
    "having",
    "into",
    "outfile",
    "dumpfile",
    "table",
    "database",
    "procedure",
    "function",
    "view",
    "trigger",
    "as",
    "join",
    "inner",
    "outer",
    "cross",
    "natural",
    "case",
    "when",
    "then",
    "else",
    "end",
    "all",
    "distinct",
    "top",
    "with",
    "nowait",
    "delay",
    "exists",
    "asc",
    "desc",
    "fetch",
    "next",
    "rows",
    "only",
    "returns",
    "return",
    "deterministic",
    "immediate",
    "infile",
    "data",
    "schema",
    "index",
    "partition",
    "over",
    "window",
    "lock",
    "share",
    "mode",
    "procedure",
    "columns",
    "tables",
    "fields",
    "character",
    "charset",
    "terminated",
    "enclosed",
    "lines",
];

const SQL_LITERALS: &[&str] = &["true", "false", "null", "unknown"];

/// Functions that an injection uses to read data or fingerprint the server.
const SQL_FUNCTIONS: &[&str] = &[
    "char",
    "chr",
    "nchar",
    "concat",
    "concat_ws",
    "group_concat",
    "string_agg",
    "listagg",
    "version",
    "database",
    "current_user",
    "session_user",
    "system_user",
    "user",
    "schema",
    "user_name",
    "db_name",
    "host_name",
    "suser_name",
    "suser_sname",
    "is_srvrolemember",
    "has_dbaccess",
    "serverproperty",
    "load_file",
    "extractvalue",
    "updatexml",
    "xmltype",
    "lo_import",
    "lo_export",
    "lo_get",
    "lo_put",
    "lo_from_bytea",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "sys_eval",
    "sys_exec",
    "name_const",
    "get_lock",
    "make_set",
    "export_set",
    "json_keys",
    "json_search",
    "json_extract",
    "json_array",
    "json_object",
    "json_build_object",
    "jsonb_pretty",
    "jsonb_build_object",
    "to_jsonb",
    "row_to_json",
    "array_to_string",
    "current_database",
    "current_schema",
    "inet_server_addr",
    "pg_client_encoding",
    "fn_varbintohexstr",
    "unhex",
    "from_base64",
    "to_base64",
    "utl_inaddr",
    "utl_http",
    "dbms_xmlgen",
    "dbms_pipe",
    "dbms_lock",
    "dbms_utility",
    "ctxsys",
    "sqlite_version",
    "randomblob",
    "zeroblob",
    "typeof",
    "last_insert_rowid",
    "starts_with",
    "json_value",
    "openjson",
    "string_to_array",
    "encode",
    "decode",
    "convert_from",
    "query_to_xml",
    "xpath",
    "exp",
    "polygon",
    "geometrycollection",
    "multipoint",
    "multilinestring",
    "linestring",
    "multipolygon",
    "gtid_subset",
    "uuid_short",
    "st_latfromgeohash",
    "st_longfromgeohash",
    "st_pointfromgeohash",
];

/// Functions ordinary SQL uses too.
const SQL_FUNCTIONS_WEAK: &[&str] = &[
    "count",
    "floor",
    "rand",
    "random",
    "mid",
    "left",
    "right",
    "length",
    "len",
    "substring",
    "substr",
    "ascii",
    "ord",
    "hex",
    "lower",
    "upper",
    "cast",
    "convert",
    "if",
    "ifnull",
    "iif",
    "isnull",
    "nullif",
    "coalesce",
    "md5",
    "sha1",
    "sha2",
    "reverse",
    "trim",
    "ltrim",
    "rtrim",
    "instr",
    "locate",
    "position",
    "strcmp",
    "elt",
    "field",
    "conv",
    "bin",
    "oct",
    "abs",
    "least",
    "greatest",
    "now",
    "sysdate",
    "curdate",
    "min",
    "max",
    "sum",
    "avg",
    "round",
    "overlay",
    "repeat",
    "space",
    "lpad",
    "rpad",
    "soundex",
    "crc32",
    "compress",
    "uncompress",
    "aes_encrypt",
    "aes_decrypt",
    "des_encrypt",
    "des_decrypt",
    "encrypt",
    "password",
    "old_password",
    "unix_timestamp",
    "timestamp",
    "date",
    "char_length",
    "octet_length",
    "bit_length",
    "quote",
    "format",
    "insert",
    "replace",
    "div",
    "mod",
    "exists",
];

const SQL_TIMES: &[&str] = &["sleep", "benchmark", "pg_sleep", "pg_sleep_for", "pg_sleep_until"];

const SQL_SYSTEMS: &[&str] = &[
    "information_schema",
    "performance_schema",
    "pg_catalog",
    "pg_shadow",
    "pg_user",
    "pg_authid",
    "pg_database",
    "pg_namespace",
    "pg_class",
    "pg_proc",
    "pg_roles",
    "sysobjects",
    "syscolumns",
    "sysdatabases",
    "sysusers",
    "syslogins",
    "sysprocesses",
    "msysobjects",
    "msysaccessobjects",
    "msysqueries",
    "sqlite_master",
    "sqlite_schema",
    "sqlite_temp_master",
    "all_tables",
    "all_tab_columns",
    "all_users",
    "user_tables",
    "user_tab_columns",
    "dba_users",
    "dba_tables",
    "v$version",
    "xp_cmdshell",
    "xp_regread",
    "xp_regwrite",
    "xp_dirtree",
    "xp_fileexist",
    "xp_servicecontrol",
    "xp_availablemedia",
    "xp_subdirs",
    "xp_loginconfig",
    "sp_executesql",
    "sp_oacreate",
    "sp_oamethod",
    "sp_configure",
    "sp_addlogin",
    "sp_addsrvrolemember",
    "sp_password",
    "sp_makewebtask",
    "sp_execute",
    "openrowset",
    "opendatasource",
    "msdasql",
    "sqloledb",
    "sysibm",
    "syscat",
    "sysmaster",
    "systables",
    "mysql",
    "rdb$relations",
    "rdb$database",
];

const SQL_TYPES: &[&str] = &[
    "int",
    "int2",
    "int4",
    "int8",
    "integer",
    "bigint",
    "smallint",
    "tinyint",
    "text",
    "varchar",
    "char",
    "nchar",
    "nvarchar",
    "bool",
    "boolean",
    "json",
    "jsonb",
    "numeric",
    "decimal",
    "double",
    "real",
    "float",
    "float4",
    "float8",
    "bytea",
    "regclass",
    "regproc",
    "oid",
    "xml",
    "date",
    "timestamp",
    "timestamptz",
    "inet",
    "uuid",
    "money",
    "bit",
    "signed",
    "unsigned",
    "name",
    "interval",
    "record",
    "tsvector",
    "cstring",
];

/// Commands that ordinary text rarely contains as a word.
const CMD_DISTINCTS: &[&str] = &[
    "whoami",
    "ifconfig",
    "ipconfig",
    "uname",
    "netstat",
    "nslookup",
    "wget",
    "chmod",
    "chown",
    "chgrp",
    "mkfifo",
    "mknod",
    "certutil",
    "bitsadmin",
    "mshta",
    "regsvr32",
    "rundll32",
    "wmic",
    "cscript",
    "wscript",
    "systeminfo",
    "tasklist",
    "taskkill",
    "powershell",
    "pwsh",
    "visudo",
    "busybox",
    "socat",
    "ncat",
    "netcat",
    "iwmi",
    "iex",
    "bcdboot",
    "bcdedit",
    "vssadmin",
    "regedit",
    "schtasks",
    "aptitude",
    "yum",
    "dnf",
    "dpkg",
    "crontab",
    "useradd",
    "usermod",
    "userdel",
    "adduser",
    "sudo",
    "xterm",
    "telnet",
    "tftp",
    "bsdtar",
    "cscli",
    "getent",
    "iptables",
    "ip6tables",
    "tcpdump",
    "strace",
    "ltrace",
    "objdump",
    "xxd",
    "hexdump",
    "ssh-keygen",
    "sshpass",
    "killall",
    "pkill",
    "pgrep",
    "lsof",
    "lsmod",
    "insmod",
    "modprobe",
    "dmesg",
    "journalctl",
    "systemctl",
    "chroot",
    "sysctl",
    "nproc",
    "lscpu",
    "lsblk",
    "fdisk",
    "mkfs",
    "gunzip",
    "bunzip2",
    "unxz",
    "egrep",
    "fgrep",
    "gawk",
    "mawk",
    "nawk",
    "xargs",
    "nohup",
    "setsid",
    "unbuffer",
    "stdbuf",
    "runuser",
    "kubectl",
    "lastlog",
    "lastb",
    "uptime",
    "hostnamectl",
    "ifup",
    "ifdown",
    "arp",
    "traceroute",
    "tracert",
    "nmcli",
    "netsh",
    "wevtutil",
    "diskpart",
    "msiexec",
    "installutil",
    "regasm",
    "regsvcs",
    "msbuild",
    "odbcconf",
    "forfiles",
    "pcalua",
    "cmstp",
    "findstr",
    "icacls",
    "cacls",
    "takeown",
    "wsl",
    "certreq",
    "esentutl",
    "extrac32",
    "makecab",
    "ntdsutil",
    "qwinsta",
    "quser",
    "rwinsta",
    "taskmgr",
    "whoami.exe",
    "passwd",
    "groupadd",
    "openssl",
    "base32",
    "uudecode",
    "uuencode",
    "sendmail",
    "mailx",
    "gdb",
    "pspy",
    "linpeas",
    "chattr",
    "lsattr",
    "setfacl",
    "getfacl",
    "mkpasswd",
    "chpasswd",
    "update-rc.d",
    "rc-service",
    "launchctl",
    "dscl",
    "csrutil",
    "osascript",
    "jrunscript",
    "tclsh",
    "tmux",
    "xdg-open",
    "gcc",
    "nasm",
];

/// Commands that are also everyday words or very short.
const CMD_COMMONS: &[&str] = &[
    "cat",
    "ls",
    "ll",
    "dir",
    "id",
    "ps",
    "set",
    "echo",
    "time",
    "kill",
    "find",
    "sort",
    "head",
    "tail",
    "more",
    "less",
    "type",
    "ping",
    "cd",
    "cp",
    "mv",
    "rm",
    "env",
    "at",
    "date",
    "who",
    "history",
    "exit",
    "sleep",
    "which",
    "whereis",
    "file",
    "stat",
    "touch",
    "mkdir",
    "rmdir",
    "mount",
    "umount",
    "du",
    "df",
    "free",
    "top",
    "tar",
    "zip",
    "unzip",
    "gzip",
    "nl",
    "od",
    "wc",
    "cut",
    "tr",
    "uniq",
    "diff",
    "cmp",
    "man",
    "test",
    "read",
    "eval",
    "exec",
    "source",
    "export",
    "unset",
    "alias",
    "printf",
    "copy",
    "del",
    "erase",
    "move",
    "ren",
    "rename",
    "call",
    "net",
    "ver",
    "vol",
    "tree",
    "attrib",
    "start",
    "grep",
    "sed",
    "awk",
    "tee",
    "dd",
    "scp",
    "ssh",
    "rsync",
    "sftp",
    "ftp",
    "nice",
    "watch",
    "timeout",
    "command",
    "builtin",
    "hostname",
    "pwd",
    "last",
    "finger",
    "groups",
    "umask",
    "ulimit",
    "nmap",
    "git",
    "npm",
    "pip",
    "docker",
    "curl",
    "lynx",
    "w3m",
    "links",
    "elinks",
    "fetch",
    "aria2c",
    "axel",
    "nc",
    "python",
    "perl",
    "ruby",
    "php",
    "node",
    "nodejs",
    "lua",
    "java",
    "sh",
    "bash",
    "zsh",
    "ksh",
    "dash",
    "csh",
    "tcsh",
    "fish",
    "ash",
    "cmd",
    "command.com",
    "cmd.exe",
    "powershell.exe",
    "doas",
    "su",
    "ip",
    "route",
    "w",
    "lp",
    "pr",
    "look",
    "host",
    "dig",
    "whois",
    "mail",
    "chef",
    "ansible",
    "apt",
    "apt-get",
    "aa",
    "rpm",
    "vi",
    "vim",
    "nano",
    "emacs",
    "ed",
    "ex",
    "view",
    "script",
    "bc",
    "xz",
    "bzip2",
    "split",
    "shred",
    "wipe",
    "truncate",
    "install",
    "ln",
    "readlink",
    "realpath",
    "basename",
    "dirname",
    "mktemp",
    "wall",
    "expand",
    "expect",
    "screen",
    "make",
    "ld",
    "cc",
    "reg",
    "sc",
    "shutdown",
    "base64",
    "perf",
];

const CMD_SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "ksh",
    "dash",
    "csh",
    "tcsh",
    "fish",
    "ash",
    "busybox",
    "cmd",
    "cmd.exe",
    "command.com",
    "powershell",
    "powershell.exe",
    "pwsh",
    "mksh",
    "rbash",
];

const CMD_INTERPRETERS: &[&str] = &[
    "python",
    "perl",
    "ruby",
    "php",
    "node",
    "nodejs",
    "lua",
    "tclsh",
    "jrunscript",
    "osascript",
    "deno",
    "bun",
    "pypy",
    "irb",
    "jshell",
    "groovy",
    "awk",
    "gawk",
];

const CMD_PREFIXES: &[&str] = &[
    "time", "nohup", "env", "sudo", "doas", "exec", "command", "builtin", "nice", "timeout",
    "xargs", "watch", "strace", "busybox", "unbuffer", "stdbuf", "setsid", "runuser", "eval",
    "ltrace", "chroot", "su",
];

const CMD_HTTP_CLIENTS: &[&str] = &[
    "curl", "wget", "lynx", "w3m", "links", "elinks", "fetch", "aria2c", "axel", "httpie",
    "python", "perl", "ruby", "php", "java", "node", "go",
];

const CMD_NETCATS: &[&str] = &["nc", "ncat", "netcat", "socat", "telnet"];

const CMD_WINDOWSES: &[&str] = &[
    "cmd",
    "cmd.exe",
    "command.com",
    "powershell",
    "powershell.exe",
    "pwsh",
    "certutil",
    "bitsadmin",
    "mshta",
    "regsvr32",
    "rundll32",
    "wmic",
    "cscript",
    "wscript",
    "systeminfo",
    "tasklist",
    "taskkill",
    "ipconfig",
    "net",
    "netsh",
    "reg",
    "regedit",
    "schtasks",
    "bcdboot",
    "bcdedit",
    "vssadmin",
    "icacls",
    "cacls",
    "attrib",
    "type",
    "dir",
    "copy",
    "del",
    "erase",
    "move",
    "ren",
    "findstr",
    "iwmi",
    "iex",
    "start",
    "at",
    "sc",
    "wevtutil",
    "diskpart",
    "msiexec",
    "installutil",
    "regasm",
    "regsvcs",
    "msbuild",
    "odbcconf",
    "forfiles",
    "pcalua",
    "cmstp",
    "wsl",
    "whoami",
    "nslookup",
    "ping",
    "set",
    "echo",
    "ver",
    "vol",
    "tree",
    "takeown",
    "certreq",
    "esentutl",
    "expand",
    "extrac32",
    "makecab",
    "ntdsutil",
    "qwinsta",
    "quser",
    "rwinsta",
    "shutdown",
    "tracert",
    "arp",
    "route",
    "hostname",
    "systeminfo",
];

const CMD_FAMILIES: &[&str] = &["ansible", "chef", "aa", "apt", "ssh", "docker", "kube", "git"];

const SCANNERS_HIGH: &[&str] = &[
    "sqlmap",
    "nikto",
    "nuclei",
    "wpscan",
    "dirbuster",
    "gobuster",
    "ffuf",
    "acunetix",
    "netsparker",
    "openvas",
    "w3af",
    "hydra",
    "havij",
    "arachni",
    "nessus",
    "skipfish",
    "wfuzz",
    "feroxbuster",
    "dirb",
    "commix",
    "jaeles",
    "joomscan",
    "droopescan",
    "fimap",
    "sqlninja",
    "bsqlbf",
    "pangolin",
    "webinspect",
    "appscan",
    "burpcollaborator",
    "zaproxy",
    "paros",
    "grendel",
    "webshag",
    "whatweb",
    "xsstrike",
    "dalfox",
    "tplmap",
    "ghauri",
    "nosqlmap",
    "cmsmap",
    "vega",
    "qualys",
    "nmap",
    "medusa",
    "brutus",
    "metasploit",
    "msfconsole",
    "wapiti",
    "xsser",
    "uniscan",
    "crimscanner",
    "webvulnscan",
    "dotdotpwn",
    "morfeus",
    "httprint",
    "masscan",
    "zgrab",
    "zmap",
    "censysinspect",
    "hakrawler",
    "katana",
    "interactsh",
    "httpx",
    "subfinder",
    "naabu",
    "wprecon",
    "cmseek",
    "fuxploider",
];

/// Scanners that sweep the whole internet; noise more than a targeted attack.
const SCANNERS_MEDIUM: &[&str] =
    &["masscan", "zgrab", "zmap", "censysinspect", "httpx", "naabu", "nmap", "subfinder"];

const SCANNER_HINTS: &[&str] = &["fuzz", "scripting", "owasp", "burp", "zap"];

const PATH_WORDS: &[&str] = &[
    "etc",
    "passwd",
    "shadow",
    "proc",
    "sys",
    "environ",
    "bin",
    "sbin",
    "root",
    "ssh",
    "aws",
    "win",
    "ini",
    "boot",
    "windows",
    "winnt",
    "system32",
    "inetpub",
    "htaccess",
    "htpasswd",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "authorized_keys",
    "known_hosts",
    "cmdline",
    "self",
    "tmp",
    "dev",
    "tcp",
    "udp",
    "var",
    "usr",
    "opt",
    "home",
    "credentials",
    "bash_history",
    "mysql_history",
    "wp",
    "config",
    "web",
    "secrets",
];

const AGENT_PATH_WORDS: &[&str] = &[
    "etc",
    "passwd",
    "shadow",
    "proc",
    "environ",
    "root",
    "ssh",
    "aws",
    "id_rsa",
    "htaccess",
    "htpasswd",
    "bash_history",
    "system32",
    "credentials",
    "sbin",
    "cmdline",
];

const JS_SINKS: &[&str] = &[
    "alert",
    "prompt",
    "confirm",
    "eval",
    "settimeout",
    "setinterval",
    "function",
    "atob",
    "btoa",
    "fromcharcode",
    "execscript",
    "import",
    "fetch",
    "constructor",
    "document",
    "window",
    "navigation",
    "location",
    "cookie",
    "innerhtml",
    "outerhtml",
    "write",
    "writeln",
    "unescape",
    "decodeuri",
    "decodeuricomponent",
    "globalthis",
    "top",
    "parent",
    "self",
    "frames",
    "reflect",
    "showmodaldialog",
    "xmlhttprequest",
    "sendbeacon",
    "postmessage",
    "opener",
    "domain",
    "localstorage",
    "sessionstorage",
    "srcdoc",
    "print",
    "console",
];

const PHP_FUNCTIONS: &[&str] = &[
    "eval",
    "assert",
    "system",
    "exec",
    "shell_exec",
    "passthru",
    "popen",
    "proc_open",
    "pcntl_exec",
    "base64_decode",
    "gzinflate",
    "gzuncompress",
    "gzdecode",
    "str_rot13",
    "create_function",
    "call_user_func",
    "call_user_func_array",
    "preg_replace",
    "include",
    "require",
    "include_once",
    "require_once",
    "file_get_contents",
    "file_put_contents",
    "fopen",
    "fwrite",
    "fputs",
    "readfile",
    "phpinfo",
    "unserialize",
    "array_map",
    "array_filter",
    "usort",
    "uasort",
    "ob_start",
    "putenv",
    "ini_set",
    "dl",
    "highlight_file",
    "show_source",
    "php_uname",
    "getenv",
    "move_uploaded_file",
    "symlink",
    "mb_ereg_replace",
    "var_dump",
    "print_r",
    "var_export",
    "file",
    "fsockopen",
    "pfsockopen",
    "stream_socket_client",
    "curl_exec",
    "expect_popen",
    "posix_getpwuid",
    "posix_getuid",
    "posix_kill",
    "posix_setuid",
    "escapeshellcmd",
    "register_shutdown_function",
    "register_tick_function",
    "get_defined_vars",
    "extract",
    "parse_str",
    "glob",
    "scandir",
    "opendir",
    "readdir",
    "unlink",
    "rmdir",
    "mkdir",
    "chmod",
    "chown",
    "copy",
    "rename",
    "tempnam",
    "tmpfile",
    "imap_open",
    "mail",
    "error_log",
    "apache_setenv",
    "leak",
];

const JAVA_WORDS: &[&str] = &[
    "runtime",
    "getruntime",
    "processbuilder",
    "classloader",
    "getclassloader",
    "forname",
    "getmethod",
    "invoke",
    "newinstance",
    "scriptengine",
    "scriptenginemanager",
    "ognl",
    "ognlcontext",
    "memberaccess",
    "_memberaccess",
    "excludedclasses",
    "excludedpackagenames",
    "allowstaticmethodaccess",
    "getdeclaredmethod",
    "getdeclaredfield",
    "setaccessible",
    "defineclass",
    "urlclassloader",
    "jndi",
    "initialcontext",
    "lookup",
    "objectinputstream",
    "readobject",
    "getoutputstream",
    "getinputstream",
    "getwriter",
    "servletactioncontext",
    "actioncontext",
    "xwork",
    "struts",
    "springframework",
    "expressionparser",
    "spel",
    "getbean",
    "tomcat",
    "catalina",
];

const BATCH_WORDS: &[&str] = &[
    "exist",
    "defined",
    "errorlevel",
    "cmdextversion",
    "equ",
    "neq",
    "lss",
    "leq",
    "gtr",
    "geq",
    "goto",
];

/// Integer and float boundaries that overflow probes send.
const OVERFLOWS: &[&str] = &[
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
];

/// Every word list with the flag its words get.
const GROUPS: &[(&[&str], u64)] = &[
    (SQL_UNIONS, SQL_UNION),
    (SQL_STATEMENTS, SQL_STATEMENT),
    (SQL_LOGICS, SQL_LOGIC),
    (SQL_OPERATORS, SQL_OPERATOR),
    (SQL_KEYWORDS, SQL_KEYWORD),
    (SQL_LITERALS, SQL_LITERAL),
    (SQL_FUNCTIONS, SQL_FUNCTION),
    (SQL_FUNCTIONS_WEAK, SQL_FUNCTION_WEAK),
    (SQL_TIMES, SQL_TIME),
    (SQL_SYSTEMS, SQL_SYSTEM),
    (SQL_TYPES, SQL_TYPE),
    (CMD_DISTINCTS, CMD_DISTINCT),
    (CMD_COMMONS, CMD_COMMON),
    (CMD_SHELLS, CMD_SHELL),
    (CMD_INTERPRETERS, CMD_INTERPRETER),
    (CMD_PREFIXES, CMD_PREFIX),
    (CMD_HTTP_CLIENTS, CMD_HTTP_CLIENT),
    (CMD_NETCATS, CMD_NETCAT),
    (CMD_WINDOWSES, CMD_WINDOWS),
    (CMD_FAMILIES, CMD_FAMILY),
    (SCANNERS_HIGH, SCANNER_HIGH),
    (SCANNERS_MEDIUM, SCANNER_MEDIUM),
    (SCANNER_HINTS, SCANNER_HINT),
    (PATH_WORDS, PATH_WORD),
    (JS_SINKS, JS_SINK),
    (PHP_FUNCTIONS, PHP_FUNCTION),
    (JAVA_WORDS, JAVA_WORD),
    (OVERFLOWS, OVERFLOW),
    (BATCH_WORDS, BATCH),
    (AGENT_PATH_WORDS, AGENT_PATH_WORD),
];

/// A bitmap over (length, first byte, last byte) of the words whose flags
/// meet `mask`, computed at compile time (see [`filter_key`]).
pub(crate) const fn filter(mask: u64) -> [u64; FILTER_WORDS] {
    let mut bits = [0u64; FILTER_WORDS];
    let mut group = 0;
    while group < GROUPS.len() {
        let (words, flags) = GROUPS[group];
        if flags & mask != 0 {
            let mut idx = 0;
            while idx < words.len() {
                let key = filter_key(words[idx].as_bytes());
                bits[key >> 6] |= 1 << (key & 63);
                idx += 1;
            }
        }
        group += 1;
    }
    bits
}

/// Size of a [`filter`] in 64-bit words.
pub(crate) const FILTER_WORDS: usize = 1 << 9;

const _: () = assert!(FILTER_WORDS * 64 == 1 << 15, "filter_key yields 15 bits");

/// The filter position of a non-empty word, from its length and its first,
/// second and last bytes, ASCII case folded.
pub(crate) const fn filter_key(word: &[u8]) -> usize {
    let len = word.len() as u32;
    let first = (word[0] | 0x20) as u32;
    let second = if word.len() > 1 { (word[1] | 0x20) as u32 } else { 0 };
    let last = (word[word.len() - 1] | 0x20) as u32;
    let mixed = (len | first << 8 | second << 16 | last << 24).wrapping_mul(0x9e37_79b1);
    (mixed >> 17) as usize
}

#[derive(Clone, Copy)]
struct Entry {
    word: &'static str,
    flags: u64,
}

/// Slots of the lexicon's open-addressing table (a power of two, at least
/// three times the number of words).
const SLOTS: usize = 1 << 12;

/// The lexicon, built at compile time.
static LEXICON: [Option<Entry>; SLOTS] = build();

const fn build() -> [Option<Entry>; SLOTS] {
    let mut slots: [Option<Entry>; SLOTS] = [None; SLOTS];
    let mut n_words = 0;
    let mut group = 0;
    while group < GROUPS.len() {
        let (words, flags) = GROUPS[group];
        let mut idx = 0;
        while idx < words.len() {
            let word = words[idx];
            let mut slot = hash(word.as_bytes()) & (SLOTS - 1);
            loop {
                match slots[slot] {
                    Some(entry) if equal(entry.word.as_bytes(), word.as_bytes()) => {
                        slots[slot] = Some(Entry { word, flags: entry.flags | flags });
                        break;
                    }
                    Some(_) => slot = (slot + 1) & (SLOTS - 1),
                    None => {
                        slots[slot] = Some(Entry { word, flags });
                        n_words += 1;
                        break;
                    }
                }
            }
            idx += 1;
        }
        group += 1;
    }
    assert!(n_words * 3 <= SLOTS, "the lexicon table must stay at most a third full");
    slots
}

const fn equal(left: &[u8], right: &[u8]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let mut idx = 0;
    while idx < left.len() {
        if left[idx] != right[idx] {
            return false;
        }
        idx += 1;
    }
    true
}

fn get(word: &[u8]) -> u64 {
    if word.is_empty() || word.len() > MAX_WORD {
        return 0;
    }
    let mut slot = hash(word) & (SLOTS - 1);
    loop {
        match &LEXICON[slot] {
            Some(entry) if entry.word.as_bytes().eq_ignore_ascii_case(word) => return entry.flags,
            Some(_) => slot = (slot + 1) & (SLOTS - 1),
            None => return 0,
        }
    }
}

/// Longest word in the lexicon worth looking up.
pub(crate) const MAX_WORD: usize = 24;

/// An ASCII case-insensitive hash of a short word.
pub(crate) const fn hash(word: &[u8]) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    let mut idx = 0;
    while idx < word.len() {
        hash = (hash ^ word[idx].to_ascii_lowercase() as u32).wrapping_mul(0x0100_0193);
        idx += 1;
    }
    (hash ^ (hash >> 15)) as usize
}
