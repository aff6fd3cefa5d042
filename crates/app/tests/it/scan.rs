//! `leakguard scan` and `leakguard mask` through the binary: the inventory
//! workbook, the retention flag, and masked JSON and SQL copies.

use super::{json_of, leakguard, write};

const MEMBERS: &str = "member_id,name,mobile,id_number,last_login_at\n\
17733,吳美雲,0915649850,A123456789,2019-05-01 10:00:00\n\
17734,林文傑,0914-560-133,F234567898,2099-01-01\n\
17735,詹志強,0912 345 678,K132033908,2018/03/04\n";

#[test]
fn scan_writes_the_inventory_xlsx_and_flags_members_inactive_for_three_years() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "members.csv", MEMBERS.as_bytes());
    let output = leakguard(
        dir.path(),
        &[
            "--lang",
            "zh-TW",
            "scan",
            "members.csv",
            "--output",
            "json",
            "--inventory-xlsx",
            "inventory.xlsx",
        ],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let document = json_of(&output);
    let risk = document["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|risk| risk["flag"] == "inactive_members_kept")
        .expect("the retention flag");
    assert_eq!(risk["inactive_rows"], 2);
    assert_eq!(risk["share_inactive"], 0.667);

    let bytes = std::fs::read(dir.path().join("inventory.xlsx")).unwrap();
    let sheets = pii_scan::parse_xlsx(&bytes).expect("a valid workbook");
    let rows = &sheets[0].rows;
    assert_eq!(rows[0][..3], ["來源", "資料表", "欄位"]);
    let columns: Vec<&str> = rows[1..].iter().map(|row| row[2].as_str()).collect();
    assert_eq!(columns, ["name", "mobile", "id_number"]);
    let text = rows.iter().flatten().cloned().collect::<Vec<_>>().join("|");
    assert!(!text.contains("A123456789") && !text.contains("0915649850"), "{text}");
}

#[test]
fn mask_writes_json_and_sql_copies_with_the_same_pseudonyms() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mask.key", b"a test key of more than sixteen bytes\n");
    write(
        dir.path(),
        "orders.jsonl",
        "{\"buyer\": {\"name\": \"吳美雲\", \"mobile\": \"0915649850\"}}\n\
{\"buyer\": {\"name\": \"林文傑\", \"mobile\": \"0914-560-133\"}}\n"
            .as_bytes(),
    );
    write(
        dir.path(),
        "shop.sql",
        "CREATE TABLE customers (id int, name varchar(20), mobile varchar(20));\n\
INSERT INTO customers VALUES (1,'吳美雲','+886 915 649 850'),(2,'林文傑','0914560133');\n"
            .as_bytes(),
    );
    let mut copies = Vec::new();
    for (input, out) in [("orders.jsonl", "orders.masked.jsonl"), ("shop.sql", "shop.masked.sql")] {
        let output =
            leakguard(dir.path(), &["mask", input, "--out", out, "--key-file", "mask.key"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        copies.push(std::fs::read_to_string(dir.path().join(out)).unwrap());
    }
    for copy in &copies {
        for value in ["吳美雲", "林文傑", "0915649850", "915 649 850", "0914"] {
            assert!(!copy.contains(value), "{value} in {copy}");
        }
    }
    let first: serde_json::Value =
        serde_json::from_str(copies[0].lines().next().unwrap()).expect("json");
    let phone = first["buyer"]["mobile"].as_str().unwrap();
    assert!(phone.starts_with("phone_"));
    assert!(copies[1].contains(&format!("'{phone}'")), "{}", copies[1]);
}
