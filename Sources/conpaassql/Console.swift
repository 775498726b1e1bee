import Foundation

/// Where the CLI writes: unbuffered, so progress lines appear as they happen.
enum Console {
    /// Whether stdout is a terminal (progress is then redrawn in place).
    static var isTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Writes `text` and a newline to stdout.
    static func line(_ text: String = "") {
        write(text + "\n")
    }

    /// Writes `text` as it is to stdout.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `text` and a newline to stderr.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
