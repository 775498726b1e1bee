import ArgumentParser
import Foundation

/// Where the manager finds the files it ships with (`contextualization/`, `images/`):
/// beside a build tree (`.build/<triple>/debug/../../../`) or an install (`<prefix>/share/conpaassql/`).
enum InstallLayout {
    /// This executable's directory, symbolic links resolved.
    static var executableDirectory: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// The directory `name` holding `marker`: `given` when set, else the first found.
    static func directory(_ name: String, holding marker: String, given: String?, option: String) throws -> String {
        let base = executableDirectory
        let candidates = given.map { [$0] } ?? ["\(base)/../../\(name)", "\(base)/../../../\(name)", "\(base)/../share/conpaassql/\(name)"]
        for candidate in candidates where FileManager.default.fileExists(atPath: "\(candidate)/\(marker)") {
            return URL(fileURLWithPath: candidate).standardizedFileURL.path
        }
        throw ValidationError("cannot find \(name)/\(marker); give \(option)")
    }

    /// The first line of a secret file, refusing an empty or unreadable one.
    static func secret(from path: String, option: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(whereSeparator: \.isNewline).first, !line.isEmpty
        else {
            throw ValidationError("cannot read a secret from \(option) \(path)")
        }
        return String(line)
    }
}
