//! Ordinary shop traffic that must stay clean, across parts.

use super::{check_clean, check_request};
use crate::Request;

#[test]
fn leaves_ordinary_shop_requests_alone() {
    check_clean(&[
        "/product/10023",
        "/category/shoes?page=2&sort=price",
        "/search?q=%E9%9E%8B%E5%AD%90&page=1",
        "/search?q=%E7%B4%85%E8%89%B2+%E6%B4%8B%E8%A3%9D",
        "/account?email=o.brien%40example.com&name=O%27Brien",
        "/order?phone=%2B886-2-2345-6789&zip=100",
        "/p?price=1299.00&currency=TWD",
        "/p?filter=%7B%22color%22%3A%5B%22red%22%2C%22blue%22%5D%2C%22size%22%3A42%7D",
        "/cb?token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
        "/?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale-2026&utm_content=hero+banner",
        "/?gclid=Cj0KCQjw--abc_DEF&fbclid=IwAR1x--y",
        "/api/v1/products?ids=1,2,3&fields=id,name,price",
        "/search?q=100%25+cotton+t-shirt",
        "/search?q=C%2B%2B+programming+book",
        "/search?q=1%2F2+inch+ribbon",
        "/static/js/app.min.js?v=2.4.1",
        "/s?callback=jQuery3600_1700000000&_=1700000000",
        "/search?q=%F0%9F%91%9F+sneakers",
    ]);
}

#[test]
fn leaves_an_ordinary_referer_alone() {
    check_request(
        &Request {
            path: "/product/10023",
            query: "",
            user_agent: super::BROWSER,
            referer: "https://shop.example.tw/search?q=%E9%9E%8B&page=2",
        },
        &[],
    );
}

#[test]
fn judges_the_referers_query() {
    check_request(
        &Request {
            path: "/",
            query: "",
            user_agent: super::BROWSER,
            referer: "https://shop.example.tw/search?q=%27%20union%20select%20card_no%20from%20payments--",
        },
        &["sqli referer high: UNION SELECT after quote"],
    );
}
