import Foundation
import PackagePlugin

/// Writes the git commit the package is built from into a Swift source of the target it is
/// applied to (`BuildInfo`): `generatedCommit` (40 hex digits, or `unknown`) and
/// `generatedDirty` (tracked files changed; `nil` when unknown).
///
/// A prebuild command, so it runs on every build (one `git rev-parse` and one `git status`); the
/// file is rewritten only when its text changes, so an unchanged commit recompiles nothing. The
/// build never fails for lack of git: without a `.git` in the package root (a source tarball),
/// without `git`, or when git fails, the commit is `unknown`.
@main
struct GitCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("GitCommit", isDirectory: true)
        return [
            .prebuildCommand(
                displayName: "Reading the git commit for \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "git-commit", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output)
        ]
    }

    /// `$1` the package root, `$2` the output directory. Always exits 0.
    static let script = #"""
        root="$1"; out="$2"
        PATH="$PATH:/usr/bin:/bin:/usr/local/bin:/opt/homebrew/bin"
        mkdir -p "$out" || exit 0
        commit=unknown; dirty=nil
        if [ -e "$root/.git" ] && command -v git >/dev/null 2>&1; then
            c=$(git -C "$root" rev-parse --verify HEAD 2>/dev/null)
            if [ "${#c}" -eq 40 ]; then
                commit="$c"
                if s=$(git -C "$root" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null); then
                    if [ -n "$s" ]; then dirty=true; else dirty=false; fi
                fi
            fi
        fi
        tmp="$out/GitCommit.swift.new"
        printf '%s\n' "// Generated at build time by GitCommitPlugin (Plugins/GitCommitPlugin); do not edit." \
            "let generatedCommit = \"$commit\"" "let generatedDirty: Bool? = $dirty" > "$tmp" || exit 0
        if cmp -s "$tmp" "$out/GitCommit.swift"; then rm -f "$tmp"; else mv -f "$tmp" "$out/GitCommit.swift"; fi
        exit 0
        """#
}
