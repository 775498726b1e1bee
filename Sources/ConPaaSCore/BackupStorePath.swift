/// Paths inside the manager's backup store as agents fetch them (`/backup-files/PATH`).
public enum BackupStorePath {
    /// A relative path of plain names (letters, digits, `._-`): no `..`, no absolute path, no odd characters.
    public static func isValid(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return (1...512).contains(path.count) && parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        }
    }
}
