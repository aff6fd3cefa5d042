//! SQL injection fixtures.

use super::{check, check_agent, check_clean, check_value};

#[test]
fn flags_union_select_after_a_quote() {
    check_value(
        "7%27%20UNION%20SELECT%20email%2Cpassword_hash%20FROM%20customers--%20",
        "sqli query:v high: UNION SELECT after quote",
    );
}

#[test]
fn flags_union_select_hidden_by_comments_and_case() {
    check_value(
        "0%2F**%2FuNiOn%2F**%2FaLl%2F**%2FsElEcT%2F**%2F1%2C2%2C3",
        "sqli query:v high: UNION SELECT",
    );
}

#[test]
fn flags_boolean_tautology_after_a_quote() {
    check_value("anna%27%20or%20%27x%27%3D%27x", "sqli query:v high: boolean after quote");
    check_value("5%22%20AND%202%3E1--%20", "sqli query:v high: boolean after quote");
}

#[test]
fn flags_numeric_boolean_with_comparison() {
    check_value("42%20or%207%3D7", "sqli query:v high: boolean condition appended");
}

#[test]
fn flags_comment_right_after_the_quote() {
    check("/login?user=shopadmin%27--%20&pass=x", &["sqli query:user high: comment after quote"]);
    check("/login?user=shopadmin%27%23", &["sqli query:user high: comment after quote"]);
}

#[test]
fn flags_stacked_queries() {
    check_value("3%3B%20DROP%20TABLE%20orders", "sqli query:v high: stacked query");
    check_value("3%27%3B%20UPDATE%20users%20SET%20role%3D1--", "sqli query:v high: stacked query");
}

#[test]
fn flags_time_delays() {
    check_value("9%20AND%20SLEEP(3)", "sqli query:v high: time delay function");
    check_value("9%20AND%20BENCHMARK(5000000%2CMD5(1))", "sqli query:v high: time delay function");
    check_value("9%27%3BWAITFOR%20DELAY%20%270%3A0%3A4%27--", "sqli query:v high: stacked query");
    check_value("1)%20WAITFOR%20DELAY%20%270%3A0%3A4%27", "sqli query:v high: WAITFOR DELAY");
}

#[test]
fn flags_system_catalogs_and_fingerprinting_calls() {
    check_value(
        "1%20and%20(select%20count(*)%20from%20information_schema.tables)%3E0",
        "sqli query:v high: boolean condition appended",
    );
    check_value("pg_catalog", "sqli query:v medium: system catalog or procedure");
    check_value(
        "x%27%20and%20extractvalue(1%2Cversion())%20and%20%27a",
        "sqli query:v high: boolean after quote",
    );
}

#[test]
fn flags_dialect_tricks() {
    check_value(
        "1%20%2F*!50000union*%2F%20%2F*!50000select*%2F%201",
        "sqli query:v high: UNION SELECT",
    );
    check_value("lo_get(4242)%3A%3Atext", "sqli query:v high: PostgreSQL cast");
    check_value("%2F*!12345sleep*%2F", "sqli query:v high: MySQL versioned comment");
}

#[test]
fn flags_order_by_probes_but_not_a_shop_sort() {
    check_value("price%27%20ORDER%20BY%2012--%20", "sqli query:v high: SQL clause after quote");
    check("/list?sort=order%20by%207", &["sqli query:sort medium: ORDER BY column number"]);
    check_clean(&["/list?sort=order+by+price", "/list?order=price+desc&dir=asc"]);
}

#[test]
fn flags_nosql_operators_in_names_and_values() {
    check("/account?email[$ne]=x", &["sqli query:email[$ne] high: NoSQL operator"]);
    check_value("%7B%22%24gt%22%3A%22%22%7D", "sqli query:v high: NoSQL operator");
    check_value(
        "7%27%7C%7Cthis.total%3E0%7C%7C%27",
        "sqli query:v high: NoSQL JavaScript condition",
    );
}

#[test]
fn flags_overflow_probes_as_medium() {
    check_value("4294967296", "sqli query:v medium: integer overflow probe");
}

#[test]
fn flags_payloads_in_paths_and_user_agents() {
    check("/item/55%27%20and%20%27k%27%3D%27k", &["sqli path high: boolean after quote"]);
    check_agent(
        "Mozilla/5.0' AND 1=2 UNION SELECT password FROM admins-- ",
        &["sqli user_agent high: UNION SELECT after quote"],
    );
}

#[test]
fn leaves_apostrophes_sql_words_and_quoted_searches_alone() {
    check_clean(&[
        "/search?q=O%27Brien+wool+coat",
        "/search?q=women%27s+shoes+size+7",
        "/search?q=select+size",
        "/search?q=union+jack+cushion",
        "/search?q=%22best+seller%22+or+%22new%22",
        "/search?q=drop+earrings",
        "/search?q=2+or+3+seater+sofa",
        "/search?q=jeans+like+new",
        "/search?q=where+is+my+order",
        "/search?q=sleep+mask",
        "/search?q=chair+%26+table+set",
        "/search?q=12%22+frame+%2F+black",
        "/review?text=I%27d+buy+it+again+--+great+fit",
        "/search?q=%23summer+sale",
        "/search?q=5+%3E+3",
    ]);
}

#[test]
fn judges_an_equals_sign_inside_a_value() {
    check("/list?page=2&w=5=5", &["sqli query:w medium: literal tautology"]);
}

#[test]
fn flags_a_path_segment_that_compares_quoted_json() {
    check(
        "/orders/OR%20%27%7B%22vip%22%3Atrue%7D%27%20%3F%20%27vip%27",
        &["sqli path high: boolean over quoted strings"],
    );
    check(
        "/api/or%20%27%5B1%2C2%5D%27%20-%3E%3E%200%20%3D%20%271%27",
        &["sqli path high: boolean over quoted strings"],
    );
}

#[test]
fn leaves_path_segments_that_start_with_or_alone() {
    check_clean(&["/colors/or-red", "/books/or%20not%20to%20be", "/quotes/or%20%27maybe%27"]);
}
