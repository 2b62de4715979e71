use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar with trials/s and ETA on a terminal; nothing otherwise.
pub fn trials_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} trials  {per_sec}  ETA {eta}") {
        bar.set_style(style);
    }
    bar
}
