//! Many invitations at once: `--parallel` at a time, a progress bar on a terminal (plain lines
//! otherwise, on stderr), the results in row order, and the results file.
use super::invite::{invite, Context, Outcome, RowResult};
use super::rows::Invitation;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Runs every invitation, at most `parallel` at once; one failing never stops the others.
pub async fn run_all(ctx: Arc<Context>, invitations: Vec<Invitation>, parallel: usize) -> Vec<RowResult> {
    let total = invitations.len();
    let gate = Arc::new(Semaphore::new(parallel.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for invitation in invitations {
        let (ctx, gate) = (ctx.clone(), gate.clone());
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            invite(&ctx, &invitation).await
        });
    }
    let mut progress = Progress::new(total);
    let mut results = Vec::with_capacity(total);
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(result) => {
                progress.done(&result);
                results.push(result);
            }
            // A panicking row is a bug; the others go on and the run reports a failure.
            Err(err) => results.push(RowResult {
                row: 0,
                name: String::new(),
                user_id: None,
                outcome: Outcome::Failed(format!("internal error: {err}")),
            }),
        }
    }
    progress.finish();
    results.sort_by_key(|r| r.row);
    results
}

struct Progress {
    total: usize,
    done: usize,
    failed: usize,
    terminal: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Self { total, done: 0, failed: 0, terminal: std::io::stderr().is_terminal() }
    }

    fn done(&mut self, result: &RowResult) {
        self.done += 1;
        if matches!(result.outcome, Outcome::Failed(_)) {
            self.failed += 1;
        }
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let width = 30;
            let filled = width * self.done / self.total.max(1);
            let _ = write!(
                err,
                "\r[{}{}] {}/{} ({} failed)",
                "#".repeat(filled),
                ".".repeat(width - filled),
                self.done,
                self.total,
                self.failed
            );
        } else {
            // The link is not here: stderr is often a log.
            let _ = writeln!(err, "row {} {}: {}", result.row, result.name, result.outcome.word());
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

/// Writes the results file (CSV: row, name, user_id, outcome, link_or_error, mail).
pub fn write_results(path: &std::path::Path, results: &[RowResult]) -> Result<(), String> {
    let fail = |err: &dyn std::fmt::Display| format!("cannot write {}: {err}", path.display());
    // The links are in it: readable by the operator alone.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(|e| fail(&e))?;
    let mut writer = csv::Writer::from_writer(file);
    writer.write_record(super::output::COLUMNS).map_err(|e| fail(&e))?;
    for result in results {
        writer.write_record(super::output::cells(result)).map_err(|e| fail(&e))?;
    }
    writer.flush().map_err(|e| fail(&e))
}
