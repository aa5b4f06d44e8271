//! `setpass invite --csv`: 50 rows with 3 bad ones, the re-run that creates nothing twice, and
//! `--existing renew`, against the real Keystone and a spawned setpass.
use crate::helpers::{keystone_url, spawn_app, unique, Keystone};
use crate::invite::{admin_os_env, new_project, role_holders, run_setpass, user_named};
use std::collections::HashMap;

const ROWS: usize = 50;
/// Row numbers (1-based) and what is wrong with them.
const BAD: [(usize, &str); 3] =
    [(10, "bad email address"), (20, "the PIN must be exactly 4 digits"), (30, "no project")];

/// `row -> [row, name, user_id, outcome, link_or_error, mail]` from the results file.
fn results(path: &std::path::Path) -> HashMap<usize, Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["row", "name", "user_id", "outcome", "link_or_error", "mail"]
    );
    reader
        .records()
        .map(|r| {
            let r: Vec<String> = r.unwrap().iter().map(str::to_owned).collect();
            (r[0].parse().unwrap(), r)
        })
        .collect()
}

fn count(results: &HashMap<usize, Vec<String>>, outcome: &str) -> usize {
    results.values().filter(|r| r[3] == outcome).count()
}

#[tokio::test]
async fn fifty_rows_with_three_bad_ones_make_47_links_and_a_rerun_creates_nothing_twice() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let (project_id, project) = new_project(&keystone).await;
    let prefix = unique("csv");
    let mut csv = String::from("email,name,pin,project,role\n");
    for row in 1..=ROWS {
        let email = if row == BAD[0].0 { "not-an-address".into() } else { format!("u{row}@example.com") };
        let pin = if row == BAD[1].0 { "12345" } else { "2468" };
        let project = if row == BAD[2].0 { "no-such-project-anywhere" } else { project.as_str() };
        csv.push_str(&format!("{email},{prefix}-{row},{pin},{project},member\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("users.csv"), csv).unwrap();
    let env = admin_os_env(&app.address);
    let args = |results: &'static str, existing: &'static str| {
        ["invite", "--csv", "users.csv", "--parallel", "8", "--results", results, "--existing", existing]
    };

    let first = run_setpass(dir.path(), &env, &args("first.csv", "skip")).await;

    assert_eq!(first.status.code(), Some(1), "{}", String::from_utf8_lossy(&first.stderr));
    let found = results(&dir.path().join("first.csv"));
    assert_eq!((found.len(), count(&found, "created"), count(&found, "failed")), (ROWS, 47, 3));
    for (row, why) in BAD {
        assert_eq!(found[&row][3], "failed");
        assert!(found[&row][4].contains(why), "row {row}: {:?}", found[&row]);
        assert!(
            user_named(&keystone, &format!("{prefix}-{row}"), "default").await.is_none(),
            "row {row} left a user"
        );
    }
    let mut holders = role_holders(&keystone, &project_id).await;
    holders.sort();
    let mut created: Vec<String> =
        found.values().filter(|r| r[3] == "created").map(|r| r[2].clone()).collect();
    created.sort();
    assert_eq!(holders, created, "every invited user holds the role, nobody else");
    for row in found.values().filter(|r| r[3] == "created") {
        assert!(row[4].starts_with(crate::helpers::PUBLIC_URL), "{row:?}");
        assert_eq!(app.get_token(&row[2], &keystone.admin_token).await.status(), 200, "{row:?}");
    }

    let again = run_setpass(dir.path(), &env, &args("again.csv", "skip")).await;

    assert_eq!(again.status.code(), Some(1));
    let again = results(&dir.path().join("again.csv"));
    assert_eq!((count(&again, "skipped"), count(&again, "created"), count(&again, "failed")), (47, 0, 3));
    assert_eq!(role_holders(&keystone, &project_id).await.len(), 47, "nobody created twice");
    for (row, first) in &found {
        if first[3] == "created" {
            assert_eq!(again[row][2], first[2], "the same user, found again");
        }
    }

    let renewed = run_setpass(dir.path(), &env, &args("renewed.csv", "renew")).await;

    assert_eq!(renewed.status.code(), Some(1));
    let renewed = results(&dir.path().join("renewed.csv"));
    assert_eq!((count(&renewed, "renewed"), count(&renewed, "failed")), (47, 3));
    let (row, old) = found.iter().find(|(_, r)| r[3] == "created").unwrap();
    assert_ne!(renewed[row][4], old[4], "a new link");
    let old_token = old[4].split("?token=").nth(1).unwrap();
    assert!(!app.link_is_live(old_token).await, "the old link died");
}
