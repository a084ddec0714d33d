/// The git state this binary was built from, read at build time by `GitCommitPlugin`.
public enum BuildInfo {
    /// The commit (40 hex digits), or `unknown` when the build had no git or no `.git`.
    public static var commit: String { generatedCommit }
    /// Whether tracked files differed from ``commit`` at build time; `nil` when unknown.
    public static var dirty: Bool? { generatedDirty }
}
