//! `etl completions SHELL`: the script completes the real commands in a real bash.

mod common;

use common::{Sandbox, stderr, stdout};

#[test]
fn bash_completes_subcommands_and_flags() {
    let sb = Sandbox::example();
    let out = sb.etl(&["completions", "bash"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let script = sb.path("etl.bash");
    std::fs::write(&script, stdout(&out)).unwrap();
    let complete = |words: &str| -> String {
        let line = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _etl etl \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"; echo \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &line])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let commands = complete("etl ex");
    assert!(
        commands.contains("explain") && commands.contains("export"),
        "{commands}"
    );
    let flags = complete("etl explain --sh");
    assert!(flags.contains("--show-sensitive"), "{flags}");
}
