//! Reading the CSV and checking its rows before Keystone is asked anything.
use super::read_csv;

#[test]
fn columns_come_in_any_order_and_the_optional_ones_may_be_missing() {
    let csv =
        "pin,Email,name,project,role\n1234,ada@example.com,ada,lab,member\n5678,bob@example.com,bob,,\n";

    let rows = read_csv(csv.as_bytes()).unwrap();

    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].row, rows[0].name.as_str(), rows[0].email.as_str()), (1, "ada", "ada@example.com"));
    assert_eq!((rows[0].project.as_deref(), rows[0].role.as_deref()), (Some("lab"), Some("member")));
    assert_eq!(secrecy::ExposeSecret::expose_secret(&rows[1].pin), "5678");
    assert_eq!((rows[1].project.as_deref(), rows[1].domain.as_deref()), (None, None));
    assert!(rows.iter().all(|r| r.problem().is_none()));
}

#[test]
fn a_missing_required_column_or_an_unknown_one_is_refused() {
    assert!(read_csv("name,email\nada,ada@example.com\n".as_bytes())
        .unwrap_err()
        .contains("name, email and pin"));
    let err = read_csv("name,email,pin,password\nada,a@example.com,1234,x\n".as_bytes()).unwrap_err();
    assert!(err.contains("`password`"), "{err}");
}

#[test]
fn bad_rows_are_told_why_without_echoing_the_pin() {
    let csv = "name,email,pin,project,role\nada,not-an-address,1234,,\nbob,bob@example.com,12x45678,,\n\
               cy,cy@example.com,1234,lab,\n";

    let rows = read_csv(csv.as_bytes()).unwrap();
    let problems: Vec<String> = rows.iter().map(|r| r.problem().unwrap()).collect();

    assert!(problems[0].starts_with("bad email address"), "{}", problems[0]);
    assert!(problems[1].contains("4 to 8 digits") && !problems[1].contains("12x45678"), "{}", problems[1]);
    assert!(problems[2].contains("needs a role"), "{}", problems[2]);
    assert!(!format!("{:?}", rows[0]).contains("1234"));
}

#[test]
fn a_row_with_too_many_fields_is_a_usage_error_naming_it() {
    let err = read_csv("name,email,pin\nada,a@example.com,1234,extra\n".as_bytes()).unwrap_err();
    assert!(err.contains("row 1"), "{err}");
}
